from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class SeriesGroup(BaseModel):
    labels: dict[str, str | None]  # the group-by label values of this line
    points: list[tuple[datetime, float]]  # (bucket start, aggregated value), oldest first


class SeriesOut(BaseModel):
    series: str
    start: datetime
    end: datetime
    bucket_s: int
    aggregate: str
    filters: dict[str, str]
    groups: list[SeriesGroup]


class DayStatus(BaseModel):
    day: datetime
    success: int = 0
    failed: int = 0
    cancelled: int = 0


class CountByName(BaseModel):
    name: str
    count: float


class DriftSummary(BaseModel):
    model_name: str
    day: datetime
    features_tested: int
    features_drifted: int


class OverviewOut(BaseModel):
    start: datetime
    end: datetime
    executions_per_day: list[DayStatus]
    executions_total: int
    success_rate: float | None  # finished executions that succeeded, None when none finished
    avg_execution_duration_s: float | None
    models_total: int
    models_by_department: list[CountByName]
    predictions_total: float
    top_models_by_predictions: list[CountByName]
    latest_drift: list[DriftSummary]  # per model, its latest day with drift checks


class DashboardLink(BaseModel):
    tool: str  # grafana | superset
    title: str
    url: str


class LinksOut(BaseModel):
    grafana_url: str | None
    superset_url: str | None
    dashboards: list[DashboardLink]
