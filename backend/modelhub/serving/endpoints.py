from __future__ import annotations

import time
from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.errors import PayloadTooLarge
from modelhub.serving.schemas import PREDICT_BODY, PredictionLogOut, PredictOut, ServingStatsOut
from modelhub.serving.service import Options, ServingRuntime, ServingService
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


async def read_body(request: Request, limit: int) -> bytes:
    """The body as sent, 413 past `limit` bytes (told by Content-Length or counted while reading)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes", details={"field": "body", "limit": limit})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes", details={"field": "body", "limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


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
):
    started = time.perf_counter()
    serving = await service(request)
    raw = await read_body(request, serving.settings.serving_max_body_bytes)
    options = Options(version, alias, probabilities)
    # the worker answers with the JSON bytes to send: no response model, no re-encoding here
    answer = await serving.predict(actor, model_id, raw, options, started)
    return Response(answer, media_type="application/json")


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
