"""Deployments in the metadata store, and what Airflow still has to hear about them.

`deployments` holds what users edit; its `_version` is the revision they send back, so only
their own changes bump it. `deployment_sync` holds, per deployment, whether Airflow runs its
current spec and pause state (`pending` until confirmed) and DAG deletions Airflow has not
confirmed yet: the background reconciliation works from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from modelhub.errors import DuplicateKey, NotFound
from modelhub.stores.metadata import Filter, Index, MetadataStore, Page, Sort, new_id
from modelhub.timeutil import iso

COLLECTION = "deployments"  # the registry counts deployments per model_id and dataset_id here
SYNC = "deployment_sync"
SORTS = {"name": "name_key", "created_at": "created_at", "updated_at": "updated_at"}
INDEXES = [
    Index(("name_key",), unique=True),
    Index(("model_id",)),
    Index(("dataset_id",)),
    Index(("kind",)),
    Index(("paused",)),
    Index(("scheduled",)),
    Index(("created_at",)),
    Index(("updated_at",)),
]
SYNC_INDEXES = [Index(("state",))]
INTERNAL_FIELDS = ("name_key", "department", "scheduled", "schedule_start", "spec_rev")


class DeploymentRepository:
    def __init__(self, metadata: MetadataStore):
        self.metadata = metadata
        metadata.register(COLLECTION, INDEXES)
        metadata.register(SYNC, SYNC_INDEXES)
        self._instance: str | None = None

    @staticmethod
    def _duplicate(name: str, exc: DuplicateKey) -> DuplicateKey:
        return DuplicateKey(
            f"a deployment named {name!r} already exists (names are unique whatever their case)",
            details={"field": "name"},
        )

    def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.metadata.insert(COLLECTION, {**doc, "name_key": doc["name"].lower()})
        except DuplicateKey as exc:
            raise self._duplicate(doc["name"], exc) from exc

    def find(self, deployment_id: str) -> dict[str, Any] | None:
        return self.metadata.get(COLLECTION, deployment_id)

    def get(self, deployment_id: str) -> dict[str, Any]:
        doc = self.find(deployment_id)
        if doc is None:
            raise NotFound(f"no deployment with id {deployment_id!r}", details={"field": "deployment_id"})
        return doc

    def update(self, doc: Mapping[str, Any], changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
        if "name" in changes:
            changes = {**changes, "name_key": changes["name"].lower()}
        try:
            return self.metadata.update(COLLECTION, doc["_id"], changes, expected_version)
        except DuplicateKey as exc:
            raise self._duplicate(changes.get("name", doc["name"]), exc) from exc

    def delete(self, doc: Mapping[str, Any], expected_version: int | None = None) -> None:
        self.metadata.delete(COLLECTION, doc["_id"], expected_version)

    def list(self, flt: Filter, sort: Sort, limit: int, cursor: str | None) -> Page:
        return self.metadata.find(COLLECTION, flt, sort=sort, limit=limit, cursor=cursor, with_total=True)

    def all(self, page_size: int = 500) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            page = self.metadata.find(COLLECTION, {}, limit=page_size, cursor=cursor)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def instance_id(self) -> str:
        """This ModelHub's id (one per metadata store), written into its specs: a dags folder
        shared with another ModelHub never loses the other's specs to a clean-up."""
        if self._instance is None:
            doc = self.metadata.get(SYNC, "instance")
            if doc is None:
                try:
                    doc = self.metadata.insert(SYNC, {"_id": "instance", "state": "instance", "value": new_id()})
                except DuplicateKey:
                    doc = self.metadata.get(SYNC, "instance") or {}
            self._instance = doc["value"]
        return self._instance

    # -- sync state -----------------------------------------------------------------------------
    def sync_states(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        page = self.metadata.find(SYNC, {"_id": {"$in": ids}}, limit=max(1, min(len(ids), 1000)))
        return {doc["_id"]: doc for doc in page.items}

    def sync_state(self, deployment_id: str) -> dict[str, Any] | None:
        return self.metadata.get(SYNC, deployment_id)

    def set_sync(self, deployment_id: str, state: str, error: str | None, **extra: Any) -> dict[str, Any]:
        """Record the sync state; a write only when something changed (cheap to call every loop)."""
        current = self.metadata.get(SYNC, deployment_id)
        fields = {"state": state, "error": error, **extra}
        if current is None:
            try:
                return self.metadata.insert(SYNC, {"_id": deployment_id, **fields, "checked_at": iso()})
            except DuplicateKey:  # another worker recorded it first
                current = self.metadata.get(SYNC, deployment_id) or {}
        if all(current.get(k) == v for k, v in fields.items()):
            return current
        return self.metadata.update(SYNC, deployment_id, {**fields, "checked_at": iso()})

    def pending(self, limit: int = 200) -> list[dict[str, Any]]:
        return self.metadata.find(SYNC, {"state": "pending"}, limit=limit).items

    def drop_sync(self, deployment_id: str) -> None:
        self.metadata.delete(SYNC, deployment_id)
