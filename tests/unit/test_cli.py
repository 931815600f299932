from __future__ import annotations

import os
import subprocess
import sys

from tests.harness.base import free_port


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "modelhub.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_doctor_passes_on_embedded_defaults(tmp_path):
    result = run_cli("doctor", env={"MODELHUB_DATA_DIR": str(tmp_path), "MODELHUB_S3_SECRET_KEY": "hunter2"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "metadata" in result.stdout and "ok" in result.stdout
    assert "hunter2" not in result.stdout


def test_doctor_fails_and_names_the_component_that_is_down(tmp_path):
    closed = free_port()
    result = run_cli(
        "doctor",
        env={
            "MODELHUB_DATA_DIR": str(tmp_path),
            "MODELHUB_METADATA_URI": f"mongodb://127.0.0.1:{closed}/modelhub",
            "MODELHUB_DEPENDENCY_TIMEOUT_S": "1",
        },
    )
    assert result.returncode == 1
    assert "problem: metadata" in result.stdout


def test_doctor_reports_production_problems(tmp_path):
    result = run_cli("doctor", env={"MODELHUB_DATA_DIR": str(tmp_path), "MODELHUB_PROFILE": "production"})
    assert result.returncode == 1
    assert "MODELHUB_METADATA_URI must point at a server" in result.stdout


def test_serve_refuses_production_with_embedded_stores(tmp_path):
    result = run_cli("serve", env={"MODELHUB_DATA_DIR": str(tmp_path), "MODELHUB_PROFILE": "production"})
    assert result.returncode != 0
    assert "refusing to start with the production profile" in result.stderr
