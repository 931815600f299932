"""Online predictions: resolve the version (alias per request) and hand the body to a worker
process, which parses, checks, predicts and encodes the answer; log in the background. All of it on
the event loop, without a thread, when the metadata store reads inline. See docs/serving.md."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from modelhub.auth.tokens import Principal
from modelhub.config import Settings
from modelhub.context import AppContext
from modelhub.errors import BadRequest, Conflict, ModelHubError, NotFound, PayloadTooLarge, ValidationFailed
from modelhub.serving.inputs import has_options, parse_json
from modelhub.serving.logbook import PredictionEvent, PredictionLog, recent_inputs
from modelhub.serving.pool import WorkerFailed, WorkerPool
from modelhub.timeutil import iso
from modelhub.versions.schemas import ALIAS_PATTERN

DEFAULT_ALIAS = "champion"
SERVABLE_FORMATS = ("skops", "joblib", "pickle")
CLIENT_ERRORS = {cls.code: cls for cls in (BadRequest, PayloadTooLarge, ValidationFailed)}  # raised by workers


class ModelUnavailable(ModelHubError):
    """This model (version) cannot answer now; the others keep serving."""

    status_code = 503
    code = "model_unavailable"


class _BodyOptions(Exception):
    """The body holds version/alias/probabilities, which the first pass did not read."""


@dataclass(frozen=True)
class Options:
    version: int | None = None
    alias: str | None = None
    probabilities: bool = False


def request_options(query: Options, body: Any) -> Options:
    """The query's options, completed by the body's (clients that cannot add a query: MLflow's)."""
    version, alias, probabilities = query.version, query.alias, query.probabilities
    if isinstance(body, dict):
        version = version if version is not None else _body_version(body.get("version"))
        alias = alias if alias is not None else _body_alias(body.get("alias"))
        probabilities = probabilities or body.get("probabilities") is True
    if version is not None and alias is not None:
        raise ValidationFailed("send version or alias, not both", details={"field": "alias"})
    return Options(version, alias, probabilities)


def _body_version(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**9:
        raise ValidationFailed("version must be a version number", details={"field": "version"})
    return value


def _body_alias(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(ALIAS_PATTERN, value):
        raise ValidationFailed("alias must be an alias name", details={"field": "alias"})
    return value


class ServingRuntime:
    """What serving keeps for the app's lifetime: the worker pool, the prediction log and recent
    load failures. Built at startup, closed (log flushed) at shutdown."""

    def __init__(self, settings: Settings, context: AppContext):
        self.settings = settings
        self.pool = WorkerPool(settings)
        self.log = PredictionLog(
            context.metrics,
            settings.serving_log_queue,
            settings.serving_log_batch,
            settings.serving_log_interval_s,
        )
        self.failures: dict[tuple, tuple[float, str]] = {}
        if settings.serving_prestart:
            threading.Thread(target=self.pool.start, name="serving-prestart", daemon=True).start()

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

    async def predict(self, actor: Principal, model_ref: str, raw: bytes, query: Options, started: float) -> bytes:
        """The answer's JSON bytes for a request body as sent. A worker parses and checks the body;
        when it holds options of its own (version, alias, probabilities: rare, for clients without a
        query), the worker says so, and this process reads them and asks again."""
        try:
            return await self._predict(actor, model_ref, raw, query, started)
        except _BodyOptions:
            return await self._predict(actor, model_ref, raw, query, started, body=parse_json(raw), checked=True)

    async def _predict(
        self,
        actor: Principal,
        model_ref: str,
        raw: bytes,
        query: Options,
        started: float,
        body: Any = None,
        checked: bool = False,  # the second pass: `body` is the parsed body
    ) -> bytes:
        try:
            options = request_options(query, body)
            if self.context.metadata.reads_inline:  # embedded SQLite: microseconds, no thread hop
                model, number, doc = self._target(model_ref, options)
            else:
                model, number, doc = await run_in_threadpool(self._target, model_ref, options)
        except ModelHubError:
            # before any worker read the body: as when this process read every body, a body that is
            # not JSON is 400 first, and its own options may name another version
            if not checked and has_options(parse_json(raw)):
                raise _BodyOptions from None
            raise
        key = (model["_id"], number, doc["sha256"])
        spec = {
            "model_id": model["_id"],
            "model_name": model["name"],
            "version": number,
            "sha256": doc["sha256"],
            "object_key": doc["object_key"],
            "format": doc["format"],
            "size": doc["size"],
            "preprocessing": doc.get("preprocessing"),
            # the worker compiles the schema once per model edit (`_version`) and version
            "schema_key": (model["_id"], model["_version"], number),
        }
        schema = doc.get("input_schema") or model.get("input_schema")
        try:
            answer = await self.runtime.pool.call((spec, raw, schema, options.probabilities, checked), key)
        except WorkerFailed as exc:
            raise self._unavailable(model, number, str(exc)) from exc
        if answer[0] == "options":  # never once `checked`
            raise _BodyOptions
        if answer[0] == "error":
            _, kind, message, details = answer
            if kind in CLIENT_ERRORS:
                raise CLIENT_ERRORS[kind](message, details=details)
            if kind == "load":
                ttl = self.settings.serving_load_failure_ttl_s
                if ttl > 0:
                    self.runtime.failures[key] = (time.monotonic() + ttl, message)
            raise self._unavailable(model, number, message)
        _, content, (n_records, inputs_hash, inputs, outputs) = answer
        self.runtime.failures.pop(key, None)
        self.runtime.log.submit(
            PredictionEvent(
                model_id=model["_id"],
                model_name=model["name"],
                department=model.get("department") or "",
                version=number,
                caller=actor.username,
                latency_ms=(time.perf_counter() - started) * 1000,
                n_records=n_records,
                inputs_hash=inputs_hash,
                inputs=inputs,
                outputs=outputs,
            )
        )
        return content

    def _target(self, model_ref: str, options: Options) -> tuple[dict[str, Any], int, dict[str, Any]]:
        """The model, version number and version document to answer with; 404/409, or 503 while
        the version's last load failure is remembered."""
        model = self.context.models.get(model_ref)
        number = resolve_version(self.context, model, options.version, options.alias)
        doc = self.context.versions.get(model["_id"], number, model["name"])
        if doc["format"] not in SERVABLE_FORMATS:
            raise Conflict(
                f"version {number} is a {doc['format']} file; online serving loads scikit-learn models "
                f"({', '.join(SERVABLE_FORMATS)})",
                details={"field": "version", "format": doc["format"]},
            )
        failed = self.runtime.failures.get((model["_id"], number, doc["sha256"]))
        if failed is not None and failed[0] > time.monotonic():
            raise self._unavailable(model, number, failed[1])
        return model, number, doc

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
