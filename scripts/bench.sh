#!/usr/bin/env bash
# Run a benchmark module with the app's environment: bash scripts/bench.sh benchmarks/NAME.py [args]
source "$(dirname "$0")/lib.sh"
ensure_app_env dev
cd "$REPO_ROOT"
script="$1"; shift
module="${script%.py}"; module="${module//\//.}"
exec python -m "$module" "$@"
