from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext, get_context
from modelhub.drift.schemas import DriftOut, DriftReportIn, DriftReportOut
from modelhub.drift.service import DriftService

router = APIRouter(prefix="/models/{model_id}/drift", tags=["drift"])
BROWSE = Depends(require(Permission.browse))
JOBS = Depends(require(Permission.manage_deployments))  # and the service account only (checked by the service)


def service(context: AppContext = Depends(get_context)) -> DriftService:
    return DriftService(context)


@router.get("", response_model=DriftOut, summary="The latest drift reports of a model (monitoring deployments)")
def show_drift(
    model_id: str,
    limit: int = Query(10, ge=1, le=100, description="reports returned, newest first"),
    _: Principal = BROWSE,
    drift: DriftService = Depends(service),
):
    return DriftOut(**drift.show(model_id, limit))


@router.post(
    "",
    response_model=DriftReportOut,
    status_code=201,
    summary="For the monitoring job: record a drift report (service account only)",
)
def report_drift(model_id: str, data: DriftReportIn, actor: Principal = JOBS, drift: DriftService = Depends(service)):
    return DriftReportOut(**drift.record(actor, model_id, data))
