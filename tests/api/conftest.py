from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from modelhub.app import create_app
from modelhub.config import Settings

ROLE_USERS = {
    "admin": ("admin", "admin123"),
    "data_scientist": ("datascientist", "password123"),
    "business_user": ("business", "password123"),
    "viewer": ("viewer", "password123"),
}


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data")


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
