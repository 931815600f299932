#!/usr/bin/env bash
# Install Apache Superset (superset/requirements.lock) into its own virtualenv in the shared cache:
#   ${MODELHUB_CACHE:-$HOME/.cache/modelhub}/superset-venv-<first 12 hex of sha256(requirements.lock)>
# (idempotent and atomic: scripts/install/locked-venv.sh). Prints the venv path as its last line.
# Superset's metadata DB, admin user and roles are made per server by tests/harness/superset.py.
#
# Environment: MODELHUB_CACHE (cache root), MODELHUB_SUPERSET_PYTHON (interpreter, default 3.11,
# the version the lock was compiled for).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$REPO_ROOT/scripts/install/locked-venv.sh"

# The CLI loads its app (a throw-away config and metadata DB) and the PostgreSQL driver imports.
smoke() {
    local venv="$1" home="$2"
    cat >"$home/superset_config.py" <<PY
SECRET_KEY = "install-smoke-test-only"
SQLALCHEMY_DATABASE_URI = "sqlite:///$home/superset.db"
PY
    SUPERSET_CONFIG_PATH="$home/superset_config.py" SUPERSET_HOME="$home" FLASK_APP=superset \
        run "$venv/bin/superset" version >&2
    run "$venv/bin/python" -c 'import psycopg2, superset' >&2
}

install_locked_venv superset "$REPO_ROOT/superset/requirements.lock" "${MODELHUB_SUPERSET_PYTHON:-3.11}" superset smoke
