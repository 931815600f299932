from __future__ import annotations


def test_liveness(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readiness_reports_every_component(client):
    response = client.get("/api/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"metadata", "objects", "metrics", "identity"}
    assert all(c["status"] == "ok" for c in body["components"].values())


def test_readiness_names_the_component_that_is_down(client, monkeypatch):
    from modelhub.errors import DependencyUnavailable

    def down():
        raise DependencyUnavailable("metrics", "connection refused")

    monkeypatch.setattr(client.app.state.context.metrics, "ping", down)
    response = client.get("/api/health/ready")
    assert response.status_code == 503
    components = response.json()["components"]
    assert components["metrics"]["status"] == "unavailable" and components["metrics"]["error"]
    assert components["metadata"]["status"] == "ok"


def test_request_id_is_returned_and_kept(client):
    generated = client.get("/api/health").headers["x-request-id"]
    assert len(generated) == 32
    assert client.get("/api/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"


def test_unknown_route_has_the_error_shape(client):
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = client.post("/api/health")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_openapi_is_served(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "ModelHub API"
    assert "/api/health/ready" in spec["paths"]
