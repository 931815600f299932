#!/usr/bin/env bash
# Dump the backend's OpenAPI document (no server needed) to frontend/openapi.json, or to $1.
set -euo pipefail
FRONTEND_DIR="$(cd "$(dirname "$0")/.." && pwd)"
REPO_ROOT="$(cd "$FRONTEND_DIR/.." && pwd)"
out="$(realpath -m "${1:-$FRONTEND_DIR/openapi.json}")"
tmp_data="$(mktemp -d /tmp/modelhub-openapi-XXXXXX)"
trap 'rm -rf "$tmp_data"' EXIT
(
  cd "$REPO_ROOT"
  # shellcheck source=/dev/null
  source scripts/lib.sh
  ensure_app_env dev
  OPENAPI_DATA_DIR="$tmp_data" python - <<'PY' > "$out.tmp"
import json, os
from modelhub.app import create_app
from modelhub.config import Settings

doc = create_app(Settings(data_dir=os.environ["OPENAPI_DATA_DIR"])).openapi()
print(json.dumps(doc, indent=2, sort_keys=True))
PY
)
mv "$out.tmp" "$out"
echo "OpenAPI written to $out" >&2
