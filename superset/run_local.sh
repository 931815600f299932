#!/usr/bin/env bash
# Superset beside the embedded ModelHub: `MODELHUB_WITH_SUPERSET=1 make run` starts this (scripts/run.sh).
#   superset/run_local.sh WORKDIR PORT METRICS_URI
# Installs Superset's venv (cached, scripts/install/superset.sh), makes its SQLite metadata in WORKDIR on
# the first start (db upgrade, admin user admin/admin123 like ModelHub's demo users, init: ~40 s),
# imports ModelHub's dashboard pointed at METRICS_URI (PostgreSQL, or the embedded SQLite file), then
# runs gunicorn on 127.0.0.1:PORT in the foreground. Local use only: never with production settings.
set -euo pipefail
WORKDIR="$1"; PORT="$2"; METRICS_URI="$3"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$(bash "$HERE/../scripts/install/superset.sh" | tail -n 1)"
mkdir -p "$WORKDIR"
if [ ! -s "$WORKDIR/secret_key" ]; then
    (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$WORKDIR/secret_key")
fi
cat >"$WORKDIR/superset_config.py" <<PY
# Written by superset/run_local.sh on every start.
from pathlib import Path

SECRET_KEY = Path(__file__).with_name("secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = "sqlite:///$WORKDIR/superset.db"
PREVENT_UNSAFE_DB_CONNECTIONS = False  # the embedded metrics store is a SQLite file
TALISMAN_ENABLED = False
CONTENT_SECURITY_POLICY_WARNING = False
PY
export SUPERSET_CONFIG_PATH="$WORKDIR/superset_config.py" SUPERSET_HOME="$WORKDIR" FLASK_APP=superset
SUPERSET="$VENV/bin/superset"
if [ ! -f "$WORKDIR/.initialised" ]; then
    echo "superset: first start, making the metadata database" >&2
    "$SUPERSET" db upgrade
    "$SUPERSET" fab create-admin --username admin --firstname Admin --lastname ModelHub \
        --email admin@modelhub.invalid --password admin123
    "$SUPERSET" init
    touch "$WORKDIR/.initialised"
fi
# The reporting views must exist before Superset reads their columns: the metrics store makes them.
python -c 'import sys; from modelhub.stores.metrics import open_metrics_store; open_metrics_store(sys.argv[1]).ping()' \
    "$METRICS_URI"
MODELHUB_SUPERSET_METRICS_URI="$METRICS_URI" "$VENV/bin/python" "$HERE/import_bundle.py" --superset "$SUPERSET"
exec "$VENV/bin/gunicorn" --workers=1 --threads=4 --timeout=120 --no-control-socket --bind="127.0.0.1:$PORT" \
    "superset.app:create_app()"
