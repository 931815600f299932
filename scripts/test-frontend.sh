#!/usr/bin/env bash
# The web UI's checks, called by `make test` (scripts/test.sh) and `make frontend-test`:
# install (npm ci, only when the lock file changed), lint, type-check, API drift check, unit tests
# (vitest), production build, and end-to-end tests in headless Chromium against a real backend and
# a real Airflow 3 (frontend/e2e/start-airflow.sh).
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT/frontend"

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "== installing Debian's chromium (the e2e tests drive it headless)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
fi

echo "== frontend: npm ci (cached)"
bash scripts/ensure-deps.sh
echo "== frontend: eslint"
npm run --silent lint
echo "== frontend: tsc --noEmit"
npm run --silent typecheck
echo "== frontend: API client drift"
bash scripts/check-api-drift.sh
echo "== frontend: vitest"
npm run --silent test
echo "== frontend: build"
npm run --silent build -- --logLevel warn
echo "== frontend: e2e (playwright-core, headless chromium, real backend and Airflow)"
node e2e/run.mjs
