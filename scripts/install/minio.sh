#!/usr/bin/env bash
# Build the MinIO server used by the test suite from the Go module proxy and cache it outside the repo.
# Prints the binary path on its last stdout line. Idempotent: an existing binary is reused.
#
# MinIO tags releases as RELEASE.<date>, not semver, so only pseudo-versions exist on the proxy.
# The proxy we reach refuses the RELEASE.2025-10-15T17-29-55Z pseudo-version
# (v0.0.0-20251015172955-9e49d5e7a648: "403 Forbidden ... This module version is not available.");
# the only version it lists (@v/list) is master of 2026-02-12, which builds and runs. Needs Go >= 1.24.
# MINIO_VERSION may be overridden; the binary is named after the pseudo-version's date.
set -euo pipefail

MINIO_MODULE="github.com/minio/minio"
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
stamp="${MINIO_VERSION#v0.0.0-}"
BIN_NAME="minio-${stamp:0:8}"

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
CACHE="${MODELHUB_CACHE:-$HOME/.cache/modelhub}"
BIN_DIR="$CACHE/bin"
TARGET="$BIN_DIR/$BIN_NAME"

if [[ -x "$TARGET" ]]; then
    echo "$TARGET"
    exit 0
fi

if [[ ! -x "$GO" ]]; then
    echo "minio.sh: go toolchain not found (set GO=/path/to/go)" >&2
    exit 1
fi

mkdir -p "$BIN_DIR"
# GOBIN goes to a private temp dir on the same filesystem, so the final mv is atomic and an
# interrupted build leaves no half-written binary under the target name.
TMP_BIN="$(mktemp -d "$BIN_DIR/.minio-build.XXXXXX")"
build_pid=""
# On INT/TERM stop the go command too (it would otherwise finish and write into $TMP_BIN after we left).
trap 'rm -rf "$TMP_BIN"' EXIT
trap 'if [[ -n "$build_pid" ]]; then kill "$build_pid" 2>/dev/null; wait "$build_pid" 2>/dev/null; fi; exit 130' INT TERM

echo "building $MINIO_MODULE@$MINIO_VERSION (about 5 minutes on 2 cores with cold Go caches)..." >&2
start=$(date +%s)
# GOTOOLCHAIN=local keeps go from trying to download another toolchain.
CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$TMP_BIN" \
    "$GO" install -trimpath "$MINIO_MODULE@$MINIO_VERSION" >&2 &
build_pid=$!
wait "$build_pid"
build_pid=""
echo "built in $(( $(date +%s) - start ))s" >&2

mv -f "$TMP_BIN/minio" "$TARGET"
echo "$TARGET"
