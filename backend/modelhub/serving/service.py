"""Online predictions: resolve the version (alias per request), check the records, predict in a
worker process, log in the background. See docs/serving.md."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from modelhub.auth.tokens import Principal
from modelhub.config import Settings
from modelhub.context import AppContext
from modelhub.errors import Conflict, ModelHubError, NotFound, ValidationFailed
from modelhub.serving.inputs import RecordChecker, records_from_body
from modelhub.serving.logbook import PredictionEvent, PredictionLog, recent_inputs
from modelhub.serving.pool import WorkerFailed, WorkerPool
from modelhub.timeutil import iso

DEFAULT_ALIAS = "champion"
SERVABLE_FORMATS = ("skops", "joblib", "pickle")
MAX_CHECKERS = 512


class ModelUnavailable(ModelHubError):
    """This model (version) cannot answer now; the others keep serving."""

    status_code = 503
    code = "model_unavailable"


class ServingRuntime:
    """What serving keeps for the app's lifetime: the worker pool, the prediction log, compiled
    input schemas and recent load failures. Built at startup, closed (log flushed) at shutdown."""

    def __init__(self, settings: Settings, context: AppContext):
        self.settings = settings
        self.pool = WorkerPool(settings)
        self.log = PredictionLog(
            context.metrics,
            settings.serving_log_queue,
            settings.serving_log_batch,
            settings.serving_log_interval_s,
            settings.serving_log_sample_records,
        )
        self.checkers: dict[tuple, RecordChecker | None] = {}
        self.failures: dict[tuple, tuple[float, str]] = {}
        self.lock = threading.Lock()
        if settings.serving_prestart:
            threading.Thread(target=self.pool.start, name="serving-prestart", daemon=True).start()

    def checker(self, key: tuple, schema: dict[str, Any] | None) -> RecordChecker | None:
        if not schema:
            return None
        found = self.checkers.get(key, False)
        if found is not False:
            return found
        compiled = RecordChecker.compile(schema, self.settings.serving_extra_fields)
        with self.lock:
            if len(self.checkers) >= MAX_CHECKERS:
                self.checkers.clear()
            self.checkers[key] = compiled
        return compiled

    def stats(self) -> dict[str, Any]:
        return {
            "workers": self.pool.describe(),
            "worker_restarts": self.pool.restarts,
            "prediction_log": self.log.stats(),
        }

    def close(self) -> None:
        self.log.close()
        self.pool.close()


def resolve_version(context: AppContext, model: dict[str, Any], version: int | None, alias: str | None) -> int:
    if version is not None:
        return version
    aliases = model.get("aliases") or {}
    name = alias or DEFAULT_ALIAS
    if name == "latest" and model.get("latest_version"):
        return model["latest_version"]
    if name in aliases:
        return aliases[name]
    if alias is None:
        raise Conflict(
            f"model {model['name']!r} has no {DEFAULT_ALIAS!r} alias: point it at a version "
            f"(PUT /api/models/{model['_id']}/aliases/{DEFAULT_ALIAS}) or pass ?version= or ?alias=",
            details={"field": "alias", "alias": DEFAULT_ALIAS},
        )
    known = ", ".join(["latest", *sorted(aliases)])
    raise NotFound(f"model {model['name']!r} has no alias {alias!r} (it has: {known})", details={"field": "alias"})


class ServingService:
    def __init__(self, context: AppContext, runtime: ServingRuntime):
        self.context = context
        self.runtime = runtime
        self.settings = context.settings

    def predict(
        self,
        actor: Principal,
        model_ref: str,
        body: Any,
        raw: bytes,
        version: int | None,
        alias: str | None,
        probabilities: bool,
        started: float,
    ) -> dict[str, Any]:
        model = self.context.models.get(model_ref)
        number = resolve_version(self.context, model, version, alias)
        doc = self.context.versions.get(model["_id"], number, model["name"])
        if doc["format"] not in SERVABLE_FORMATS:
            raise Conflict(
                f"version {number} is a {doc['format']} file; online serving loads scikit-learn models "
                f"({', '.join(SERVABLE_FORMATS)})",
                details={"field": "version", "format": doc["format"]},
            )
        # compiled once per model edit (`_version`) and version: schemas change only with those
        schema_key = (model["_id"], model["_version"], number)
        checker = self.runtime.checker(schema_key, doc.get("input_schema") or model.get("input_schema"))
        order = checker.properties if checker is not None and checker.properties else None
        body_key, records = records_from_body(body, self.settings.serving_max_records, order)
        if checker is not None:
            records = checker.check(records, body_key)
        key = (model["_id"], number, doc["sha256"])
        failed = self.runtime.failures.get(key)
        if failed is not None and failed[0] > time.monotonic():
            raise self._unavailable(model, number, failed[1])
        spec = {
            "model_id": model["_id"],
            "version": number,
            "sha256": doc["sha256"],
            "object_key": doc["object_key"],
            "format": doc["format"],
            "size": doc["size"],
            "preprocessing": doc.get("preprocessing"),
        }
        try:
            answer = self.runtime.pool.call((spec, records, order, probabilities), key)
        except WorkerFailed as exc:
            raise self._unavailable(model, number, str(exc)) from exc
        if answer[0] == "error":
            _, kind, message, details = answer
            if kind == "input":
                raise ValidationFailed(message, details=details)
            if kind == "load":
                ttl = self.settings.serving_load_failure_ttl_s
                if ttl > 0:
                    self.runtime.failures[key] = (time.monotonic() + ttl, message)
            raise self._unavailable(model, number, message)
        result = answer[1]
        self.runtime.failures.pop(key, None)
        out: dict[str, Any] = {
            "predictions": result["predictions"],
            "model_id": model["_id"],
            "model_name": model["name"],
            "model_version": number,
        }
        if probabilities:
            out["probabilities"] = result["probabilities"]
            out["classes"] = result["classes"]
        latency_ms = (time.perf_counter() - started) * 1000
        self.runtime.log.submit(
            PredictionEvent(
                model_id=model["_id"],
                model_name=model["name"],
                department=model.get("department") or "",
                version=number,
                caller=actor.username,
                latency_ms=latency_ms,
                records=records,
                body=raw,
                predictions=result["predictions"],
            )
        )
        return out

    @staticmethod
    def _unavailable(model: dict[str, Any], number: int, reason: str) -> ModelUnavailable:
        return ModelUnavailable(
            f"version {number} of model {model['name']!r} cannot serve predictions: {reason}",
            details={"field": "version", "model_id": model["_id"], "version": number, "reason": reason},
        )

    def log_entries(
        self, model_ref: str, version: int | None, since: datetime | None, limit: int
    ) -> list[dict[str, Any]]:
        model = self.context.models.get(model_ref)
        rows = recent_inputs(self.context.metrics, model["_id"], version, since, limit)
        for row in rows:
            row["time"] = iso(row["time"])
        return rows
