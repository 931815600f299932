from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext, get_context
from modelhub.executions.schemas import (
    ClaimIn,
    ClaimOut,
    ExecutionOut,
    ExecutionStatus,
    LogOut,
    ReportIn,
    ResultOut,
    Trigger,
)
from modelhub.executions.service import ExecutionsService
from modelhub.schemas import PageOut
from modelhub.timeutil import iso

router = APIRouter(prefix="/executions", tags=["executions"])
BROWSE = Depends(require(Permission.browse))
LOGS = Depends(require(Permission.read_logs))
TRIGGER = Depends(require(Permission.trigger_executions))
JOBS = Depends(require(Permission.manage_deployments))  # and the service account only (checked by the service)


async def service(context: AppContext = Depends(get_context)) -> ExecutionsService:
    return ExecutionsService(context)


@router.get("", response_model=PageOut[ExecutionOut], summary="List executions, newest first")
def list_executions(
    deployment_id: str | None = Query(None, max_length=64),
    model_id: str | None = Query(None, max_length=128, description="a model's id or name"),
    status: list[ExecutionStatus] = Query([], max_length=5),
    triggered_by: str | None = Query(None, max_length=200, description="a username, or 'schedule'"),
    trigger: Trigger | None = None,
    since: datetime | None = Query(None, description="created at or after"),
    until: datetime | None = Query(None, description="created before"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=2000),
    _: Principal = BROWSE,
    executions: ExecutionsService = Depends(service),
):
    flt: dict = {}
    if deployment_id:
        flt["deployment_id"] = deployment_id
    if model_id:
        flt["model_id"] = model_id
    if status:
        flt["status"] = status[0].value if len(status) == 1 else {"$in": [s.value for s in status]}
    if triggered_by:
        flt["triggered_by"] = triggered_by
    if trigger:
        flt["trigger"] = trigger.value
    if since:
        flt["since"] = iso(since)
    if until:
        flt["until"] = iso(until)
    return PageOut.of(executions.list(flt, limit, cursor), lambda doc: ExecutionOut(**doc))


@router.get(
    "/{execution_id}", response_model=ExecutionOut, summary="One execution with the state and times of each task"
)
def get_execution(execution_id: str, _: Principal = BROWSE, executions: ExecutionsService = Depends(service)):
    return ExecutionOut(**executions.get(execution_id))


@router.post(
    "/{execution_id}/cancel",
    response_model=ExecutionOut,
    summary="Cancel a queued or running execution (your own; any with cancel_any_execution)",
    responses={409: {"description": "already finished"}, 503: {"description": "orchestrator unavailable"}},
)
def cancel_execution(execution_id: str, actor: Principal = TRIGGER, executions: ExecutionsService = Depends(service)):
    return ExecutionOut(**executions.cancel(actor, execution_id))


@router.get(
    "/{execution_id}/logs",
    response_model=LogOut,
    summary="A task's log, while it runs and after; send back `offset` to get only new lines",
)
def execution_logs(
    execution_id: str,
    task: str | None = Query(None, max_length=250, description="default: the pipeline's task"),
    try_number: int | None = Query(None, ge=1, le=1000, alias="try", description="default: the latest try"),
    offset: int = Query(0, ge=0, le=10**9, description="lines already read"),
    _: Principal = LOGS,
    executions: ExecutionsService = Depends(service),
):
    return LogOut(**executions.logs(execution_id, task, try_number, offset))


@router.get(
    "/{execution_id}/logs/stream",
    summary="A task's log as server-sent events: `line` events, then `end` when the task try is over",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def stream_execution_logs(
    execution_id: str,
    task: str | None = Query(None, max_length=250),
    try_number: int | None = Query(None, ge=1, le=1000, alias="try"),
    offset: int = Query(0, ge=0, le=10**9),
    last_event_id: str | None = Header(None, max_length=20),
    _: Principal = LOGS,
    executions: ExecutionsService = Depends(service),
):
    executions.repo.get(execution_id)  # 404 now, not inside the stream
    if last_event_id and last_event_id.isdigit():  # a reconnecting EventSource resumes where it was
        offset = max(offset, int(last_event_id))
    return StreamingResponse(
        executions.log_stream(execution_id, task, try_number, offset),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/{execution_id}/results", response_model=list[ResultOut], summary="Files the execution wrote")
def list_results(execution_id: str, _: Principal = BROWSE, executions: ExecutionsService = Depends(service)):
    return [ResultOut(**item) for item in executions.results(execution_id)]


@router.get(
    "/{execution_id}/results/{name:path}",
    summary="Download one result (streamed; byte ranges supported)",
    response_class=StreamingResponse,
)
def download_result(
    execution_id: str,
    name: str,
    range_header: str | None = Header(None, alias="range", max_length=200),
    _: Principal = BROWSE,
    executions: ExecutionsService = Depends(service),
):
    return executions.result(execution_id, name, range_header)


@router.post(
    "/{execution_id}/claim",
    response_model=ClaimOut,
    summary="For pipeline jobs: start an execution and get its inputs (service account only)",
)
def claim_execution(
    execution_id: str, data: ClaimIn, actor: Principal = JOBS, executions: ExecutionsService = Depends(service)
):
    return ClaimOut(**executions.claim(actor, execution_id, data.deployment_id, data.dag_id, data.run_id))


@router.post(
    "/{execution_id}/report",
    response_model=ExecutionOut,
    summary="For pipeline jobs: report the outcome and results (service account only)",
)
def report_execution(
    execution_id: str, data: ReportIn, actor: Principal = JOBS, executions: ExecutionsService = Depends(service)
):
    return ExecutionOut(**executions.report(actor, execution_id, data))
