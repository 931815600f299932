from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelhub.deployments.kinds import PipelineKind

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,98}[A-Za-z0-9._-]$"
ALIAS_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$"


class DeploymentStatus(StrEnum):
    active = "active"
    paused = "paused"


class DeploymentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, ge=1, le=10**9, description="a fixed model version (or give alias)")
    alias: str | None = Field(
        None, pattern=ALIAS_PATTERN, description="resolved when each run starts, e.g. champion or latest"
    )
    dataset_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    params: dict[str, Any] | None = Field(None, description="validated against the kind's JSON Schema")
    schedule: str | None = Field(
        None, max_length=100, description="cron expression (5 fields) or @hourly/@daily/@weekly/@monthly/@yearly"
    )
    timezone: str | None = Field(None, max_length=64, description="IANA name; the schedule is read in it")


class DeploymentCreate(DeploymentFields):
    name: str = Field(pattern=NAME_PATTERN, description="unique, case-insensitive")
    model_id: str = Field(max_length=128, pattern=REF_PATTERN, description="the model's id or name")
    kind: PipelineKind
    timezone: str = Field("UTC", max_length=64)


class DeploymentUpdate(DeploymentFields):
    name: str | None = Field(None, pattern=NAME_PATTERN)
    model_id: str | None = Field(None, max_length=128, pattern=REF_PATTERN)
    revision: int | None = Field(None, ge=1, description="the revision you edit (or send If-Match)")


class SyncOut(BaseModel):
    state: Literal["synced", "pending"] = Field(
        description="synced: Airflow runs this deployment's current spec and pause state; pending: not yet "
        "(just saved, or Airflow was unreachable), reconciled in the background"
    )
    error: str | None = None
    checked_at: str | None = None


class DeploymentOut(BaseModel):
    id: str
    name: str
    description: str | None = None
    model_id: str
    model_name: str
    version: int | None = None
    alias: str | None = None
    kind: PipelineKind
    dataset_id: str | None = None
    params: dict[str, Any] = {}
    schedule: str | None = None
    cron: str | None = Field(None, description="the schedule as a cron expression (presets expanded)")
    timezone: str
    paused: bool
    status: DeploymentStatus
    dag_id: str
    sync: SyncOut
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str | None = None
    revision: int


class SchedulePreviewOut(BaseModel):
    schedule: str | None
    cron: str | None
    timezone: str
    paused: bool | None = None
    next_runs: list[str] = Field(description="ISO 8601 with the timezone's offset")


class KindOut(BaseModel):
    kind: PipelineKind
    available: bool
    needs_dataset: bool
    params_schema: dict[str, Any] | None = None
