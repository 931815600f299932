"""Bearer-token verification, the same path for Keycloak and the built-in issuer.

RS256 only (`alg` pinned, so `none` and HMAC confusion are refused), signature against the
issuer's JWKS, then `exp`/`nbf`/`iss`/`aud`. Keycloak's keys are found through its discovery
document and cached; an unknown `kid` triggers one refresh (at most every few seconds, with a
timeout), so a key rotation is picked up without a restart and a flood of forged kids cannot
hammer the provider. A token that passed is remembered for a minute (while it has not expired):
checking an RS256 signature costs ~0.7 ms of CPU, on every request of every client.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import jwt
from cachetools import TTLCache

from modelhub.auth.permissions import Permission, Role, permissions_for
from modelhub.errors import DependencyUnavailable, Unauthorized

ALGORITHM = "RS256"
VERIFIED_TOKENS_TTL_S = 60
VERIFIED_TOKENS_MAX = 4096


@dataclass(frozen=True)
class Principal:
    subject: str
    username: str
    roles: frozenset[str]
    groups: tuple[str, ...] = ()
    name: str | None = None
    email: str | None = None
    is_service: bool = False
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    def can(self, permission: Permission) -> bool:
        return permission is Permission.public or permission in self.permissions


class KeySource(Protocol):
    def key_for(self, kid: str | None) -> Any: ...


class RemoteJWKS:
    """Keys of an OpenID provider, discovered from `<issuer>/.well-known/openid-configuration`."""

    min_refresh_interval_s = 5.0

    def __init__(self, issuer: str, timeout_s: float = 3.0):
        self.issuer = issuer
        self.timeout_s = timeout_s
        self._keys: dict[str, Any] = {}
        self._jwks_uri: str | None = None
        self._last_refresh = 0.0
        self._lock = threading.Lock()

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=self.timeout_s)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DependencyUnavailable("identity", f"identity provider unavailable: {exc}") from exc

    def refresh(self) -> None:
        if self._jwks_uri is None:
            discovery = self._fetch(f"{self.issuer}/.well-known/openid-configuration")
            self._jwks_uri = discovery["jwks_uri"]
        jwks = self._fetch(self._jwks_uri)
        keys = {}
        for data in jwks.get("keys", []):
            if data.get("kty") == "RSA" and data.get("use", "sig") == "sig" and data.get("alg", ALGORITHM) == ALGORITHM:
                keys[data.get("kid")] = jwt.PyJWK(data, ALGORITHM).key
        self._keys = keys
        self._last_refresh = time.monotonic()

    def key_for(self, kid: str | None) -> Any:
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            key = self._keys.get(kid)
            if key is None and time.monotonic() - self._last_refresh >= self.min_refresh_interval_s:
                self.refresh()
                key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("the token was signed by an unknown key")
        return key

    def ping(self) -> None:
        self._fetch(f"{self.issuer}/.well-known/openid-configuration")


class TokenVerifier:
    def __init__(self, keys: KeySource, issuer: str, audience: str, leeway_s: int = 30):
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        self._verified: TTLCache[str, Principal] = TTLCache(VERIFIED_TOKENS_MAX, VERIFIED_TOKENS_TTL_S)
        self._lock = threading.Lock()  # TTLCache is not thread-safe

    def claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("the token is malformed") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthorized(f"token algorithm {header.get('alg')!r} is not accepted")
        key = self.keys.key_for(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "iss", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthorized("the token is not meant for this API (audience)") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized("the token comes from another issuer") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the token is not valid: {exc}") from exc
        if claims.get("typ", "Bearer") != "Bearer":
            raise Unauthorized("only access tokens are accepted here")
        return claims

    def cached(self, token: str) -> Principal | None:
        """The principal of a token verified in the last minute, unless it has expired since."""
        with self._lock:
            principal = self._verified.get(token)
        if principal is None or principal.claims["exp"] + self.leeway_s <= time.time():
            return None  # an expired one goes through verify() again, which says so
        return principal

    def verify(self, token: str) -> Principal:
        principal = self.cached(token)
        if principal is None:
            principal = principal_from_claims(self.claims(token))
            with self._lock:
                self._verified[token] = principal
        return principal


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    # Only ModelHub's roles: Keycloak adds its own (default-roles-<realm>, offline_access, ...).
    roles = frozenset(r for r in (claims.get("realm_access") or {}).get("roles") or () if r in Role.__members__)
    username = claims.get("preferred_username") or claims["sub"]
    groups = tuple(g.strip("/") for g in claims.get("groups") or ())
    return Principal(
        subject=claims["sub"],
        username=username,
        roles=roles,
        groups=groups,
        name=claims.get("name"),
        email=claims.get("email"),
        is_service=bool(claims.get("service")) or username.startswith("service-account-"),
        claims=claims,
    )
