"""Model versions in the metadata store: one immutable document per uploaded file."""

from __future__ import annotations

from typing import Any

from modelhub.errors import DuplicateKey, NotFound
from modelhub.stores.metadata import Index, MetadataStore, Page

COLLECTION = "model_versions"
INDEXES = [
    Index(("model_id", "number"), unique=True),
    Index(("model_id", "stage")),
    Index(("model_id", "parent_version")),
    Index(("dataset_id",)),
    Index(("source_execution_id",)),
]


class VersionRepository:
    def __init__(self, metadata: MetadataStore):
        self.metadata = metadata
        metadata.register(COLLECTION, INDEXES)

    def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.metadata.insert(COLLECTION, doc)
        except DuplicateKey as exc:  # numbers come from an atomic counter: only a bug gets here
            raise DuplicateKey(f"version {doc['number']} already exists", details={"field": "version"}) from exc

    def find(self, model_id: str, number: int) -> dict[str, Any] | None:
        return self.metadata.find_one(COLLECTION, {"model_id": model_id, "number": number})

    def get(self, model_id: str, number: int, model_name: str) -> dict[str, Any]:
        doc = self.find(model_id, number)
        if doc is None:
            raise NotFound(f"model {model_name!r} has no version {number}", details={"field": "version"})
        return doc

    def list(self, model_id: str, stage: str | None, descending: bool, limit: int, cursor: str | None) -> Page:
        flt: dict[str, Any] = {"model_id": model_id}
        if stage:
            flt["stage"] = stage
        sort = [("model_id", 1), ("number", -1 if descending else 1)]
        return self.metadata.find(COLLECTION, flt, sort=sort, limit=limit, cursor=cursor, with_total=True)

    def with_stage(self, model_id: str, stage: str) -> list[dict[str, Any]]:
        return self.metadata.find(COLLECTION, {"model_id": model_id, "stage": stage}, limit=100).items

    def children(self, model_id: str, number: int) -> list[int]:
        page = self.metadata.find(
            COLLECTION, {"model_id": model_id, "parent_version": number}, sort=[("number", 1)], limit=1000
        )
        return [doc["number"] for doc in page.items]

    def newest(self, model_id: str) -> int | None:
        page = self.metadata.find(COLLECTION, {"model_id": model_id}, sort=[("model_id", 1), ("number", -1)], limit=1)
        return page.items[0]["number"] if page.items else None

    def update(self, doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        return self.metadata.update(COLLECTION, doc["_id"], changes, expected_version=doc["_version"])

    def delete(self, doc: dict[str, Any]) -> None:
        self.metadata.delete(COLLECTION, doc["_id"])

    def delete_for_model(self, model_id: str) -> int:
        return self.metadata.delete_many(COLLECTION, {"model_id": model_id})
