"""The model catalog: create, edit with optimistic concurrency, delete, search and facets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog

from modelhub.audit.repository import AuditLog
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.drift.repository import DriftRepository
from modelhub.errors import BadRequest, Conflict, Forbidden, ModelHubError, StaleVersion, ValidationFailed
from modelhub.models.repository import FACET_FIELDS, INTERNAL_FIELDS, SORTS, ModelRepository
from modelhub.models.schemas import ModelCreate, ModelEventAction, ModelUpdate
from modelhub.stores.metadata import MetadataStore, Page
from modelhub.stores.objects import ObjectStore
from modelhub.timeutil import iso
from modelhub.versions.repository import VersionRepository

log = structlog.get_logger()
DEPLOYMENTS = "deployments"  # written by the deployments domain; a model in use there cannot go
NOT_NULL = ("name", "owner", "framework", "task_type")


def public(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in INTERNAL_FIELDS and not k.startswith("_")}
    out.update(id=doc["_id"], version=doc["_version"], aliases=doc.get("aliases") or {}, tags=doc.get("tags") or [])
    return out


def parse_if_match(value: str | None) -> int | None:
    """`If-Match: "3"` (also W/"3" or 3) → 3; `*` or nothing → no check."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 12:
        raise BadRequest("If-Match must be the model's version, as in its ETag", details={"field": "if-match"})
    return int(text)


def can_delete(actor: Principal, owner: str | None) -> None:
    """Admins delete anything; data scientists (delete_models) only what they own."""
    if actor.can(Permission.delete_any_model):
        return
    if actor.can(Permission.delete_models) and owner == actor.username:
        return
    raise Forbidden(
        f"only the owner ({owner}) or an admin can delete this",
        details={"field": "owner", "owner": owner, "required_permission": Permission.delete_any_model.value},
    )


@dataclass
class ModelFilters:
    q: str | None = None
    department: list[str] = field(default_factory=list)
    geography: list[str] = field(default_factory=list)
    framework: list[str] = field(default_factory=list)
    task_type: list[str] = field(default_factory=list)
    owner: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # all of them

    def to_filter(self, skip: str | None = None) -> dict[str, Any]:
        clauses: list[dict[str, Any]] = []
        if self.q:
            clauses.append({"search_text": {"$contains": self.q.lower()}})
        for name in ("department", "geography", "framework", "task_type", "owner"):
            values = getattr(self, name)
            if values and name != skip:
                clauses.append({name: values[0]} if len(values) == 1 else {name: {"$in": values}})
        if skip != "tags":
            clauses += [{"tags": tag.lower()} for tag in self.tags]
        return {"$and": clauses} if clauses else {}


class ModelsService:
    def __init__(
        self,
        models: ModelRepository,
        versions: VersionRepository,
        objects: ObjectStore,
        metadata: MetadataStore,
        audit: AuditLog,
    ):
        self.models = models
        self.versions = versions
        self.objects = objects
        self.metadata = metadata
        self.audit = audit

    def create(self, actor: Principal, data: ModelCreate) -> dict[str, Any]:
        now = iso()
        doc = data.model_dump(mode="json")
        doc.update(
            owner=data.owner or actor.username,
            tags=doc["tags"] or [],
            aliases={},
            latest_version=None,
            created_at=now,
            updated_at=now,
            created_by=actor.username,
        )
        saved = public(self.models.insert(doc))
        self.audit.record(actor, "model.create", "model", saved["id"], None, saved)
        return saved

    def get(self, ref: str) -> dict[str, Any]:
        return public(self.models.get(ref))

    def history(self, ref: str, actions: list[str], limit: int, cursor: str | None) -> Page:
        """The model's audit entries that make its history (models/history.py), newest first."""
        model = self.models.get(ref)
        return self.audit.search(
            entity_id=model["_id"], action=actions or list(ModelEventAction), limit=limit, cursor=cursor
        )

    def update(self, actor: Principal, ref: str, data: ModelUpdate, if_match: str | None) -> dict[str, Any]:
        changes = data.model_dump(mode="json", exclude_unset=True)
        body_version = changes.pop("version", None)
        expected = parse_if_match(if_match)
        if expected is not None and body_version is not None and expected != body_version:
            raise BadRequest("If-Match and version disagree", details={"field": "version"})
        expected = expected if expected is not None else body_version
        if not changes:
            raise BadRequest("nothing to change", details={"field": "body"})
        for name in NOT_NULL:
            if name in changes and changes[name] is None:
                raise ValidationFailed(f"{name} cannot be emptied", details={"field": name})
        if "tags" in changes and changes["tags"] is None:
            changes["tags"] = []
        doc = self.models.get(ref)
        if expected is not None and doc["_version"] != expected:
            raise StaleVersion(
                "the model was changed by someone else; reload it and apply your edit again",
                details={"field": "version", "expected_version": expected, "current_version": doc["_version"]},
            )
        changes["updated_at"] = iso()
        updated = public(self.models.update(doc, changes, expected))
        before = public(doc)
        changed = [k for k in changes if k != "updated_at" and before.get(k) != updated.get(k)]
        self.audit.record(
            actor,
            "model.update",
            "model",
            doc["_id"],
            {k: before.get(k) for k in changed},
            {k: updated.get(k) for k in changed},
        )
        return updated

    def delete(self, actor: Principal, ref: str, if_match: str | None) -> None:
        doc = self.models.get(ref)
        can_delete(actor, doc.get("owner"))
        users = self.metadata.count(DEPLOYMENTS, {"model_id": doc["_id"]})
        if users:
            raise Conflict(
                f"model {doc['name']!r} is used by {users} deployment(s); delete them first",
                details={"field": "model_id", "deployments": users},
            )
        self.models.delete(doc, parse_if_match(if_match))
        self.audit.record(actor, "model.delete", "model", doc["_id"], public(doc), None)
        # The records go first: files without a record are invisible, records without files are not.
        self.versions.delete_for_model(doc["_id"])
        DriftRepository(self.metadata).delete_for_model(doc["_id"])
        try:
            self.objects.delete_prefix(f"models/{doc['_id']}/")
        except ModelHubError as exc:
            log.warning("model files left behind", model_id=doc["_id"], error=exc.message)

    def list(self, filters: ModelFilters, sort: str, limit: int, cursor: str | None) -> Page:
        field_name = SORTS[sort.lstrip("-")]
        order = [(field_name, -1 if sort.startswith("-") else 1)]
        page = self.models.find(filters.to_filter(), order, limit, cursor)
        page.items = [public(doc) for doc in page.items]
        return page

    def facets(self, filters: ModelFilters) -> dict[str, Any]:
        """Counts per value of each facet, under every filter except the facet's own (so a UI can
        offer the other values of a field already filtered on)."""
        facets = {}
        for name in FACET_FIELDS:
            counts = self.models.facet_counts(name, filters.to_filter(skip=name))
            ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            facets[name] = [{"value": str(value), "count": count} for value, count in ordered]
        return {"total": self.models.count(filters.to_filter()), "facets": facets}
