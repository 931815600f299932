from __future__ import annotations

import json
import time
from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.errors import BadRequest, PayloadTooLarge, ValidationFailed
from modelhub.serving.schemas import PREDICT_BODY, PredictionLogOut, PredictOut, ServingStatsOut
from modelhub.serving.service import ServingRuntime, ServingService
from modelhub.versions.schemas import ALIAS_PATTERN

router = APIRouter(tags=["serving"])
PREDICT = Depends(require(Permission.predict))
BROWSE = Depends(require(Permission.browse))


def _runtime(app) -> ServingRuntime:
    serving = getattr(app.state, "serving", None)
    if serving is None:  # an app driven without its lifespan (some ASGI test transports)
        serving = app.state.serving = ServingRuntime(app.state.context.settings, app.state.context)
    return serving


# async dependencies: they only read app state, and a sync one would cost a thread hop per request
async def runtime(request: Request) -> ServingRuntime:
    return _runtime(request.app)


async def service(request: Request) -> ServingService:
    return ServingService(request.app.state.context, _runtime(request.app))


async def read_json(request: Request, limit: int):
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes", details={"field": "body", "limit": limit})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes", details={"field": "body", "limit": limit})
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        return raw, json.loads(raw, parse_constant=_no_constants)
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}", details={"field": "body"}) from None


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON (send null for a missing value)")


@router.post(
    "/models/{model_id}/predict",
    response_model=PredictOut,
    summary="Predict with a version (?version=) or an alias (?alias=, default champion)",
    description=(
        'Body `{"records": [{feature: value, ...}]}`, or MLflow\'s `dataframe_records`, `dataframe_split`, '
        "`instances`/`inputs`. Records are checked against the version's (else the model's) input JSON Schema; "
        "the model runs in a worker process. See docs/serving.md."
    ),
    openapi_extra=PREDICT_BODY,
    responses={
        404: {"description": "no such model, version or alias"},
        409: {"description": "no champion alias and no version/alias given, or a format that is not served"},
        413: {"description": "more records than MODELHUB_SERVING_MAX_RECORDS, or a body too large"},
        422: {"description": "a record does not match the input schema (details name record and field)"},
        503: {"description": "this version cannot be loaded or its worker failed; other models keep serving"},
    },
)
async def predict(
    model_id: str,
    request: Request,
    version: int | None = Query(None, ge=1, le=10**9),
    alias: str | None = Query(None, pattern=ALIAS_PATTERN),
    probabilities: bool = Query(False, description="classifiers: add per-class probabilities and the classes"),
    actor: Principal = PREDICT,
    serving: ServingService = Depends(service),
):
    started = time.perf_counter()
    raw, body = await read_json(request, serving.settings.serving_max_body_bytes)
    if isinstance(body, dict):  # the same options may come in the body (MLflow clients cannot add a query)
        version = version if version is not None else _body_version(body.get("version"))
        alias = alias if alias is not None else _body_alias(body.get("alias"))
        probabilities = probabilities or body.get("probabilities") is True
    if version is not None and alias is not None:
        raise ValidationFailed("send version or alias, not both", details={"field": "alias"})
    out = await run_in_threadpool(serving.predict, actor, model_id, body, raw, version, alias, probabilities, started)
    # json.dumps directly: a response model would copy every prediction through pydantic
    return Response(json.dumps(out, separators=(",", ":")), media_type="application/json")


def _body_version(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**9:
        raise ValidationFailed("version must be a version number", details={"field": "version"})
    return value


def _body_alias(value) -> str | None:
    import re

    if value is None:
        return None
    if not isinstance(value, str) or not re.match(ALIAS_PATTERN, value):
        raise ValidationFailed("alias must be an alias name", details={"field": "alias"})
    return value


@router.get(
    "/models/{model_id}/predictions",
    response_model=PredictionLogOut,
    summary="Logged online predictions of a model, newest first (sampled inputs and outputs)",
)
def prediction_log(
    model_id: str,
    version: int | None = Query(None, ge=1, le=10**9),
    since: datetime | None = Query(None, description="ISO 8601; only requests at or after it"),
    limit: int = Query(100, ge=1, le=10_000),
    _: Principal = PREDICT,
    serving: ServingService = Depends(service),
):
    return PredictionLogOut(items=serving.log_entries(model_id, version, since, limit))


@router.get("/serving/stats", response_model=ServingStatsOut, summary="Serving workers and the prediction log queue")
def serving_stats(_: Principal = BROWSE, serving: ServingRuntime = Depends(runtime)):
    return ServingStatsOut(**serving.stats())
