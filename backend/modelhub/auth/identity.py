"""Who is who: the verifier, the optional built-in issuer, the user directory and the service
credential, assembled from settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from modelhub.auth.issuer import BuiltinIssuer, load_or_create_secret
from modelhub.auth.throttle import LoginThrottle
from modelhub.auth.tokens import RemoteJWKS, TokenVerifier
from modelhub.config import Profile, Settings
from modelhub.stores.metadata import MetadataStore
from modelhub.users.directory import KeycloakUserDirectory, LocalUserDirectory, UserDirectory

DEMO_USERS = [
    ("admin", "admin123", "Ada", "Admin", ["admin"], []),
    ("datascientist", "password123", "Dana", "Scientist", ["data_scientist"], ["marketing"]),
    ("business", "password123", "Bruno", "Business", ["business_user"], ["sales"]),
    ("viewer", "password123", "Vera", "Viewer", ["viewer"], []),
]


@dataclass
class Identity:
    settings: Settings
    verifier: TokenVerifier
    users: UserDirectory
    issuer: BuiltinIssuer | None = None
    remote_keys: RemoteJWKS | None = None
    service_secret: str = ""
    throttle: LoginThrottle = field(default_factory=LoginThrottle)

    @classmethod
    def from_settings(cls, settings: Settings, metadata: MetadataStore) -> Identity:
        if settings.builtin_issuer:
            issuer = BuiltinIssuer(
                settings.data_dir / "auth" / "signing-key.pem",
                settings.issuer_url,
                settings.auth_audience,
                settings.access_token_ttl_s,
                settings.refresh_token_ttl_s,
            )
            secret = settings.service_client_secret.get_secret_value() or load_or_create_secret(
                settings.data_dir / "auth" / "service-client-secret"
            )
            return cls(
                settings,
                TokenVerifier(issuer, settings.issuer_url, settings.auth_audience, settings.auth_clock_skew_s),
                LocalUserDirectory(metadata),
                issuer=issuer,
                service_secret=secret,
            )
        remote = RemoteJWKS(settings.auth_issuer, settings.auth_timeout_s)
        users = KeycloakUserDirectory(
            settings.auth_issuer,
            settings.keycloak_admin_client_id,
            settings.keycloak_admin_client_secret.get_secret_value(),
            settings.auth_timeout_s,
        )
        return cls(
            settings,
            TokenVerifier(remote, settings.issuer_url, settings.auth_audience, settings.auth_clock_skew_s),
            users,
            remote_keys=remote,
        )

    def check_service_secret(self, client_id: str, client_secret: str) -> bool:
        return client_id == self.settings.service_client_id and secrets.compare_digest(
            client_secret.encode(), self.service_secret.encode()
        )

    def seed_demo_users(self) -> None:
        """The four documented demo users, only in the local profile with the built-in issuer."""
        if not (isinstance(self.users, LocalUserDirectory) and self.settings.demo_users):
            return
        if self.settings.profile is not Profile.local:
            return
        for username, password, first, last, roles, groups in DEMO_USERS:
            if self.users.by_username(username) is None:
                self.users.create(
                    {
                        "username": username,
                        "password": password,
                        "first_name": first,
                        "last_name": last,
                        "email": f"{username}@modelhub.local",
                        "roles": roles,
                        "groups": groups,
                    }
                )

    def ping(self) -> None:
        if self.remote_keys is not None:
            self.remote_keys.ping()
