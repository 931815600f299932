"""Models in the metadata store: one document per model, every catalog filter and sort indexed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from modelhub.errors import DuplicateKey, NotFound, StaleVersion
from modelhub.stores.metadata import Filter, Index, MetadataStore, Page, Sort

COLLECTION = "models"
FACET_FIELDS = ("department", "geography", "framework", "task_type", "tags", "owner")
SORTS = {"name": "name_key", "created_at": "created_at", "updated_at": "updated_at"}
INDEXES = [
    Index(("name_key",), unique=True),
    Index(("search_text",)),
    Index(("department",)),
    Index(("geography",)),
    Index(("framework",)),
    Index(("task_type",)),
    Index(("tags",), multikey=True),
    Index(("owner",)),
    Index(("created_at",)),
    Index(("updated_at",)),
]
INTERNAL_FIELDS = ("name_key", "search_text", "next_version")
ID_SHAPE = re.compile(r"[0-9a-f]{32}")  # what new_id() gives


def search_text(name: str, description: str | None) -> str:
    """What `q` searches, lower-cased once on write so both backends compare the same text."""
    return f"{name}\n{description or ''}".lower()


class ModelRepository:
    def __init__(self, metadata: MetadataStore):
        self.metadata = metadata
        metadata.register(COLLECTION, INDEXES)

    @staticmethod
    def _duplicate(name: str, exc: DuplicateKey) -> DuplicateKey:
        return DuplicateKey(
            f"a model named {name!r} already exists (names are unique whatever their case)",
            details={"field": "name"},
        )

    def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        doc = {**doc, "name_key": doc["name"].lower(), "search_text": search_text(doc["name"], doc.get("description"))}
        try:
            return self.metadata.insert(COLLECTION, doc)
        except DuplicateKey as exc:
            raise self._duplicate(doc["name"], exc) from exc

    def find_ref(self, ref: str) -> dict[str, Any] | None:
        """A model by id, else by name (case-insensitive). A ref that cannot be an id is looked up
        by name first: one query instead of two for the names clients and the UI use."""
        if ID_SHAPE.fullmatch(ref):
            return self.metadata.get(COLLECTION, ref) or self._by_name(ref)
        return self._by_name(ref) or self.metadata.get(COLLECTION, ref)

    def _by_name(self, name: str) -> dict[str, Any] | None:
        return self.metadata.find_one(COLLECTION, {"name_key": name.lower()})

    def get(self, ref: str) -> dict[str, Any]:
        doc = self.find_ref(ref)
        if doc is None:
            raise NotFound(f"no model with id or name {ref!r}", details={"field": "model_id"})
        return doc

    def update(self, doc: Mapping[str, Any], changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
        if "name" in changes or "description" in changes:
            name = changes.get("name", doc["name"])
            changes = {**changes, "name_key": name.lower()}
            changes["search_text"] = search_text(name, changes.get("description", doc.get("description")))
        try:
            return self.metadata.update(COLLECTION, doc["_id"], changes, expected_version)
        except DuplicateKey as exc:
            raise self._duplicate(changes.get("name", doc["name"]), exc) from exc

    def update_with_retry(self, ref: str, change, attempts: int = 10) -> tuple[dict[str, Any], dict[str, Any]]:
        """Read-modify-write of derived fields (aliases, latest version): `change(doc)` gives the fields
        to set, or None for nothing to do; retried when a concurrent writer got there first."""
        for _ in range(attempts):
            doc = self.get(ref)
            changes = change(doc)
            if changes is None:
                return doc, doc
            try:
                return doc, self.metadata.update(COLLECTION, doc["_id"], changes, expected_version=doc["_version"])
            except StaleVersion:
                continue
        raise StaleVersion("the model is being changed by others right now; try again")

    def next_version_number(self, model_id: str) -> int:
        return self.metadata.increment(COLLECTION, model_id, "next_version")

    def delete(self, doc: Mapping[str, Any], expected_version: int | None) -> None:
        self.metadata.delete(COLLECTION, doc["_id"], expected_version)

    def find(self, flt: Filter, sort: Sort, limit: int, cursor: str | None) -> Page:
        """A page with the exact `total`. Counting is a second pass over every match, so it is skipped
        when the first page already holds all of them (no cursor in, none out): then total is its length."""
        page = self.metadata.find(COLLECTION, flt, sort=sort, limit=limit, cursor=cursor)
        page.total = len(page.items) if cursor is None and page.next_cursor is None else self.count(flt)
        return page

    def count(self, flt: Filter) -> int:
        return self.metadata.count(COLLECTION, flt)

    def facet_counts(self, field_name: str, flt: Filter) -> dict[Any, int]:
        return self.metadata.facet_counts(COLLECTION, field_name, flt)
