#!/usr/bin/env bash
# Install Apache Superset (superset/requirements.lock) into its own virtualenv in the shared cache:
#   ${MODELHUB_CACHE:-$HOME/.cache/modelhub}/superset-venv-<first 12 hex of sha256(requirements.lock)>
# Idempotent: an existing complete venv is reused. Atomic: the venv is built in a temporary directory
# beside its final place and renamed into place only once it works, so an interrupted install leaves
# no half-made venv: on INT/TERM/HUP the running step is stopped and the temporary directory removed;
# after a SIGKILL a temporary directory stays, and the next run removes it once it is an hour old.
# The venv is made with --relocatable so that its scripts keep working after the rename.
# Prints the venv path as its last line of output (progress goes to stderr).
#
# Environment: MODELHUB_CACHE (cache root), MODELHUB_SUPERSET_PYTHON (interpreter, default 3.11,
# the version the lock was compiled for).
# Superset's metadata DB, admin user and roles are made per server by tests/harness/superset.py.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCK="$REPO_ROOT/superset/requirements.lock"
CACHE="${MODELHUB_CACHE:-$HOME/.cache/modelhub}"
PYTHON="${MODELHUB_SUPERSET_PYTHON:-3.11}"
MARKER=".modelhub-complete"

log() { echo "superset.sh: $*" >&2; }

command -v uv >/dev/null || { log "uv is required (pip install uv)"; exit 1; }
[ -f "$LOCK" ] || { log "missing $LOCK"; exit 1; }

HASH="$(sha256sum "$LOCK" | cut -c1-12)"
VENV="$CACHE/superset-venv-$HASH"

if [ -f "$VENV/$MARKER" ] && [ -x "$VENV/bin/superset" ]; then
    log "already installed"
    echo "$VENV"
    exit 0
fi

mkdir -p "$CACHE"
# Leftovers of installs killed hard (SIGKILL skips the trap below).
find "$CACHE" -maxdepth 1 -name '.superset-venv-*.tmp.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true

TMP="$(mktemp -d "$CACHE/.superset-venv-$HASH.tmp.XXXXXX")"
SMOKE_HOME="$(mktemp -d)"
cleanup() { rm -rf "$TMP" "$SMOKE_HOME"; }
trap cleanup EXIT
# Each step runs in the background and is waited for, so that INT/TERM act at once: the step is
# stopped, then the EXIT trap removes the temporary venv (bash defers traps during a foreground child).
CHILD=""
run() {
    "$@" &
    CHILD=$!
    wait "$CHILD"
    local rc=$?
    CHILD=""
    return "$rc"
}
on_signal() {
    if [ -n "$CHILD" ]; then
        kill -TERM "$CHILD" 2>/dev/null || true
        wait "$CHILD" 2>/dev/null || true
    fi
    exit 130
}
trap on_signal INT TERM HUP

start=$(date +%s)
log "creating venv (python $PYTHON) in $TMP"
# No interpreter downloads: only the package registries are reachable here.
UV_PYTHON_DOWNLOADS=never run uv venv --quiet --relocatable --python "$PYTHON" "$TMP" >&2
log "installing $LOCK"
VIRTUAL_ENV="$TMP" run uv pip sync --quiet --python "$TMP/bin/python" --require-hashes --compile-bytecode "$LOCK" >&2

# Smoke test before publishing: the CLI loads its app (a throw-away config and metadata DB) and the
# PostgreSQL driver imports.
cat >"$SMOKE_HOME/superset_config.py" <<PY
SECRET_KEY = "install-smoke-test-only"
SQLALCHEMY_DATABASE_URI = "sqlite:///$SMOKE_HOME/superset.db"
PY
SUPERSET_CONFIG_PATH="$SMOKE_HOME/superset_config.py" SUPERSET_HOME="$SMOKE_HOME" FLASK_APP=superset \
    run "$TMP/bin/superset" version >&2
run "$TMP/bin/python" -c 'import psycopg2, superset' >&2

echo "$HASH" >"$TMP/$MARKER"
# rename(2) without following a directory target: fails if another install won the race.
if ! mv -T "$TMP" "$VENV" 2>/dev/null; then
    if [ -f "$VENV/$MARKER" ]; then
        log "another install finished first; using it"
    else
        log "cannot move $TMP to $VENV (a directory without $MARKER is in the way: remove it)"
        exit 1
    fi
fi
log "installed in $(($(date +%s) - start)) s"
echo "$VENV"
