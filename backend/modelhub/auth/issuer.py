"""The built-in issuer of the embedded mode: an RS256 key pair kept in the data directory,
JWKS and discovery served by the API, and tokens shaped like Keycloak's (`realm_access.roles`,
`preferred_username`, `groups`), so one verification path serves both.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from modelhub.auth.tokens import ALGORITHM
from modelhub.errors import Unauthorized


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return key


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    """The signing key of the data dir. Several workers may start at once on an empty data dir:
    the key is written under a temporary name and linked into place, so exactly one wins and
    every worker then uses the winner's key."""
    if path.exists():
        return _load_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    try:
        os.link(tmp, path)  # fails when another worker got there first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return _load_key(path)


class BuiltinIssuer:
    def __init__(self, key_path: Path, issuer: str, audience: str, access_ttl_s: int, refresh_ttl_s: int):
        self.private_key = _load_or_create_key(key_path)
        self.public_key = self.private_key.public_key()
        der = self.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).decode().rstrip("=")
        self.issuer = issuer
        self.audience = audience
        self.access_ttl_s = access_ttl_s
        self.refresh_ttl_s = refresh_ttl_s

    # KeySource for the verifier: the same key the tokens were signed with.
    def key_for(self, kid: str | None):
        if kid != self.kid:
            raise Unauthorized("the token was signed by an unknown key")
        return self.public_key

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})

    def issue(
        self,
        subject: str,
        username: str,
        roles: list[str],
        groups: list[str] | None = None,
        name: str | None = None,
        email: str | None = None,
        service: bool = False,
        with_refresh: bool = True,
    ) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + self.access_ttl_s,
            "jti": uuid.uuid4().hex,
            "typ": "Bearer",
            "preferred_username": username,
            "realm_access": {"roles": sorted(roles)},
            "groups": sorted(groups or []),
        }
        if name:
            claims["name"] = name
        if email:
            claims["email"] = email
        if service:
            claims["service"] = True
        answer: dict[str, Any] = {
            "access_token": self._sign(claims),
            "token_type": "bearer",
            "expires_in": self.access_ttl_s,
        }
        if with_refresh:
            refresh = {
                "iss": self.issuer,
                "aud": self.audience,
                "sub": subject,
                "iat": now,
                "exp": now + self.refresh_ttl_s,
                "jti": uuid.uuid4().hex,
                "typ": "Refresh",
            }
            answer["refresh_token"] = self._sign(refresh)
            answer["refresh_expires_in"] = self.refresh_ttl_s
        return answer

    def refresh_subject(self, token: str) -> str:
        """The subject of a valid refresh token (signature, expiry, issuer, audience, type)."""
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "typ"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the refresh token is not valid: {exc}") from exc
        if claims["typ"] != "Refresh":
            raise Unauthorized("this is not a refresh token")
        return claims["sub"]

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key, as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/jwks",
            "token_endpoint": f"{self.issuer}/token",
            "grant_types_supported": ["password", "refresh_token", "client_credentials"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        }


def load_or_create_secret(path: Path) -> str:
    """A generated secret kept (0600) in the data dir, for the local service credential."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret)
    return secret
