#!/usr/bin/env bash
# `make run`: install what the embedded mode needs (cached) and start ModelHub; Ctrl-C stops everything.
source "$(dirname "$0")/lib.sh"
ensure_app_env

export MODELHUB_DATA_DIR="${MODELHUB_DATA_DIR:-$REPO_ROOT/.modelhub}"
PORT="${PORT:-${MODELHUB_PORT:-8000}}"
HOST="${MODELHUB_HOST:-127.0.0.1}"
mkdir -p "$MODELHUB_DATA_DIR/logs"
# The serving workers (and their scikit-learn imports) start with the API, not on the first prediction.
export MODELHUB_SERVING_PRESTART="${MODELHUB_SERVING_PRESTART:-true}"

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# --- web UI (frontend/): build frontend/dist when it is missing or older than its sources, so the
# backend serves the current UI at /. npm ci runs only when package-lock.json changed (npm's cache
# keeps it offline-friendly); nothing runs when nothing changed. A failed build leaves the API up.
if [ -z "${MODELHUB_SKIP_UI_BUILD:-}" ] && [ -f "$REPO_ROOT/frontend/package.json" ]; then
  bash "$REPO_ROOT/frontend/scripts/build-if-stale.sh" ||
    echo "warning: the web UI could not be built (see above); the API starts without it" >&2
fi
# --- end of web UI

# --- Airflow (docs/orchestration.md): its own virtualenv (cached), SQLite + LocalExecutor, DAGs from
# airflow/dags where ModelHub writes generated/; api-server, scheduler and dag-processor each in a
# process group of its own under one supervisor (modelhub.orchestration.local) that stops them all,
# running tasks first. Its tasks run ModelHub's jobs with this environment's python.
AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"
AIRFLOW_WORKDIR="$MODELHUB_DATA_DIR/airflow"
AIRFLOW_VENV="$(PATH="$(dirname "$UV"):$PATH" bash "$REPO_ROOT/scripts/install/airflow.sh" | tail -1)"
eval "$(python -m modelhub.orchestration.local prepare --workdir "$AIRFLOW_WORKDIR" --port "$AIRFLOW_PORT")"
export MODELHUB_DAGS_DIR="$REPO_ROOT/airflow/dags/generated"
export MODELHUB_JOB_PYTHON="$UV_PROJECT_ENVIRONMENT/bin/python"
export MODELHUB_API_URL="http://$HOST:$PORT"
rm -f "$AIRFLOW_WORKDIR/ready"
setsid python -m modelhub.orchestration.local run --workdir "$AIRFLOW_WORKDIR" --venv "$AIRFLOW_VENV" \
  --dags "$REPO_ROOT/airflow/dags" --port "$AIRFLOW_PORT" >>"$MODELHUB_DATA_DIR/logs/airflow.log" 2>&1 &
airflow_pid=$!
pids+=($airflow_pid)
# --- end of Airflow

# --- Superset (docs/dashboards.md): optional, MODELHUB_WITH_SUPERSET=1 make run; the API links to it.
SUPERSET_PORT="${SUPERSET_PORT:-8088}"
if [ "${MODELHUB_WITH_SUPERSET:-0}" = "1" ]; then
  export MODELHUB_SUPERSET_URL="${MODELHUB_SUPERSET_URL:-http://$HOST:$SUPERSET_PORT}"
fi
# --- end of Superset

# Each component runs in its own process group so a stop reaches its children too.
setsid modelhub serve --host "$HOST" --port "$PORT" &
backend_pid=$!
pids+=($backend_pid)

for _ in $(seq 150); do
  if curl -fsS "http://$HOST:$PORT/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$backend_pid" 2>/dev/null; then echo "ModelHub failed to start" >&2; exit 1; fi
  sleep 0.2
done
echo "ModelHub is running at http://$HOST:$PORT"
echo "  API docs:    http://$HOST:$PORT/api/docs"
echo "  demo logins: admin/admin123, datascientist/password123, business/password123, viewer/password123"
echo "  data in $MODELHUB_DATA_DIR; Ctrl-C stops everything"
# --- demo catalog (docs/registry.md): on an empty catalog (or one whose seeding stopped midway), 300+
# models with real versions and months of metric history, built beside the running API (13-40 s): the
# catalog fills while people look. MODELHUB_SEED_DEMO=0 skips it, `modelhub seed-demo` runs it by hand.
if [ "${MODELHUB_SEED_DEMO:-1}" != "0" ]; then
  seed_log="$MODELHUB_DATA_DIR/logs/seed-demo.log"
  # its own lines ("seed-demo: ...": what it does, then the summary) reach the terminal, progress only the log
  setsid bash -c 'set -o pipefail
    modelhub seed-demo --if-empty 2>&1 | tee -a "$1" | grep --line-buffered "^seed-demo: " ||
      echo "warning: seed-demo failed (see $1); ModelHub runs on without the demo catalog" >&2' seed-demo "$seed_log" &
  pids+=($!)
fi
# --- end of demo catalog
# --- Superset: first start ~1-2 min (install, metadata database, import of the dashboard bundle)
if [ "${MODELHUB_WITH_SUPERSET:-0}" = "1" ]; then
  setsid bash "$REPO_ROOT/superset/run_local.sh" "$MODELHUB_DATA_DIR/superset" "$SUPERSET_PORT" \
    "${MODELHUB_METRICS_URI:-sqlite:///$MODELHUB_DATA_DIR/metrics.db}" >>"$MODELHUB_DATA_DIR/logs/superset.log" 2>&1 &
  pids+=($!)
  echo "Superset is starting at $MODELHUB_SUPERSET_URL (admin/admin123; log: $MODELHUB_DATA_DIR/logs/superset.log)"
fi
# --- end of Superset
# --- Airflow: the first start migrates its database (~30 s); ModelHub answers meanwhile
for _ in $(seq 900); do
  if [ -f "$AIRFLOW_WORKDIR/ready" ]; then
    echo "Airflow is running at $MODELHUB_AIRFLOW_URL (user admin, password in $AIRFLOW_WORKDIR/simple_auth_manager_passwords.json)"
    break
  fi
  if ! kill -0 "$airflow_pid" 2>/dev/null; then
    echo "warning: Airflow stopped; see $MODELHUB_DATA_DIR/logs/airflow.log and $AIRFLOW_WORKDIR/*.log" >&2
    echo "         (AIRFLOW_PORT=8081 make run picks another port). ModelHub runs on; runs answer 503." >&2
    break
  fi
  sleep 0.2
done
# --- end of Airflow
wait "$backend_pid"
