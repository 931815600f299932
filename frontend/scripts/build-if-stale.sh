#!/usr/bin/env bash
# Build frontend/dist when it is missing or older than anything it is built from; else do nothing.
set -euo pipefail
FRONTEND_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$FRONTEND_DIR"
built="dist/index.html"
if [ -f "$built" ] && [ -z "$(find src public index.html vite.config.ts tsconfig.json package-lock.json -newer "$built" -print -quit 2>/dev/null)" ]; then
  exit 0
fi
bash scripts/ensure-deps.sh
echo "== building the web UI (frontend/dist)" >&2
npm run --silent build -- --logLevel warn >&2
