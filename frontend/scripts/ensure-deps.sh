#!/usr/bin/env bash
# Install frontend/node_modules exactly as package-lock.json says (npm ci, from npm's cache when it
# can), and only when the lock file changed since the last install: a second run costs nothing.
set -euo pipefail
FRONTEND_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$FRONTEND_DIR"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is not installed: the web UI needs Node.js >= 20.19 and npm" >&2
  exit 1
fi
stamp="node_modules/.modelhub-lock-sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "== npm ci (frontend)" >&2
npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2
echo "$want" > "$stamp"
