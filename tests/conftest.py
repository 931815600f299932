"""Shared fixtures: real servers (started once per run, on demand) and store fixtures per backend.

Every contract suite takes a store fixture parametrised over all backends, so one test body
checks that the embedded store and the server-backed store behave the same.
"""

from __future__ import annotations

import importlib
import os
import shutil
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


def pytest_sessionfinish(session, exitstatus):
    if not os.environ.get("MODELHUB_KEEP_TEST_DIR"):
        shutil.rmtree(RUN_DIR, ignore_errors=True)


def unique_name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"
