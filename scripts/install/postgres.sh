#!/usr/bin/env bash
# Install PostgreSQL server binaries from Debian packages (idempotent).
#
#   scripts/install/postgres.sh          -> last line of output: the PostgreSQL bin directory
#
# Nothing is started here and no cluster is used: the test harness (tests/harness/postgres.py) runs
# initdb into its own work directory. TimescaleDB is installed only when Debian itself offers a
# package for this PostgreSQL major version (bookworm does not); the outcome is written to
# ${MODELHUB_CACHE:-$HOME/.cache/modelhub}/postgres-timescaledb.txt.
set -euo pipefail

CACHE="${MODELHUB_CACHE:-$HOME/.cache/modelhub}"
export DEBIAN_FRONTEND=noninteractive
log() { echo "[postgres.sh] $*" >&2; }

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_update_once() {
    if [[ $apt_updated -eq 0 ]]; then as_root apt-get update -qq; apt_updated=1; fi
}

if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    log "installing postgresql from Debian"
    apt_update_once
    # Debian's postinst would create and start a 'main' cluster; the harness never uses it. In a
    # container policy-rc.d usually stops the start; create_main_cluster=false skips the cluster.
    as_root mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.d/modelhub.conf >/dev/null
    as_root apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >&2
fi

BIN="$(bin_dir)"
[[ -x "$BIN/initdb" && -x "$BIN/postgres" ]] || { log "no initdb/postgres under /usr/lib/postgresql"; exit 1; }
MAJOR="$(basename "$(dirname "$BIN")")"

# --- TimescaleDB: only from Debian's own archive -------------------------------------------------
mkdir -p "$CACHE"
note="$CACHE/postgres-timescaledb.txt"
if [[ -f "/usr/share/postgresql/$MAJOR/extension/timescaledb.control" ]]; then
    echo "installed" > "$note"
else
    # apt-cache needs package lists; a fresh machine may have none yet.
    if ! compgen -G "/var/lib/apt/lists/*Packages*" >/dev/null; then apt_update_once; fi
    pkgs="$(apt-cache search --names-only timescale | awk '{print $1}' | grep -E "^(postgresql-$MAJOR-timescaledb|timescaledb-2-postgresql-$MAJOR)$" || true)"
    if [[ -z "$pkgs" ]]; then
        echo "unavailable: apt-cache search timescale finds no package for PostgreSQL $MAJOR" > "$note"
    else
        pkg="$(echo "$pkgs" | head -n 1)"
        apt_update_once
        if as_root apt-get install -y -qq --no-install-recommends "$pkg" >&2 \
            && [[ -f "/usr/share/postgresql/$MAJOR/extension/timescaledb.control" ]]; then
            echo "installed ($pkg)" > "$note"
        else
            echo "unavailable: $pkg failed to install" > "$note"
        fi
    fi
fi
log "TimescaleDB: $(cat "$note")"
log "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}')"
echo "$BIN"
