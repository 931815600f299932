"""Drift reports in the metadata store: one document per monitoring run, newest read first."""

from __future__ import annotations

from typing import Any

from modelhub.stores.metadata import Index, MetadataStore

COLLECTION = "drift_reports"
INDEXES = [Index(("model_id", "checked_at"))]


class DriftRepository:
    def __init__(self, metadata: MetadataStore):
        self.metadata = metadata
        if COLLECTION not in metadata.collections:  # built per request: register (create indexes) once
            metadata.register(COLLECTION, INDEXES)

    def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self.metadata.insert(COLLECTION, doc)

    def latest(self, model_id: str, limit: int) -> list[dict[str, Any]]:
        page = self.metadata.find(
            COLLECTION, {"model_id": model_id}, sort=[("model_id", 1), ("checked_at", -1)], limit=limit
        )
        return page.items

    def delete_for_model(self, model_id: str) -> int:
        return self.metadata.delete_many(COLLECTION, {"model_id": model_id})
