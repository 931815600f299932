#!/usr/bin/env bash
# One-shot before the Airflow services start (docker-compose.yml `airflow-init`, run as root):
# volume ownership, the simple auth manager's password file from AIRFLOW_ADMIN_PASSWORD, and the
# metadata database schema. Idempotent: it runs on every `docker compose up`.
set -euo pipefail
: "${AIRFLOW_ADMIN_PASSWORD:?AIRFLOW_ADMIN_PASSWORD is not set}"
AIRFLOW_UID=50000

mkdir -p /opt/airflow/logs /opt/airflow/auth
chown -R "$AIRFLOW_UID:0" /opt/airflow/logs /opt/airflow/auth

# {"admin": "<password>"}: the backend signs in to Airflow's REST API with it (MODELHUB_AIRFLOW_PASSWORD).
passwords=/opt/airflow/auth/passwords.json
python - "$passwords" <<'PY'
import json, os, sys
path = sys.argv[1]
tmp = path + ".tmp"
with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640), "w") as out:
    json.dump({"admin": os.environ["AIRFLOW_ADMIN_PASSWORD"]}, out)
os.replace(tmp, path)
PY
chown "$AIRFLOW_UID:0" "$passwords"

# Migrate as the airflow user (the image's entrypoint would also work as root, with a warning).
exec setpriv --reuid="$AIRFLOW_UID" --regid=0 --init-groups env HOME=/home/airflow \
    PATH="/home/airflow/.local/bin:$PATH" airflow db migrate
