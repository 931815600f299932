"""Stop each real server under a running app: 503 naming it, no hang, and recovery without restart."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.servers

HANG_LIMIT_S = 20  # far above the 2 s dependency timeout; only catches a request that hangs


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def wait_until_ready(app, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.http.get("/api/health/ready").status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError(f"not ready again: {app.http.get('/api/health/ready').text}")


@pytest.mark.parametrize("component", ["metadata", "objects", "metrics"])
def test_a_stopped_server_answers_503_and_comes_back(served_app, request, component):
    server = request.getfixturevalue({"metadata": "ferretdb", "objects": "minio", "metrics": "postgres"}[component])
    admin = served_app.login("admin", "admin123")
    assert served_app.http.get("/api/health/ready").status_code == 200
    server.stop()
    try:
        response, elapsed = timed(lambda: served_app.http.get("/api/health/ready"))
        assert response.status_code == 503 and elapsed < HANG_LIMIT_S
        components = response.json()["components"]
        assert components[component]["status"] == "unavailable"
        assert all(c["status"] == "ok" for name, c in components.items() if name != component)
        assert served_app.http.get("/api/health").status_code == 200  # liveness does not need it
        if component == "metadata":
            for call in (
                lambda: served_app.http.get("/api/users", headers=admin),
                lambda: served_app.http.post("/api/auth/token", data={"username": "admin", "password": "admin123"}),
            ):
                response, elapsed = timed(call)
                assert response.status_code == 503 and elapsed < HANG_LIMIT_S, response.text
                assert response.json()["error"]["details"]["component"] == "metadata"
        else:  # requests that do not need the stopped server keep working
            assert served_app.http.get("/api/users", headers=admin).status_code == 200
    finally:
        server.start()
    wait_until_ready(served_app)
    assert served_app.http.get("/api/users", headers=admin).status_code == 200
