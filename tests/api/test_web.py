"""The built UI is served at `/` with a single-page-app fallback that never hides the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from modelhub.app import create_app
from modelhub.config import Settings


@pytest.fixture
def web_client(tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>ModelHub UI</html>")
    (dist / "assets" / "app-1a2b.js").write_text("console.log('ui')")
    (tmp_path / "secret.txt").write_text("not for the web")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", web_dir=dist)
    with TestClient(create_app(settings)) as client:
        yield client


def test_index_and_spa_routes(web_client):
    for path in ("/", "/models/churn", "/executions"):
        response = web_client.get(path)
        assert response.status_code == 200 and "ModelHub UI" in response.text
        assert response.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_good(web_client):
    response = web_client.get("/assets/app-1a2b.js")
    assert response.status_code == 200 and "immutable" in response.headers["cache-control"]
    assert web_client.get("/assets/app-old.js").status_code == 404


def test_api_paths_keep_their_json_errors(web_client):
    response = web_client.get("/api/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert web_client.delete("/api/health").status_code == 405
    assert web_client.get("/api/health").json()["status"] == "ok"


def test_no_file_outside_the_build(web_client):
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        response = web_client.get(path)
        assert "not for the web" not in response.text


def test_no_ui_without_a_build(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", web_dir=tmp_path / "missing")
    with TestClient(create_app(settings)) as client:
        assert client.get("/").status_code == 404
