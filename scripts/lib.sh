# Shared by the make targets: where the cache lives and how to get the app's environment.
# Heavy installs live outside the clone, keyed by the hash of what pins them, so a second run is fast.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MODELHUB_CACHE="${MODELHUB_CACHE:-$HOME/.cache/modelhub}"
export UV_PYTHON_DOWNLOADS=never
export UV_PYTHON="${UV_PYTHON:-3.11}"
UV_VERSION="0.13.9"
mkdir -p "$MODELHUB_CACHE"

hash_files() { cat "$@" | sha256sum | cut -c1-12; }

ensure_uv() {
  if command -v uv >/dev/null 2>&1 && [ "$(uv --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
    UV="$(command -v uv)"; return
  fi
  local venv="$MODELHUB_CACHE/uv-$UV_VERSION"
  if [ ! -x "$venv/bin/uv" ]; then
    echo "Installing uv $UV_VERSION into $venv" >&2
    rm -rf "$venv.tmp"
    python3 -m venv "$venv.tmp"
    "$venv.tmp/bin/pip" install -q "uv==$UV_VERSION"
    rm -rf "$venv" && mv "$venv.tmp" "$venv"
    # the venv's scripts keep their absolute interpreter path; re-create the shebangs after the move
    sed -i "1s|$venv.tmp|$venv|" "$venv"/bin/*
  fi
  UV="$venv/bin/uv"
}

# The app's virtualenv, keyed by the lock file; `dev` adds the test tools.
ensure_app_env() {
  ensure_uv
  local groups="${1:-}"
  local key; key="$(hash_files "$REPO_ROOT/backend/uv.lock" "$REPO_ROOT/backend/pyproject.toml")"
  export UV_PROJECT_ENVIRONMENT="$MODELHUB_CACHE/venvs/app-$key${groups:+-$groups}"
  local args=(sync --frozen --project "$REPO_ROOT/backend" --quiet)
  if [ "$groups" = "dev" ]; then args+=(--group dev); else args+=(--no-dev); fi
  "$UV" "${args[@]}"
  export PATH="$UV_PROJECT_ENVIRONMENT/bin:$PATH"
}
