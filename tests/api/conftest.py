from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from modelhub.app import create_app
from modelhub.config import Settings
from tests.conftest import unique_name

ROLE_USERS = {
    "admin": ("admin", "admin123"),
    "data_scientist": ("datascientist", "password123"),
    "business_user": ("business", "password123"),
    "viewer": ("viewer", "password123"),
}


# No Airflow listens there: API tests see the orchestrator down (tests/integration has a real one).
AIRFLOW_DOWN = "http://127.0.0.1:9"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        dags_dir=tmp_path / "dags" / "generated",
        airflow_url=AIRFLOW_DOWN,
        orchestrator_sync_interval_s=0,
        dag_visible_wait_s=0,
    )


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str) -> str:
    response = client.post("/api/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def tokens(client) -> dict[str, str]:
    """An access token per role, from the built-in issuer."""
    return {role: login(client, *credentials) for role, credentials in ROLE_USERS.items()}


@pytest.fixture
def as_role(client, tokens):
    def headers(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    return headers


# -- the registry API on both metadata backends and both object backends ----------------------
REGISTRY_UPLOAD_LIMIT = 64 * 1024  # tiny, so over-limit uploads stay fast


@dataclass
class Registry:
    """A served app on one (metadata, objects) pair, with a token per role."""

    backend: str
    client: TestClient
    tokens: dict[str, str]

    @property
    def context(self):
        return self.client.app.state.context

    def as_role(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def object_keys(self) -> set[str]:
        """Every stored object, also the S3 store's staging keys and the local store's temp files."""
        store = self.context.objects
        if hasattr(store, "client"):
            store.ensure_bucket()
            return {o.object_name for o in store.client.list_objects(store.bucket, prefix=store.prefix, recursive=True)}
        return {str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file()}


@pytest.fixture(scope="session", params=["sqlite+local", "mongodb+s3"])
def registry(request, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("registry")
    limits = {
        "max_model_upload_bytes": REGISTRY_UPLOAD_LIMIT,
        "max_dataset_upload_bytes": REGISTRY_UPLOAD_LIMIT,
        "access_token_ttl_s": 3600,
    }
    if request.param == "sqlite+local":
        settings = Settings(_env_file=None, data_dir=data_dir, **limits)
    else:
        ferretdb, minio = request.getfixturevalue("ferretdb"), request.getfixturevalue("minio")
        settings = Settings(
            _env_file=None,
            data_dir=data_dir,
            metadata_uri=ferretdb.uri.rstrip("/") + "/" + unique_name("registry_"),
            objects_uri=f"s3://{unique_name('registry-')}/objects",
            s3_endpoint=minio.endpoint,
            s3_access_key=minio.access_key,
            s3_secret_key=minio.secret_key,
            **limits,
        )
    with TestClient(create_app(settings)) as client:
        tokens = {role: login(client, *credentials) for role, credentials in ROLE_USERS.items()}
        yield Registry(request.param, client, tokens)
        metadata = client.app.state.context.metadata
        if hasattr(metadata, "drop_database"):
            metadata.drop_database()


def error_field(response) -> str | None:
    """The field an error names, whether details is {"field": …} or a list of validation errors."""
    details = response.json()["error"]["details"]
    if isinstance(details, list):
        return details[0]["field"] if details else None
    return (details or {}).get("field")
