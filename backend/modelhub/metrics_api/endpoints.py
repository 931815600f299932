from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request

from modelhub.auth.dependencies import require
from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.errors import BadRequest
from modelhub.metrics_api.schemas import LinksOut, OverviewOut, SeriesOut
from modelhub.metrics_api.service import MetricsReader, OverviewCache, recent_end, time_range

router = APIRouter(tags=["metrics"])
BROWSE = Depends(require(Permission.browse))


async def reader(request: Request) -> MetricsReader:
    state = request.app.state
    if getattr(state, "overview_cache", None) is None:  # one per app: each app has its own stores
        state.overview_cache = OverviewCache()
    return MetricsReader(state.context, state.overview_cache)


@router.get("/metrics", response_model=SeriesOut, summary="One metric series, bucketed and aggregated per label group")
def get_metrics(
    series: str = Query(..., max_length=200, description="e.g. prediction.count, execution.duration_s"),
    start: datetime | None = Query(None, description="inclusive; default end minus 7 days"),
    end: datetime | None = Query(None, description="exclusive; default now"),
    bucket: str | None = Query(None, max_length=12, description="seconds or 5m, 1h, 1d, 1w; default about 200 buckets"),
    aggregate: Literal["avg", "sum", "min", "max", "count"] = "avg",
    model: str | None = Query(None, max_length=200, description="a model's id or name"),
    department: str | None = Query(None, max_length=200),
    label: list[str] = Query([], max_length=10, description="more label filters, key:value"),
    group_by: list[str] = Query([], max_length=3, description="label keys, one line per value combination"),
    _: Principal = BROWSE,
    metrics: MetricsReader = Depends(reader),
):
    start, end = time_range(start, end, default_days=7)
    labels = metrics.filters(model, department)
    for item in label:
        key, sep, value = item.partition(":")
        if not sep or not key:
            raise BadRequest("label filters are key:value", details={"field": "label"})
        labels[key] = value
    return metrics.series(series, start, end, bucket, aggregate, labels, group_by)


@router.get(
    "/dashboards/overview",
    response_model=OverviewOut,
    summary="The web UI's overview: executions, models, predictions, drift",
)
def get_overview(
    start: datetime | None = Query(None, description="inclusive; default end minus 30 days"),
    end: datetime | None = Query(
        None, description="exclusive; default now, rounded up to the overview's cache period (15 s)"
    ),
    model: str | None = Query(None, max_length=200, description="a model's id or name"),
    department: str | None = Query(None, max_length=200),
    _: Principal = BROWSE,
    metrics: MetricsReader = Depends(reader),
):
    start, end = time_range(start, end or recent_end(), default_days=30)
    return metrics.overview(start, end, metrics.filters(model, department))


@router.get("/dashboards/links", response_model=LinksOut, summary="Grafana and Superset, when configured")
def get_links(_: Principal = BROWSE, metrics: MetricsReader = Depends(reader)):
    return metrics.links()
