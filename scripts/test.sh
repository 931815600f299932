#!/usr/bin/env bash
# `make test`: install every server the tests need (cached), lint, run every test, stop what was started.
source "$(dirname "$0")/lib.sh"
ensure_app_env dev
cd "$REPO_ROOT"

echo "== installing test servers (cached in $MODELHUB_CACHE)"
for server in ferretdb minio postgres keycloak airflow superset spark; do
  PATH="$(dirname "$UV"):$PATH" PYTHON="$UV_PROJECT_ENVIRONMENT/bin/python" bash "scripts/install/$server.sh" >/dev/null
done

echo "== ruff"
ruff check backend tests benchmarks spark_jobs superset grafana airflow docker frontend/e2e
ruff format --check backend tests benchmarks spark_jobs superset grafana airflow docker frontend/e2e

export MODELHUB_TEST_RUN_DIR="$(mktemp -d /tmp/modelhub-test-XXXXXX)"
chmod 755 "$MODELHUB_TEST_RUN_DIR"
cleanup() {
  # Safety net behind the fixtures' own teardown: stop any server group still alive.
  for file in "$MODELHUB_TEST_RUN_DIR"/*/*.pgid; do
    [ -f "$file" ] && kill -KILL -- "-$(cat "$file")" 2>/dev/null || true
  done
  rm -rf "$MODELHUB_TEST_RUN_DIR"
}
trap cleanup EXIT

echo "== pytest"
set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then echo "no test ran" >&2; exit 1; fi
# The web UI's checks (lint, types, API drift, vitest, build, e2e) belong to the full run only:
# `bash scripts/test.sh -k name` narrows pytest and skips them.
if [ "$#" -eq 0 ]; then
  bash scripts/test-frontend.sh || status=1
fi
exit "$status"
