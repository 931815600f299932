"""User administration with an audit entry for every change."""

from __future__ import annotations

from typing import Any

from modelhub.audit.repository import AuditLog
from modelhub.auth.tokens import Principal
from modelhub.errors import BadRequest
from modelhub.users.directory import UserDirectory
from modelhub.users.schemas import UserCreate, UserUpdate


class UsersService:
    def __init__(self, directory: UserDirectory, audit: AuditLog):
        self.directory = directory
        self.audit = audit

    def create(self, actor: Principal, data: UserCreate) -> dict[str, Any]:
        payload = data.model_dump()
        payload["roles"] = [str(r) for r in data.roles]
        user = self.directory.create(payload)
        self.audit.record(actor, "user.create", "user", user["id"], None, user)
        return user

    def update(self, actor: Principal, user_id: str, data: UserUpdate) -> dict[str, Any]:
        changes = data.model_dump(exclude_unset=True)
        if not changes:
            raise BadRequest("nothing to change", details={"field": "body"})
        if "roles" in changes and changes["roles"] is not None:
            changes["roles"] = [str(r) for r in changes["roles"]]
        if user_id == actor.subject and (
            changes.get("disabled") or ("roles" in changes and "admin" not in changes["roles"])
        ):
            raise BadRequest("you cannot disable yourself or remove your own admin role", details={"field": "roles"})
        before = self.directory.get(user_id)
        after = self.directory.update(user_id, changes)
        action = "user.disable" if changes.get("disabled") else "user.roles" if "roles" in changes else "user.update"
        self.audit.record(actor, action, "user", user_id, before, after)
        return after
