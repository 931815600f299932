# Sourced by the installers of tools that live in their own virtualenv (airflow.sh, superset.sh):
#   install_locked_venv NAME LOCK PYTHON EXECUTABLE SMOKE_FUNCTION
# installs LOCK into ${MODELHUB_CACHE:-$HOME/.cache/modelhub}/NAME-venv-<first 12 hex of sha256(LOCK)>.
# Idempotent: an existing complete venv (marker file and bin/EXECUTABLE) is reused. Atomic: the venv
# is built in a temporary directory beside its final place and renamed into place only once
# SMOKE_FUNCTION (called with the temporary venv and a scratch home) succeeds, so an interrupted
# install leaves no half-made venv: on INT/TERM/HUP the running step is stopped and the temporary
# directory removed; after a SIGKILL a temporary directory stays, and the next run removes it once it
# is an hour old. The venv is made with --relocatable so that its scripts keep working after the
# rename. Prints the venv path as its last line of output (progress goes to stderr).

MARKER=".modelhub-complete"
# Each step runs in the background and is waited for, so that INT/TERM act at once: the step is
# stopped, then the EXIT trap removes the temporary venv (bash defers traps during a foreground child).
CHILD=""
run() {
    "$@" &
    CHILD=$!
    wait "$CHILD"
    local rc=$?
    CHILD=""
    return "$rc"
}
on_signal() {
    if [ -n "$CHILD" ]; then
        kill -TERM "$CHILD" 2>/dev/null || true
        wait "$CHILD" 2>/dev/null || true
    fi
    exit 130
}

install_locked_venv() {
    local name="$1" lock="$2" python="$3" executable="$4" smoke="$5"
    local cache="${MODELHUB_CACHE:-$HOME/.cache/modelhub}"
    log() { echo "$name.sh: $*" >&2; }

    command -v uv >/dev/null || { log "uv is required (pip install uv)"; exit 1; }
    [ -f "$lock" ] || { log "missing $lock"; exit 1; }

    local hash venv
    hash="$(sha256sum "$lock" | cut -c1-12)"
    venv="$cache/$name-venv-$hash"
    if [ -f "$venv/$MARKER" ] && [ -x "$venv/bin/$executable" ]; then
        log "already installed"
        echo "$venv"
        return 0
    fi

    mkdir -p "$cache"
    # Leftovers of installs killed hard (SIGKILL skips the trap below).
    find "$cache" -maxdepth 1 -name ".$name-venv-*.tmp.*" -mmin +60 -exec rm -rf {} + 2>/dev/null || true

    TMP="$(mktemp -d "$cache/.$name-venv-$hash.tmp.XXXXXX")"
    SMOKE_HOME="$(mktemp -d)"
    trap 'rm -rf "$TMP" "$SMOKE_HOME"' EXIT
    trap on_signal INT TERM HUP

    local start
    start=$(date +%s)
    log "creating venv (python $python) in $TMP"
    # No interpreter downloads: only the package registries are reachable here.
    UV_PYTHON_DOWNLOADS=never run uv venv --quiet --relocatable --python "$python" "$TMP" >&2
    log "installing $lock"
    VIRTUAL_ENV="$TMP" run uv pip sync --quiet --python "$TMP/bin/python" --require-hashes --compile-bytecode "$lock" >&2

    # Smoke test before publishing.
    "$smoke" "$TMP" "$SMOKE_HOME"

    echo "$hash" >"$TMP/$MARKER"
    # rename(2) without following a directory target: fails if another install won the race.
    if ! mv -T "$TMP" "$venv" 2>/dev/null; then
        if [ -f "$venv/$MARKER" ]; then
            log "another install finished first; using it"
        else
            log "cannot move $TMP to $venv (a directory without $MARKER is in the way: remove it)"
            exit 1
        fi
    fi
    log "installed in $(($(date +%s) - start)) s"
    echo "$venv"
}
