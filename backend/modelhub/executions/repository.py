"""Executions in the metadata store: one document per Airflow DAG run of a deployment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelhub.errors import NotFound
from modelhub.stores.metadata import Filter, Index, MetadataStore, Page

COLLECTION = "executions"
STATE = "orchestrator_state"  # the watermark of the run sync
ACTIVE = ("queued", "running")
FINAL = ("success", "failed", "cancelled")
INDEXES = [
    Index(("created_at",)),
    Index(("deployment_id", "created_at")),
    Index(("model_id", "created_at")),
    Index(("status", "created_at")),
    Index(("triggered_by", "created_at")),
    Index(("dag_id", "run_id")),
]


class ExecutionRepository:
    def __init__(self, metadata: MetadataStore):
        self.metadata = metadata
        metadata.register(COLLECTION, INDEXES)
        metadata.register(STATE)

    def insert(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self.metadata.insert(COLLECTION, doc)

    def find(self, execution_id: str) -> dict[str, Any] | None:
        return self.metadata.get(COLLECTION, execution_id)

    def get(self, execution_id: str) -> dict[str, Any]:
        doc = self.find(execution_id)
        if doc is None:
            raise NotFound(f"no execution with id {execution_id!r}", details={"field": "execution_id"})
        return doc

    def update(self, doc: Mapping[str, Any], changes: dict[str, Any], expected_version: int | None = None):
        return self.metadata.update(COLLECTION, doc["_id"], changes, expected_version)

    def delete(self, execution_id: str) -> None:
        self.metadata.delete(COLLECTION, execution_id)

    def list(self, flt: Filter, limit: int, cursor: str | None) -> Page:
        return self.metadata.find(
            COLLECTION, flt, sort=[("created_at", -1)], limit=limit, cursor=cursor, with_total=True
        )

    def active_for(self, deployment_id: str, limit: int = 100) -> list[dict[str, Any]]:
        flt = {"deployment_id": deployment_id, "status": {"$in": list(ACTIVE)}}
        return self.metadata.find(COLLECTION, flt, limit=limit).items

    def unfinished(self, limit: int = 200) -> list[dict[str, Any]]:
        return self.metadata.find(COLLECTION, {"status": {"$in": list(ACTIVE)}}, limit=limit).items

    # -- the run sync's watermark ---------------------------------------------------------------
    def watermark(self) -> str | None:
        doc = self.metadata.get(STATE, "runs")
        return doc.get("since") if doc else None

    def set_watermark(self, since: str) -> None:
        if self.metadata.get(STATE, "runs") is None:
            self.metadata.insert(STATE, {"_id": "runs", "since": since})
        else:
            self.metadata.update(STATE, "runs", {"since": since})
