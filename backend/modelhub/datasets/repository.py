"""Datasets in the metadata store; their files live in the object store under datasets/{id}/."""

from __future__ import annotations

from typing import Any

from modelhub.errors import NotFound
from modelhub.stores.metadata import Filter, Index, MetadataStore, Page, Sort

COLLECTION = "datasets"
SORTS = {"name": "name_key", "created_at": "created_at", "size": "size"}
INDEXES = [
    Index(("name_key",)),
    Index(("search_text",)),
    Index(("format",)),
    Index(("created_by",)),
    Index(("created_at",)),
    Index(("size",)),
    Index(("sha256",)),
]


class DatasetRepository:
    def __init__(self, metadata: MetadataStore):
        self.metadata = metadata
        metadata.register(COLLECTION, INDEXES)

    def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        text = f"{doc['name']}\n{doc.get('description') or ''}\n{doc['filename']}".lower()
        return self.metadata.insert(COLLECTION, {**doc, "name_key": doc["name"].lower(), "search_text": text})

    def find(self, dataset_id: str) -> dict[str, Any] | None:
        return self.metadata.get(COLLECTION, dataset_id)

    def get(self, dataset_id: str) -> dict[str, Any]:
        doc = self.find(dataset_id)
        if doc is None:
            raise NotFound(f"no dataset with id {dataset_id!r}", details={"field": "dataset_id"})
        return doc

    def list(self, flt: Filter, sort: Sort, limit: int, cursor: str | None) -> Page:
        return self.metadata.find(COLLECTION, flt, sort=sort, limit=limit, cursor=cursor, with_total=True)

    def delete(self, doc: dict[str, Any]) -> None:
        self.metadata.delete(COLLECTION, doc["_id"])
