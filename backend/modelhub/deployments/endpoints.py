from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Response

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext, get_context
from modelhub.deployments.kinds import NEEDS_DATASET, PARAMS_SCHEMAS, PipelineKind, available
from modelhub.deployments.schemas import (
    DeploymentCreate,
    DeploymentOut,
    DeploymentStatus,
    DeploymentUpdate,
    KindOut,
    SchedulePreviewOut,
)
from modelhub.deployments.service import DeploymentFilters, DeploymentsService
from modelhub.executions.schemas import ExecutionOut, TriggerIn
from modelhub.executions.service import ExecutionsService
from modelhub.schemas import PageOut

router = APIRouter(prefix="/deployments", tags=["deployments"])
BROWSE = Depends(require(Permission.browse))
MANAGE = Depends(require(Permission.manage_deployments))
TRIGGER = Depends(require(Permission.trigger_executions))
UNAVAILABLE = {503: {"description": "orchestrator unavailable (Airflow is down); a saved state is applied later"}}


async def service(context: AppContext = Depends(get_context)) -> DeploymentsService:
    return DeploymentsService(context)


def _etag(response: Response, deployment: dict) -> DeploymentOut:
    response.headers["ETag"] = f'"{deployment["revision"]}"'
    return DeploymentOut(**deployment)


@router.get("", response_model=PageOut[DeploymentOut], summary="List and search deployments")
def list_deployments(
    model: str | None = Query(None, max_length=128, description="a model's id or name"),
    kind: PipelineKind | None = None,
    status: DeploymentStatus | None = None,
    scheduled: bool | None = Query(None, description="true: with a schedule; false: run on demand only"),
    q: str | None = Query(None, max_length=200, description="part of the name, any case"),
    sort: str = Query("name", pattern=r"^-?(name|created_at|updated_at)$", description="'-' for descending"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=2000),
    _: Principal = BROWSE,
    deployments: DeploymentsService = Depends(service),
):
    filters = DeploymentFilters(
        model=model or None,
        kind=kind.value if kind else None,
        status=status.value if status else None,
        scheduled=scheduled,
        q=q or None,
    )
    return PageOut.of(deployments.list(filters, sort, limit, cursor), lambda doc: DeploymentOut(**doc))


@router.get("/kinds", response_model=list[KindOut], summary="Pipeline kinds, which are available, their parameters")
def list_kinds(_: Principal = BROWSE):
    return [
        KindOut(
            kind=kind,
            available=available(kind),
            needs_dataset=kind in NEEDS_DATASET,
            params_schema=PARAMS_SCHEMAS.get(kind),
        )
        for kind in PipelineKind
    ]


@router.get(
    "/schedule-preview",
    response_model=SchedulePreviewOut,
    summary="Check a schedule before saving it: its next run times (422 saying why it is invalid)",
)
def preview_schedule(
    schedule: str | None = Query(None, max_length=100),
    timezone: str = Query("UTC", max_length=64),
    count: int = Query(5, ge=1, le=100),
    _: Principal = BROWSE,
):
    return SchedulePreviewOut(**DeploymentsService.preview(schedule or None, timezone, count))


@router.post(
    "",
    response_model=DeploymentOut,
    status_code=201,
    summary="Create a deployment (paused: resume it to run it on schedule)",
)
def create_deployment(
    data: DeploymentCreate,
    response: Response,
    actor: Principal = MANAGE,
    deployments: DeploymentsService = Depends(service),
):
    return _etag(response, deployments.create(actor, data))


@router.get(
    "/{deployment_id}", response_model=DeploymentOut, summary="One deployment, with its sync state with Airflow"
)
def get_deployment(
    deployment_id: str, response: Response, _: Principal = BROWSE, deployments: DeploymentsService = Depends(service)
):
    return _etag(response, deployments.get(deployment_id))


@router.patch(
    "/{deployment_id}",
    response_model=DeploymentOut,
    summary="Edit a deployment; send If-Match (its ETag) or `revision`: a stale edit gets 409",
    responses={409: {"description": "stale_version: someone else changed it first"}},
)
def update_deployment(
    deployment_id: str,
    data: DeploymentUpdate,
    response: Response,
    if_match: str | None = Header(None, max_length=100),
    actor: Principal = MANAGE,
    deployments: DeploymentsService = Depends(service),
):
    return _etag(response, deployments.update(actor, deployment_id, data, if_match))


@router.delete(
    "/{deployment_id}",
    status_code=204,
    summary="Delete a deployment and its DAG (409 while one of its executions is queued or running)",
)
def delete_deployment(
    deployment_id: str,
    if_match: str | None = Header(None, max_length=100),
    actor: Principal = MANAGE,
    deployments: DeploymentsService = Depends(service),
):
    deployments.delete(actor, deployment_id, if_match)


@router.post(
    "/{deployment_id}/pause", response_model=DeploymentOut, summary="Pause: no scheduled run", responses=UNAVAILABLE
)
def pause_deployment(
    deployment_id: str,
    response: Response,
    actor: Principal = MANAGE,
    deployments: DeploymentsService = Depends(service),
):
    return _etag(response, deployments.set_paused(actor, deployment_id, True))


@router.post(
    "/{deployment_id}/resume",
    response_model=DeploymentOut,
    summary="Resume: runs from the next scheduled time on (none missed while paused); manual runs allowed",
    responses=UNAVAILABLE,
)
def resume_deployment(
    deployment_id: str,
    response: Response,
    actor: Principal = MANAGE,
    deployments: DeploymentsService = Depends(service),
):
    return _etag(response, deployments.set_paused(actor, deployment_id, False))


@router.get(
    "/{deployment_id}/schedule-preview", response_model=SchedulePreviewOut, summary="The next run times of a deployment"
)
def deployment_schedule_preview(
    deployment_id: str,
    count: int = Query(5, ge=1, le=100),
    _: Principal = BROWSE,
    deployments: DeploymentsService = Depends(service),
):
    return SchedulePreviewOut(**deployments.preview_of(deployment_id, count))


@router.post(
    "/{deployment_id}/executions",
    response_model=ExecutionOut,
    status_code=201,
    summary="Run a deployment now, with optional parameter overrides",
    responses={
        409: {"description": "paused, or not yet known to Airflow (retry in a few seconds)"},
        503: {"description": "orchestrator unavailable: no execution is created"},
    },
)
def trigger_execution(
    deployment_id: str,
    data: TriggerIn | None = None,
    actor: Principal = TRIGGER,
    context: AppContext = Depends(get_context),
):
    return ExecutionOut(**ExecutionsService(context).trigger(actor, deployment_id, data.params if data else None))
