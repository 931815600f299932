#!/usr/bin/env bash
# `make run`: install what the embedded mode needs (cached) and start ModelHub; Ctrl-C stops everything.
source "$(dirname "$0")/lib.sh"
ensure_app_env

export MODELHUB_DATA_DIR="${MODELHUB_DATA_DIR:-$REPO_ROOT/.modelhub}"
PORT="${PORT:-${MODELHUB_PORT:-8000}}"
HOST="${MODELHUB_HOST:-127.0.0.1}"
mkdir -p "$MODELHUB_DATA_DIR/logs"

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# Each component runs in its own process group so a stop reaches its children too.
setsid modelhub serve --host "$HOST" --port "$PORT" &
pids+=($!)

for _ in $(seq 150); do
  if curl -fsS "http://$HOST:$PORT/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "ModelHub failed to start" >&2; exit 1; fi
  sleep 0.2
done
echo "ModelHub is running at http://$HOST:$PORT"
echo "  API docs:    http://$HOST:$PORT/api/docs"
echo "  demo logins: admin/admin123, datascientist/password123, business/password123, viewer/password123"
echo "  data in $MODELHUB_DATA_DIR; Ctrl-C stops everything"
wait "${pids[0]}"
