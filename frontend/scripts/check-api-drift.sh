#!/usr/bin/env bash
# Fails (exit 1) when frontend/openapi.json or src/api/schema.d.ts no longer match what the backend
# describes: regenerate both into a temp dir and compare. Fix with `make frontend-gen`.
set -euo pipefail
FRONTEND_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$FRONTEND_DIR"
tmp="$(mktemp -d /tmp/modelhub-api-drift-XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
bash scripts/dump-openapi.sh "$tmp/openapi.json" 2>"$tmp/dump.log" || { cat "$tmp/dump.log" >&2; exit 1; }
npx --no-install openapi-typescript "$tmp/openapi.json" -o "$tmp/schema.d.ts" --silent
drift=0
if ! diff -q openapi.json "$tmp/openapi.json" >/dev/null; then
  echo "API drift: frontend/openapi.json differs from the backend's OpenAPI:" >&2
  diff -u openapi.json "$tmp/openapi.json" | head -40 >&2 || true
  drift=1
fi
if ! diff -q src/api/schema.d.ts "$tmp/schema.d.ts" >/dev/null; then
  echo "API drift: frontend/src/api/schema.d.ts is not what openapi-typescript generates:" >&2
  diff -u src/api/schema.d.ts "$tmp/schema.d.ts" | head -40 >&2 || true
  drift=1
fi
if [ "$drift" -ne 0 ]; then
  echo "Run 'make frontend-gen', check that the UI still type-checks, and commit the result." >&2
  exit 1
fi
echo "API client in sync with the backend's OpenAPI" >&2
