#!/usr/bin/env bash
# Build the FerretDB v1.24.2 test server (scripts/servers/ferretdb, embedded FerretDB with the
# SQLite backend) from the Go module proxy and cache it outside the repo.
# The binary name carries a hash of go.mod+go.sum+main.go, so an edit rebuilds and an unchanged
# tree reuses the cached binary. Prints the binary path on its last stdout line.
set -euo pipefail

FERRETDB_VERSION="v1.24.2"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC_DIR="$(cd "$SCRIPT_DIR/../servers/ferretdb" && pwd)"

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
CACHE="${MODELHUB_CACHE:-$HOME/.cache/modelhub}"
BIN_DIR="$CACHE/bin"

hash="$(cat "$SRC_DIR/go.mod" "$SRC_DIR/go.sum" "$SRC_DIR/main.go" | sha256sum | cut -c1-12)"
TARGET="$BIN_DIR/ferretdb-$FERRETDB_VERSION-$hash"

if [[ -x "$TARGET" ]]; then
    echo "$TARGET"
    exit 0
fi

if [[ ! -x "$GO" ]]; then
    echo "ferretdb.sh: go toolchain not found (set GO=/path/to/go)" >&2
    exit 1
fi

mkdir -p "$BIN_DIR"
# Build under a temporary name in the same directory, then rename: an interrupted build leaves
# no half-written binary under the final name.
TMP="$(mktemp "$BIN_DIR/.ferretdb-build.XXXXXX")"
build_pid=""
# On INT/TERM stop the go command too (it would otherwise finish and write $TMP after we left).
trap 'rm -f "$TMP"' EXIT
trap 'if [[ -n "$build_pid" ]]; then kill "$build_pid" 2>/dev/null; wait "$build_pid" 2>/dev/null; fi; exit 130' INT TERM

echo "building FerretDB $FERRETDB_VERSION server from $SRC_DIR ..." >&2
start=$(date +%s)
# CGO_ENABLED=0: the SQLite backend is modernc.org/sqlite (pure Go).
# -mod=readonly: go.mod/go.sum are committed and must not be rewritten by the build.
# GOTOOLCHAIN=local: never try to download another Go toolchain.
CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
    "$GO" -C "$SRC_DIR" build -trimpath -buildvcs=false -o "$TMP" . >&2 &
build_pid=$!
wait "$build_pid"
build_pid=""
echo "built in $(( $(date +%s) - start ))s" >&2

chmod 0755 "$TMP"
mv -f "$TMP" "$TARGET"
echo "$TARGET"
