#!/usr/bin/env bash
# A real Airflow 3 for the e2e tests, started the way `make run` starts it (scripts/run.sh):
# the cached Airflow venv (scripts/install/airflow.sh), `python -m modelhub.orchestration.local`
# prepare (secrets, admin password) then run (db migrate; api-server, scheduler and dag-processor,
# each in a process group of its own; SIGTERM stops them all, running tasks first). Its tasks run
# ModelHub's jobs with the app venv's python and this environment (MODELHUB_DATA_DIR, MODELHUB_API_URL,
# MODELHUB_SERVICE_CLIENT_SECRET, ... set by e2e/run.mjs).
#   start-airflow.sh WORKDIR DAGS_FOLDER PORT   (WORKDIR/ready appears once it serves)
set -euo pipefail
WORKDIR="$1" DAGS="$2" PORT="$3"
source "$(dirname "$0")/../../scripts/lib.sh"
ensure_app_env dev >&2
AIRFLOW_VENV="$(PATH="$(dirname "$UV"):$PATH" bash "$REPO_ROOT/scripts/install/airflow.sh" | tail -1)"
python -m modelhub.orchestration.local prepare --workdir "$WORKDIR" --port "$PORT" >/dev/null
export MODELHUB_JOB_PYTHON="$UV_PROJECT_ENVIRONMENT/bin/python"
exec python -m modelhub.orchestration.local run --workdir "$WORKDIR" --venv "$AIRFLOW_VENV" --dags "$DAGS" --port "$PORT"
