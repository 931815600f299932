#!/usr/bin/env bash
# Install Airflow (airflow/requirements.lock) into its own virtualenv in the shared cache:
#   ${MODELHUB_CACHE:-$HOME/.cache/modelhub}/airflow-venv-<first 12 hex of sha256(requirements.lock)>
# (idempotent and atomic: scripts/install/locked-venv.sh). Prints the venv path as its last line.
#
# Environment: MODELHUB_CACHE (cache root), MODELHUB_AIRFLOW_PYTHON (interpreter, default 3.11,
# the version the lock was compiled for).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$REPO_ROOT/scripts/install/locked-venv.sh"

# The CLI starts and the providers we need import.
smoke() {
    local venv="$1" home="$2"
    AIRFLOW_HOME="$home" AIRFLOW__CORE__LOAD_EXAMPLES=False run "$venv/bin/airflow" version >&2
    AIRFLOW_HOME="$home" run "$venv/bin/python" -c \
        'import airflow.providers.apache.spark, airflow.providers.standard.operators.python, airflow.sdk' >&2
}

install_locked_venv airflow "$REPO_ROOT/airflow/requirements.lock" "${MODELHUB_AIRFLOW_PYTHON:-3.11}" airflow smoke
