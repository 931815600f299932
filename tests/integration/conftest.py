from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import unique_name
from tests.harness.base import free_port, stop_process_group, wait_for


class ServedApp:
    """`modelhub serve` in its own process group, on the real servers of the test run."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "modelhub.log"
        env = {**os.environ, **env, "MODELHUB_PORT": str(self.port), "MODELHUB_DATA_DIR": str(workdir / "data")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "modelhub.cli", "serve"],
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: httpx.get(f"{self.url}/api/health").status_code == 200, 60, "modelhub serve", log=self.log)
        self.http = httpx.Client(base_url=self.url, timeout=30)

    def login(self, username: str, password: str) -> dict[str, str]:
        response = self.http.post("/api/auth/token", data={"username": username, "password": password})
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def stop(self) -> None:
        self.http.close()
        stop_process_group(self.process)


@pytest.fixture
def served_app(ferretdb, minio, postgres, tmp_path):
    env = {
        "MODELHUB_METADATA_URI": ferretdb.uri.rstrip("/") + "/" + unique_name("served_"),
        "MODELHUB_OBJECTS_URI": f"s3://{unique_name('served-')}",
        "MODELHUB_S3_ENDPOINT": minio.endpoint,
        "MODELHUB_S3_ACCESS_KEY": minio.access_key,
        "MODELHUB_S3_SECRET_KEY": minio.secret_key,
        "MODELHUB_METRICS_URI": postgres.dsn_for(postgres.create_database(unique_name("served_"))),
        "MODELHUB_DEPENDENCY_TIMEOUT_S": "2",
    }
    app = ServedApp(env, tmp_path)
    yield app
    app.stop()


@pytest.fixture(scope="session")
def orchestrated_app(airflow):
    """`modelhub serve` wired to the session's real Airflow: its specs go to Airflow's DAGs folder,
    and Airflow's jobs share its object store and service credential (tests/conftest.py)."""
    from tests.conftest import ORCHESTRATION_DIR, job_environment

    workdir = ORCHESTRATION_DIR / "app"
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **job_environment(),
        "MODELHUB_AIRFLOW_URL": airflow.url,
        "MODELHUB_AIRFLOW_USERNAME": airflow.admin_user,
        "MODELHUB_AIRFLOW_PASSWORD": airflow.admin_password,
        "MODELHUB_DAGS_DIR": str(airflow.dags_folder / "generated"),
        "MODELHUB_ORCHESTRATOR_SYNC_INTERVAL_S": "1",
        "MODELHUB_DAG_VISIBLE_WAIT_S": "15",
    }
    app = ServedApp(env, workdir)
    yield app
    app.stop()
