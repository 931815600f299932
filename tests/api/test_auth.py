"""The built-in issuer: login, refresh, service credential, throttling, discovery, /me."""

from __future__ import annotations

import time

import jwt

from tests.api.conftest import login


def test_password_login_returns_a_bearer_token(client):
    response = client.post("/api/auth/token", data={"username": "admin", "password": "admin123"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900 and body["refresh_token"]
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["realm_access"]["roles"] == ["admin"] and claims["aud"] == "modelhub-api"


def test_me_lists_roles_and_permissions(client, as_role):
    me = client.get("/api/auth/me", headers=as_role("business_user")).json()
    assert me["username"] == "business" and me["roles"] == ["business_user"]
    assert "trigger_executions" in me["permissions"] and "edit_models" not in me["permissions"]
    assert me["groups"] == ["sales"]


def test_wrong_password_is_401_and_then_throttled(client):
    for _ in range(5):
        response = client.post("/api/auth/token", data={"username": "viewer", "password": "wrong-password"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    response = client.post("/api/auth/token", data={"username": "viewer", "password": "wrong-password"})
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    # even the right password waits until the delay is over
    assert client.post("/api/auth/token", data={"username": "viewer", "password": "password123"}).status_code == 429
    # other users are not affected
    assert login(client, "business", "password123")


def test_unknown_user_and_missing_fields(client):
    assert client.post("/api/auth/token", data={"username": "ghost", "password": "whatever1"}).status_code == 401
    response = client.post("/api/auth/token", data={"username": "admin"})
    assert response.status_code == 400 and response.json()["error"]["details"]["field"] == "password"
    response = client.post("/api/auth/token", data={"grant_type": "magic", "username": "a", "password": "b"})
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "grant_type"


def test_refresh_gives_a_new_access_token_and_refuses_access_tokens(client):
    body = client.post("/api/auth/token", data={"username": "datascientist", "password": "password123"}).json()
    refreshed = client.post(
        "/api/auth/token", data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    )
    assert refreshed.status_code == 200
    headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert client.get("/api/auth/me", headers=headers).json()["username"] == "datascientist"
    wrong = client.post("/api/auth/token", data={"grant_type": "refresh_token", "refresh_token": body["access_token"]})
    assert wrong.status_code == 401
    # a refresh token is not an access token
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['refresh_token']}"}).status_code == 401


def test_service_credential_for_pipelines(client):
    secret = client.app.state.context.identity.service_secret
    response = client.post(
        "/api/auth/token",
        data={"grant_type": "client_credentials", "client_id": "modelhub-pipelines", "client_secret": secret},
    )
    assert response.status_code == 200 and "refresh_token" not in response.json()
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}).json()
    assert me["is_service"] and me["roles"] == ["data_scientist"]
    bad = client.post(
        "/api/auth/token",
        data={"grant_type": "client_credentials", "client_id": "modelhub-pipelines", "client_secret": "nope"},
    )
    assert bad.status_code == 401


def test_discovery_and_jwks_verify_issued_tokens(client):
    discovery = client.get("/api/auth/.well-known/openid-configuration").json()
    assert discovery["issuer"].endswith("/api/auth") and discovery["jwks_uri"].endswith("/api/auth/jwks")
    key = client.get("/api/auth/jwks").json()["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key
    token = login(client, "viewer", "password123")
    claims = jwt.decode(
        token, jwt.PyJWK(key).key, algorithms=["RS256"], audience="modelhub-api", issuer=discovery["issuer"]
    )
    assert claims["preferred_username"] == "viewer"
    config = client.get("/api/auth/config").json()
    assert config["mode"] == "builtin" and config["token_endpoint"].endswith("/api/auth/token")


def test_signing_key_survives_a_restart(settings):
    from fastapi.testclient import TestClient

    from modelhub.app import create_app

    with TestClient(create_app(settings)) as first:
        token = login(first, "admin", "admin123")
    with TestClient(create_app(settings)) as second:
        assert second.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert (settings.data_dir / "auth" / "signing-key.pem").stat().st_mode & 0o077 == 0


def test_demo_users_only_when_enabled(tmp_path):
    from fastapi.testclient import TestClient

    from modelhub.app import create_app
    from modelhub.config import Settings

    with TestClient(create_app(Settings(_env_file=None, data_dir=tmp_path, demo_users=False))) as client:
        response = client.post("/api/auth/token", data={"username": "admin", "password": "admin123"})
        assert response.status_code == 401


def test_workers_starting_together_share_one_signing_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from modelhub.auth.issuer import _load_or_create_key

    path = tmp_path / "auth" / "signing-key.pem"
    with ThreadPoolExecutor(4) as pool:
        keys = list(pool.map(lambda _: _load_or_create_key(path), range(4)))
    numbers = {k.private_numbers().d for k in keys}
    assert len(numbers) == 1 and path.stat().st_mode & 0o077 == 0
    assert [p.name for p in path.parent.iterdir()] == ["signing-key.pem"]


def test_a_verified_token_is_remembered_until_it_expires(client, monkeypatch):
    verifier = client.app.state.context.identity.verifier
    checks = []
    claims = verifier.claims
    monkeypatch.setattr(verifier, "claims", lambda token: checks.append(token) or claims(token))
    token = login(client, "viewer", "password123")
    for _ in range(3):
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert len(checks) == 1  # the signature was checked once

    # a token that expires while remembered is checked again, and refused
    monkeypatch.setattr(verifier, "leeway_s", 0)
    claims_of = jwt.decode(token, options={"verify_signature": False})
    short = client.app.state.context.identity.issuer._sign({**claims_of, "exp": int(time.time()) + 1})
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {short}"}).status_code == 200
    time.sleep(1.5)
    expired = client.get("/api/auth/me", headers={"Authorization": f"Bearer {short}"})
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]
    assert len(checks) == 3
