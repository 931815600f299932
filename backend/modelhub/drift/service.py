"""Drift reports from the monitoring job: stored, written as `drift.statistic` points, and the
model marked (`drift` on the model document: status, time, version, drifted features)."""

from __future__ import annotations

from typing import Any

from modelhub.auth.tokens import Principal
from modelhub.context import AppContext
from modelhub.drift.repository import DriftRepository
from modelhub.drift.schemas import DriftReportIn
from modelhub.errors import Forbidden
from modelhub.stores.metrics import MetricPoint
from modelhub.timeutil import iso


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")} | {"id": doc["_id"]}


def status_of(data: DriftReportIn) -> str:
    if data.drifted_features:
        return "drifted"
    tested = [f for f in data.features.values() if f.get("tests")]
    return "ok" if tested else "insufficient_data"


class DriftService:
    def __init__(self, context: AppContext):
        self.context = context
        self.repo = DriftRepository(context.metadata)

    def record(self, actor: Principal, model_ref: str, data: DriftReportIn) -> dict[str, Any]:
        if not actor.is_service:
            raise Forbidden(
                "only the monitoring job (the service account) reports drift",
                details={"required_permission": "service account"},
            )
        model = self.context.models.get(model_ref)
        self.context.versions.get(model["_id"], data.version, model["name"])
        status = status_of(data)
        doc = self.repo.insert(
            {
                "model_id": model["_id"],
                "status": status,
                "checked_at": iso(),
                **data.model_dump(),
            }
        )
        self.context.metrics.write(self._points(model, data))
        summary = {
            "status": status,
            "checked_at": doc["checked_at"],
            "version": data.version,
            "deployment_id": data.deployment_id,
            "drifted_features": data.drifted_features,
            "report_id": doc["_id"],
        }
        before, _ = self.context.models.update_with_retry(
            model["_id"], lambda m: {"drift": summary, "updated_at": iso()}
        )
        self.context.audit.record(actor, "model.drift", "model", model["_id"], before.get("drift"), summary)
        return public(doc)

    @staticmethod
    def _points(model: dict[str, Any], data: DriftReportIn) -> list[MetricPoint]:
        points = []
        for feature, result in data.features.items():
            for test, values in (result.get("tests") or {}).items():
                if not isinstance(values, dict) or not isinstance(values.get("statistic"), int | float):
                    continue
                labels = {
                    "model_id": model["_id"],
                    "model_name": model["name"],
                    "department": model.get("department") or "",
                    "version": str(data.version),
                    "deployment_id": data.deployment_id or "",
                    "feature": feature,
                    "test": test,
                    "drifted": "true" if values.get("drifted") else "false",
                }
                points.append(MetricPoint("drift.statistic", float(values["statistic"]), labels=labels))
        return points

    def show(self, model_ref: str, limit: int) -> dict[str, Any]:
        model = self.context.models.get(model_ref)
        reports = [public(d) for d in self.repo.latest(model["_id"], limit + 1)]
        return {
            "model_id": model["_id"],
            "model_name": model["name"],
            "status": reports[0]["status"] if reports else "unknown",
            "latest": reports[0] if reports else None,
            "history": reports[1:],
        }
