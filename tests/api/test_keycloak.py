"""The same authorization walk against a real Keycloak 26 with the project's realm file, plus
the users API backed by Keycloak's admin API."""

from __future__ import annotations

import json
import time
import urllib.request

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient

from modelhub.app import create_app
from modelhub.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from modelhub.config import Settings
from tests.api.conftest import ROLE_USERS
from tests.api.test_authorization import api_routes, call, hs256_signed_with, route_permission

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def kc_client(keycloak, tmp_path_factory):
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("keycloak-app"),
        auth_issuer=keycloak.issuer,
        keycloak_admin_client_secret="modelhub-admin-api-secret",
        auth_clock_skew_s=0,
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def kc_tokens(keycloak) -> dict[str, str]:
    return {role: keycloak.token(*credentials) for role, credentials in ROLE_USERS.items()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_keycloak_tokens_carry_roles_groups_and_audience(kc_client, kc_tokens):
    me = kc_client.get("/api/auth/me", headers=bearer(kc_tokens["data_scientist"])).json()
    assert me["username"] == "datascientist" and me["roles"] == ["data_scientist"]
    assert me["groups"] == ["rnd"] and "edit_models" in me["permissions"]
    config = kc_client.get("/api/auth/config").json()
    assert config["mode"] == "oidc" and config["web_client_id"] == "modelhub-web"
    # the built-in token endpoint is off when Keycloak is the issuer
    assert kc_client.post("/api/auth/token", data={"username": "admin", "password": "admin123"}).status_code == 404


def test_pipeline_client_credentials(kc_client, keycloak):
    me = kc_client.get("/api/auth/me", headers=bearer(keycloak.client_credentials_token())).json()
    assert me["is_service"] and me["roles"] == ["data_scientist"]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_route_for_each_keycloak_role(kc_client, kc_tokens, role):
    for route, method in api_routes(kc_client.app):
        (permission,) = route_permission(route)
        response = call(kc_client, route, method, bearer(kc_tokens[role]))
        if permission is Permission.public or permission in ROLE_PERMISSIONS[Role(role)]:
            assert response.status_code not in (401, 403) and response.status_code < 500, (
                f"{role} {method} {route.path}: {response.text}"
            )
        else:
            assert response.status_code == 403, f"{role} {method} {route.path}: {response.status_code}"


def test_every_route_without_a_token(kc_client):
    for route, method in api_routes(kc_client.app):
        (permission,) = route_permission(route)
        if permission is not Permission.public:
            response = call(kc_client, route, method)
            assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def _admin_request(keycloak, method: str, path: str, body=None):
    request = urllib.request.Request(
        f"{keycloak.base_url}/admin/realms/modelhub{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {keycloak.admin_token()}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def expired_keycloak_token(keycloak) -> str:
    """A genuine Keycloak token that expires in a second (client lifespan set to 1 s for a moment)."""
    (web,) = _admin_request(keycloak, "GET", "/clients?clientId=modelhub-web")
    original = dict(web.get("attributes") or {})
    web["attributes"] = {**original, "access.token.lifespan": "1"}
    _admin_request(keycloak, "PUT", f"/clients/{web['id']}", web)
    try:
        token = keycloak.token("viewer", "password123")
    finally:
        web["attributes"] = original | {"access.token.lifespan": original.get("access.token.lifespan", "")}
        _admin_request(keycloak, "PUT", f"/clients/{web['id']}", web)
    time.sleep(2.5)
    return token


def forged_keycloak_tokens(keycloak, valid: str) -> dict[str, str]:
    claims = jwt.decode(valid, options={"verify_signature": False})
    kid = jwt.get_unverified_header(valid)["kid"]
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = json.load(urllib.request.urlopen(keycloak.jwks_uri, timeout=30))
    signing = next(k for k in jwks["keys"] if k["kid"] == kid)
    public_pem = jwt.PyJWK(signing).key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    wrong_host = keycloak.base_url.replace("127.0.0.1", "localhost")
    wrong_issuer = keycloak._post_form(
        f"{wrong_host}/realms/modelhub/protocol/openid-connect/token",
        {"grant_type": "password", "client_id": "modelhub-web", "username": "admin", "password": "admin123"},
    )["access_token"]
    return {
        "expired": expired_keycloak_token(keycloak),
        "other key": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid}),
        "unknown kid": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "no-such-key"}),
        "wrong issuer (real Keycloak token, other host)": wrong_issuer,
        "wrong audience (real Keycloak token, admin-cli)": keycloak.token("admin", "admin123", client_id="admin-cli"),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "hmac with the public key": hs256_signed_with(public_pem, claims, kid),
    }


def test_forged_and_foreign_tokens_are_refused(kc_client, keycloak, kc_tokens):
    for label, token in forged_keycloak_tokens(keycloak, kc_tokens["admin"]).items():
        response = kc_client.get("/api/auth/me", headers=bearer(token))
        assert response.status_code == 401, f"{label}: {response.status_code} {response.text}"
        assert response.headers["www-authenticate"] == "Bearer"


def test_users_api_on_keycloak(kc_client, kc_tokens, keycloak):
    admin = bearer(kc_tokens["admin"])
    body = {
        "username": "kc.newcomer",
        "password": "welcome-42-kc",
        "email": "newcomer@example.com",
        "first_name": "New",
        "last_name": "Comer",
        "roles": ["viewer"],
        "groups": ["hr"],
    }
    created = kc_client.post("/api/users", json=body, headers=admin)
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["roles"] == ["viewer"] and user["groups"] == ["hr"]
    assert kc_client.post("/api/users", json=body, headers=admin).status_code == 409
    listed = kc_client.get("/api/users?q=kc.newcomer", headers=admin).json()
    assert [u["username"] for u in listed["items"]] == ["kc.newcomer"]
    viewers = kc_client.get("/api/users?role=viewer", headers=admin).json()["items"]
    assert {"viewer", "kc.newcomer"} <= {u["username"] for u in viewers}

    changed = kc_client.patch(f"/api/users/{user['id']}", json={"roles": ["business_user"]}, headers=admin)
    assert changed.status_code == 200 and changed.json()["roles"] == ["business_user"]
    me = kc_client.get("/api/auth/me", headers=bearer(keycloak.token("kc.newcomer", "welcome-42-kc"))).json()
    assert me["roles"] == ["business_user"] and me["groups"] == ["hr"]

    assert kc_client.patch(f"/api/users/{user['id']}", json={"disabled": True}, headers=admin).json()["disabled"]
    with pytest.raises(RuntimeError, match=r"401|400"):
        keycloak.token("kc.newcomer", "welcome-42-kc")
    audit = kc_client.get(f"/api/audit?entity_id={user['id']}", headers=admin).json()
    assert [e["action"] for e in audit["items"]] == ["user.disable", "user.roles", "user.create"]
