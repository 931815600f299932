#!/usr/bin/env bash
# Import ModelHub's dashboard bundle into Superset (see superset/import_bundle.py and docs/dashboards.md).
#   MODELHUB_SUPERSET_METRICS_URI=postgresql://user:pw@host:5432/db superset/import.sh
# Uses the `superset` on PATH (a Superset container or venv), else the cached venv of
# scripts/install/superset.sh. SUPERSET_CONFIG_PATH etc. must be those of the target Superset.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if command -v superset >/dev/null 2>&1; then
    SUPERSET="$(command -v superset)"
else
    VENV="$(bash "$HERE/../scripts/install/superset.sh" | tail -n 1)"
    SUPERSET="$VENV/bin/superset"
fi
PYTHON="$(dirname "$SUPERSET")/python"
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" "$HERE/import_bundle.py" --superset "$SUPERSET" "$@"
