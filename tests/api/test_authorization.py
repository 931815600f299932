"""Walks EVERY route of the app: no token, each role, and forged or broken tokens.

Routes are enumerated from the app itself, so a new route that forgets its permission, or a
permission the matrix does not expect, fails here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.routing import APIRoute

from modelhub.auth.dependencies import PermissionCheck
from modelhub.auth.permissions import ROLE_PERMISSIONS, Permission, Role


def route_permission(route: APIRoute) -> set[Permission]:
    found: set[Permission] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if isinstance(dependency.call, PermissionCheck):
            found.add(dependency.call.permission)
        stack.extend(dependency.dependencies)
    return found


class IncludedRoute:
    """A route of an included router, seen with its full path (the rest comes from the route)."""

    def __init__(self, path: str, route: APIRoute):
        self.path = path
        self._route = route

    def __getattr__(self, name):
        return getattr(self._route, name)


def flat_routes(routes, prefix: str = ""):
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # newer FastAPI keeps included routers as one lazy entry each
            yield from flat_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield IncludedRoute(prefix + route.path, route) if prefix else route


def api_routes(app):
    found = 0
    for route in flat_routes(app.routes):
        if route.path.startswith("/api"):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                found += 1
                yield route, method
    assert found > 10, "the route walk found (almost) no routes: it would check nothing"


def call(client, route: APIRoute, method: str, headers: dict[str, str] | None = None):
    path = route.path
    for name in route.param_convertors:
        path = path.replace("{" + name + "}", "does-not-exist")
    kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return client.request(method, path, headers=headers or {}, **kwargs)


def test_every_route_declares_exactly_one_permission(client):
    missing = [f"{m} {r.path}" for r, m in api_routes(client.app) if len(route_permission(r)) != 1]
    assert not missing, f"routes without exactly one require(...): {missing}"


def test_every_route_without_a_token(client):
    for route, method in api_routes(client.app):
        (permission,) = route_permission(route)
        response = call(client, route, method)
        if permission is Permission.public:
            assert response.status_code not in (401, 403), f"{method} {route.path}"
        else:
            assert response.status_code == 401, f"{method} {route.path}: {response.status_code}"
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_route_for_each_role(client, as_role, role):
    for route, method in api_routes(client.app):
        (permission,) = route_permission(route)
        response = call(client, route, method, as_role(role))
        allowed = permission is Permission.public or permission in ROLE_PERMISSIONS[Role(role)]
        if allowed:
            assert response.status_code not in (401, 403), f"{role} {method} {route.path}: {response.text}"
            assert response.status_code < 500, f"{role} {method} {route.path}: {response.text}"
        else:
            assert response.status_code == 403, f"{role} {method} {route.path}: {response.status_code}"
            assert response.json()["error"]["details"]["required_permission"] == permission.value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def hs256_signed_with(secret: bytes, claims: dict, kid: str) -> str:
    """The classic algorithm-confusion forgery: HMAC keyed with the issuer's public key."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def forged_tokens(client, valid: str) -> dict[str, str]:
    claims = jwt.decode(valid, options={"verify_signature": False})
    kid = jwt.get_unverified_header(valid)["kid"]
    issuer = client.app.state.context.identity.issuer
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = issuer.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    now = int(time.time())
    return {
        "expired": issuer._sign({**claims, "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}),
        "not yet valid": issuer._sign({**claims, "nbf": now + 3600}),
        "other key": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid}),
        "unknown kid": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "rotated-away"}),
        "wrong issuer": issuer._sign({**claims, "iss": "https://evil.example.com/realms/modelhub"}),
        "wrong audience": issuer._sign({**claims, "aud": "another-api"}),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "hmac with the public key": hs256_signed_with(public_pem, claims, kid),
        "garbage": "not.a.token",
    }


def test_forged_and_broken_tokens_are_refused_on_every_route(client, tokens):
    for label, token in forged_tokens(client, tokens["admin"]).items():
        for route, method in api_routes(client.app):
            (permission,) = route_permission(route)
            if permission is Permission.public:
                continue
            response = call(client, route, method, {"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, f"{label}: {method} {route.path} -> {response.status_code}"
