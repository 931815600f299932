"""Shared fixtures: real servers (started once per run, on demand) and store fixtures per backend.

Every contract suite takes a store fixture parametrised over all backends, so one test body
checks that the embedded store and the server-backed store behave the same.
"""

from __future__ import annotations

import importlib
import os
import secrets
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

RUN_DIR = Path(os.environ.get("MODELHUB_TEST_RUN_DIR") or tempfile.mkdtemp(prefix="modelhub-test-"))


def _server(request, module: str, cls_name: str, name: str):
    cls = getattr(importlib.import_module(f"tests.harness.{module}"), cls_name)
    server = cls(RUN_DIR / name)
    server.install()
    server.start()
    request.addfinalizer(server.stop)
    return server


@pytest.fixture(scope="session")
def ferretdb(request):
    return _server(request, "ferretdb", "FerretDBServer", "ferretdb")


@pytest.fixture(scope="session")
def minio(request):
    return _server(request, "minio", "MinioServer", "minio")


@pytest.fixture(scope="session")
def postgres(request):
    return _server(request, "postgres", "PostgresServer", "postgres")


@pytest.fixture(scope="session")
def keycloak(request):
    return _server(request, "keycloak", "KeycloakServer", "keycloak")


# What Airflow's jobs share with the ModelHub they report to (tests/integration/conftest.py
# starts that app): the object store they write results to and the service credential.
ORCHESTRATION_DIR = RUN_DIR / "orchestration"
JOB_SERVICE_SECRET = secrets.token_urlsafe(32)


def job_environment() -> dict[str, str]:
    return {
        "MODELHUB_OBJECTS_URI": f"file://{ORCHESTRATION_DIR / 'objects'}",
        "MODELHUB_SERVICE_CLIENT_SECRET": JOB_SERVICE_SECRET,
        # one metrics store for the app and its jobs; the jobs' MLflow tracking under the run dir
        "MODELHUB_METRICS_URI": f"sqlite:///{ORCHESTRATION_DIR / 'metrics.db'}",
        "MODELHUB_MLFLOW_TRACKING_URI": f"sqlite:///{ORCHESTRATION_DIR / 'mlflow' / 'mlflow.db'}",
    }


@pytest.fixture(scope="session")
def airflow(request):
    """Airflow 3 (api-server, scheduler, dag-processor) on a DAGs folder this run owns: ModelHub's
    factory and .airflowignore from airflow/dags/, and an empty generated/ for the specs. Its tasks
    run jobs with this interpreter (ModelHub installed) and the settings of `job_environment()`."""
    from tests.harness.airflow import AirflowServer
    from tests.harness.base import REPO_ROOT

    dags = ORCHESTRATION_DIR / "dags"
    (dags / "generated").mkdir(parents=True, exist_ok=True)
    for name in ("modelhub_factory.py", ".airflowignore"):
        shutil.copy(REPO_ROOT / "airflow" / "dags" / name, dags / name)
    server = AirflowServer(
        RUN_DIR / "airflow",
        dags,
        extra_env={
            "MODELHUB_JOB_PYTHON": sys.executable,
            **job_environment(),
            # As `make run`: shards are re-parsed when ModelHub touches them, not every 30 s.
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "300",
        },
    )
    server.start()
    request.addfinalizer(server.stop)
    return server


def pytest_sessionfinish(session, exitstatus):
    if not os.environ.get("MODELHUB_KEEP_TEST_DIR"):
        shutil.rmtree(RUN_DIR, ignore_errors=True)


def unique_name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"
