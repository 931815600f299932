#!/usr/bin/env bash
# `make frontend-gen`: dump the backend's OpenAPI to frontend/openapi.json and regenerate the typed
# client's types (src/api/schema.d.ts). Commit both; CI fails when they drift from the backend.
set -euo pipefail
FRONTEND_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$FRONTEND_DIR"
bash scripts/ensure-deps.sh
bash scripts/dump-openapi.sh openapi.json
npx --no-install openapi-typescript openapi.json -o src/api/schema.d.ts --silent
echo "regenerated frontend/openapi.json and frontend/src/api/schema.d.ts" >&2
