"""Where users live: the metadata store (built-in issuer) or Keycloak's admin API.

Both directories answer with the same plain dicts (`id`, `username`, names, `email`, `roles`,
`groups`, `disabled`, `created_at`); the service on top audits every change.
"""

from __future__ import annotations

from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from modelhub.errors import DependencyUnavailable, DuplicateKey, NotFound
from modelhub.stores.metadata import Index, MetadataStore, Page
from modelhub.timeutil import iso

PUBLIC_FIELDS = ("username", "first_name", "last_name", "email", "roles", "groups", "disabled", "created_at")


class UserDirectory(Protocol):
    def list(self, q: str | None, role: str | None, limit: int, cursor: str | None) -> Page: ...
    def get(self, user_id: str) -> dict[str, Any]: ...
    def create(self, data: dict[str, Any]) -> dict[str, Any]: ...
    def update(self, user_id: str, changes: dict[str, Any]) -> dict[str, Any]: ...


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: doc.get(k) for k in PUBLIC_FIELDS if k in doc}}


class LocalUserDirectory:
    collection = "users"

    def __init__(self, metadata: MetadataStore):
        self.metadata = metadata
        # OWASP's argon2id baseline (19 MiB, 2 passes): strong, and fast enough for a login burst.
        self.hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
        metadata.register(self.collection, [Index(("username_key",), unique=True), Index(("roles",), multikey=True)])
        self._dummy_hash: str | None = None

    def list(self, q: str | None, role: str | None, limit: int, cursor: str | None) -> Page:
        flt: dict[str, Any] = {}
        if q:
            flt["$or"] = [{"username_key": {"$contains": q}}, {"email": {"$contains": q}}]
        if role:
            flt["roles"] = role
        page = self.metadata.find(
            self.collection, flt, sort=[("username_key", 1)], limit=limit, cursor=cursor, with_total=True
        )
        page.items = [public(doc) for doc in page.items]
        return page

    def _doc(self, user_id: str) -> dict[str, Any]:
        doc = self.metadata.get(self.collection, user_id)
        if doc is None:
            raise NotFound(f"user {user_id} not found")
        return doc

    def get(self, user_id: str) -> dict[str, Any]:
        return public(self._doc(user_id))

    def by_username(self, username: str) -> dict[str, Any] | None:
        return self.metadata.find_one(self.collection, {"username_key": username.lower()})

    def create(self, data: dict[str, Any]) -> dict[str, Any]:
        doc = {k: v for k, v in data.items() if k != "password"}
        doc.update(
            username_key=data["username"].lower(),
            password_hash=self.hasher.hash(data["password"]),
            disabled=bool(data.get("disabled", False)),
            groups=list(data.get("groups") or []),
            created_at=iso(),
        )
        try:
            return public(self.metadata.insert(self.collection, doc))
        except DuplicateKey as exc:
            raise DuplicateKey(
                f"a user named {data['username']!r} already exists", details={"field": "username"}
            ) from exc

    def update(self, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        self._doc(user_id)
        changes = dict(changes)
        if changes.get("password"):
            changes["password_hash"] = self.hasher.hash(changes.pop("password"))
        changes.pop("password", None)
        return public(self.metadata.update(self.collection, user_id, changes))

    def authenticate(self, username: str, password: str) -> dict[str, Any] | None:
        doc = self.by_username(username)
        if doc is None and self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("not-a-real-password")
        try:
            # Verifying against a dummy hash for unknown users keeps the timing the same.
            self.hasher.verify(doc["password_hash"] if doc else self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if doc is None or doc.get("disabled"):
            return None
        return public(doc)


class KeycloakUserDirectory:
    """Users of a Keycloak realm through python-keycloak, authenticated as a service-account client."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, timeout_s: float):
        from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

        server_url, _, realm = issuer.partition("/realms/")
        connection = KeycloakOpenIDConnection(
            server_url=server_url + "/",
            realm_name=realm,
            client_id=client_id,
            client_secret_key=client_secret,
            timeout=int(max(1, timeout_s)),
            verify=True,
        )
        self.admin = KeycloakAdmin(connection=connection)

    def _call(self, work):
        from keycloak.exceptions import KeycloakError

        try:
            return work()
        except KeycloakError as exc:
            status = getattr(exc, "response_code", None)
            if status == 404:
                raise NotFound("user not found") from exc
            if status == 409:
                raise DuplicateKey(
                    "a user with this username or e-mail already exists", details={"field": "username"}
                ) from exc
            raise DependencyUnavailable("identity", f"Keycloak admin API: {exc}") from exc
        except OSError as exc:
            raise DependencyUnavailable("identity", f"Keycloak unreachable: {exc}") from exc

    def _public(self, user: dict[str, Any]) -> dict[str, Any]:
        roles = self._call(lambda: self.admin.get_realm_roles_of_user(user["id"]))
        groups = self._call(lambda: self.admin.get_user_groups(user["id"]))
        created = user.get("createdTimestamp")
        return {
            "id": user["id"],
            "username": user["username"],
            "first_name": user.get("firstName"),
            "last_name": user.get("lastName"),
            "email": user.get("email"),
            "roles": sorted(r["name"] for r in roles if r["name"] in ROLE_NAMES),
            "groups": sorted(g["name"] for g in groups),
            "disabled": not user.get("enabled", True),
            "created_at": iso(_from_millis(created)) if created else None,
        }

    def list(self, q: str | None, role: str | None, limit: int, cursor: str | None) -> Page:
        first = int(cursor) if cursor and cursor.isdigit() else 0
        if role:
            members = self._call(lambda: self.admin.get_realm_role_members(role, query={"first": 0, "max": 10000}))
            members = [m for m in members if not q or q.lower() in (m["username"] + (m.get("email") or "")).lower()]
            members = [m for m in members if not m["username"].startswith("service-account-")]
            total, users = len(members), members[first : first + limit]
        else:
            query = {"first": first, "max": limit, "briefRepresentation": False}
            if q:
                query["search"] = q
            users = self._call(lambda: self.admin.get_users(query))
            total = self._call(lambda: self.admin.users_count({"search": q} if q else {}))
        items = [self._public(u) for u in users]
        next_cursor = str(first + limit) if first + limit < total else None
        return Page(items, next_cursor, total)

    def get(self, user_id: str) -> dict[str, Any]:
        return self._public(self._call(lambda: self.admin.get_user(user_id)))

    def create(self, data: dict[str, Any]) -> dict[str, Any]:
        payload = {
            "username": data["username"],
            "email": data["email"],
            "firstName": data["first_name"],
            "lastName": data["last_name"],
            "enabled": True,
            "emailVerified": True,
            "credentials": [{"type": "password", "value": data["password"], "temporary": False}],
        }
        user_id = self._call(lambda: self.admin.create_user(payload, exist_ok=False))
        self._set_roles(user_id, [str(r) for r in data["roles"]])
        self._set_groups(user_id, data.get("groups") or [])
        return self.get(user_id)

    def update(self, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        payload = {}
        for ours, theirs in (("email", "email"), ("first_name", "firstName"), ("last_name", "lastName")):
            if changes.get(ours) is not None:
                payload[theirs] = changes[ours]
        if changes.get("disabled") is not None:
            payload["enabled"] = not changes["disabled"]
        if payload:
            self._call(lambda: self.admin.update_user(user_id, payload))
        if changes.get("password"):
            self._call(lambda: self.admin.set_user_password(user_id, changes["password"], temporary=False))
        if changes.get("roles") is not None:
            self._set_roles(user_id, [str(r) for r in changes["roles"]])
        if changes.get("groups") is not None:
            self._set_groups(user_id, changes["groups"])
        return self.get(user_id)

    def _set_roles(self, user_id: str, roles: list[str]) -> None:
        current = [
            r for r in self._call(lambda: self.admin.get_realm_roles_of_user(user_id)) if r["name"] in ROLE_NAMES
        ]
        remove = [r for r in current if r["name"] not in roles]
        if remove:
            self._call(lambda: self.admin.delete_realm_roles_of_user(user_id, remove))
        wanted = [self._call(lambda name=name: self.admin.get_realm_role(name)) for name in roles]
        self._call(lambda: self.admin.assign_realm_roles(user_id, wanted))

    def _set_groups(self, user_id: str, groups: list[str]) -> None:
        current = {g["name"]: g["id"] for g in self._call(lambda: self.admin.get_user_groups(user_id))}
        for name, group_id in current.items():
            if name not in groups:
                self._call(lambda group_id=group_id: self.admin.group_user_remove(user_id, group_id))
        for name in groups:
            if name not in current:
                group = self._call(lambda name=name: self.admin.get_group_by_path(f"/{name}"))
                self._call(lambda group=group: self.admin.group_user_add(user_id, group["id"]))


ROLE_NAMES = {"admin", "data_scientist", "business_user", "viewer"}


def _from_millis(value: int):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(value / 1000, UTC)
