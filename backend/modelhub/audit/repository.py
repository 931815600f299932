"""The audit log: who changed what, when, with the record before and after the change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from modelhub.auth.tokens import Principal
from modelhub.stores.metadata import Index, MetadataStore, Page
from modelhub.timeutil import iso

COLLECTION = "audit"
INDEXES = [Index(("at",)), Index(("actor",)), Index(("entity_type",)), Index(("entity_id",)), Index(("action",))]
HIDDEN_FIELDS = {"password", "password_hash", "_version"}


def _clean(record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {k: v for k, v in record.items() if k not in HIDDEN_FIELDS}


class AuditLog:
    def __init__(self, metadata: MetadataStore):
        self.metadata = metadata
        metadata.register(COLLECTION, INDEXES)

    def record(
        self,
        actor: Principal | None,
        action: str,
        entity_type: str,
        entity_id: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        entry = {
            "at": iso(),
            "actor": actor.username if actor else "system",
            "actor_id": actor.subject if actor else None,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "before": _clean(before),
            "after": _clean(after),
            "request_id": structlog.contextvars.get_contextvars().get("request_id"),
        }
        return self.metadata.insert(COLLECTION, entry)

    def search(
        self,
        actor: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        action: str | Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        flt: dict[str, Any] = {}
        for name, value in (("actor", actor), ("entity_type", entity_type), ("entity_id", entity_id)):
            if value:
                flt[name] = value
        if isinstance(action, str):
            flt["action"] = action
        elif action:
            flt["action"] = {"$in": list(action)}
        if since or until:
            flt["at"] = {**({"$gte": since} if since else {}), **({"$lt": until} if until else {})}
        return self.metadata.find(COLLECTION, flt, sort=[("at", -1)], limit=limit, cursor=cursor, with_total=True)
