from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class DriftReportIn(BaseModel):
    """What the monitoring job sends (modelhub/jobs/monitoring.py): `compare()`'s answer and context."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=10**9)
    deployment_id: str | None = Field(None, max_length=64)
    execution_id: str | None = Field(None, max_length=100)
    source: Literal["prediction_log", "dataset"] = "prediction_log"
    samples: int = Field(ge=0)
    window_hours: float | None = Field(None, ge=0)
    thresholds: dict[str, float] = Field(default_factory=dict)
    features: dict[str, dict[str, Any]] = Field(max_length=10_000)
    drifted_features: list[str] = Field(default_factory=list)


class DriftReportOut(BaseModel):
    id: str
    model_id: str
    version: int
    status: Literal["ok", "drifted", "insufficient_data"]
    checked_at: str
    deployment_id: str | None = None
    execution_id: str | None = None
    source: str
    samples: int
    window_hours: float | None = None
    thresholds: dict[str, float] = {}
    drifted_features: list[str] = []
    features: dict[str, dict[str, Any]] = {}


class DriftOut(BaseModel):
    model_id: str
    model_name: str
    status: Literal["ok", "drifted", "insufficient_data", "unknown"] = Field(
        description="the latest report's status; unknown before the first monitoring run"
    )
    latest: DriftReportOut | None = None
    history: list[DriftReportOut] = Field(default_factory=list, description="earlier reports, newest first")
