from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from modelhub import __version__
from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.context import AppContext, get_context
from modelhub.health.service import readiness

router = APIRouter(prefix="/health", tags=["health"])


class Liveness(BaseModel):
    status: str
    version: str


class ComponentStatus(BaseModel):
    status: str
    latency_ms: float | None = None
    error: str | None = None


class Readiness(BaseModel):
    status: str
    components: dict[str, ComponentStatus]


PUBLIC = [Depends(require(Permission.public))]


@router.get("", response_model=Liveness, summary="Liveness: the API process answers", dependencies=PUBLIC)
def health() -> Liveness:
    return Liveness(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness of every component",
    responses={503: {"model": Readiness, "description": "at least one component is down; each is named"}},
    dependencies=PUBLIC,
)
def ready(context: AppContext = Depends(get_context)):
    components = readiness(context)
    down = [name for name, c in components.items() if c["status"] != "ok"]
    body = Readiness(status="unavailable" if down else "ok", components=components)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=503 if down else 200)
