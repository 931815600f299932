#!/usr/bin/env bash
# One-shot before Superset serves (docker-compose.yml `superset-init`): the metadata schema, the admin
# user, the roles, then ModelHub's dashboard bundle, imported by superset/import_bundle.py, the very
# script tests/harness/superset.py runs against a real Superset. Idempotent: on every `up`, the
# schema migrates if needed, the admin user is kept, and the bundle is imported again (dashboards
# updated, the database URI reset to the current metrics_reader password).
set -euo pipefail
: "${SUPERSET_ADMIN_PASSWORD:?SUPERSET_ADMIN_PASSWORD is not set}"
: "${MODELHUB_SUPERSET_METRICS_URI:?MODELHUB_SUPERSET_METRICS_URI is not set}"

superset db upgrade
# An existing user is left as it is (FAB says "User already exists" and exits 0): change the admin's
# password in Superset itself once it is set.
superset fab create-admin --username "$SUPERSET_ADMIN_USER" --firstname ModelHub --lastname Admin \
    --email "${SUPERSET_ADMIN_USER}@modelhub.invalid" --password "$SUPERSET_ADMIN_PASSWORD"
superset init
python /opt/modelhub/superset/import_bundle.py --superset "$(command -v superset)" --username "$SUPERSET_ADMIN_USER"
