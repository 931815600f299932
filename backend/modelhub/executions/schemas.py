from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[0-9a-f]{32}$"


class ExecutionStatus(StrEnum):
    queued = "queued"
    running = "running"
    success = "success"
    failed = "failed"
    cancelled = "cancelled"


class Trigger(StrEnum):
    manual = "manual"  # POST /api/deployments/{id}/executions
    schedule = "schedule"  # started by Airflow's scheduler from the deployment's cron
    airflow = "airflow"  # started in Airflow itself (its UI or API), adopted by ModelHub


class TriggerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    params: dict[str, Any] | None = Field(
        None, description="overrides of the deployment's parameters for this run, validated like them"
    )


class TaskOut(BaseModel):
    task_id: str
    state: str | None = None
    try_number: int = 0
    start_date: str | None = None
    end_date: str | None = None
    duration: float | None = None


class ResultSummary(BaseModel):
    name: str
    size: int | None = None
    sha256: str | None = None
    rows: int | None = None
    content_type: str | None = None


class ExecutionOut(BaseModel):
    id: str
    deployment_id: str
    deployment_name: str
    kind: str
    dag_id: str
    run_id: str | None = None
    model_id: str
    model_name: str
    version: int | None = Field(None, description="the version the deployment names, if fixed")
    alias: str | None = Field(None, description="the alias the deployment names, resolved when the run starts")
    model_version: int | None = Field(None, description="the version the run used (known once it started)")
    dataset_id: str | None = None
    params: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    status: ExecutionStatus
    trigger: Trigger
    triggered_by: str
    created_at: str
    started_at: str | None = None
    ended_at: str | None = None
    duration_s: float | None = None
    message: str | None = None
    cancelled_by: str | None = None
    rows: int | None = None
    results: list[ResultSummary] = []
    tasks: list[TaskOut] | None = Field(None, description="per task state and times (in the detail view)")


class ResultOut(BaseModel):
    name: str
    size: int
    content_type: str | None = None
    modified: str | None = None
    download_path: str


class LogLine(BaseModel):
    timestamp: str | None = None
    level: str | None = None
    source: str | None = None
    message: str


class LogOut(BaseModel):
    task_id: str
    try_number: int
    state: str | None = None
    finished: bool = Field(description="the task try is over: no line will follow")
    offset: int = Field(description="send it back as `offset` to get only the lines that follow")
    lines: list[LogLine]


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deployment_id: str = Field(pattern=ID_PATTERN)
    dag_id: str = Field(max_length=250)
    run_id: str = Field(max_length=250)


class ModelInput(BaseModel):
    """The model version the job uses; all None but id and name for a training job whose model has none yet."""

    id: str
    name: str
    version: int | None
    format: str | None
    object_key: str | None
    sha256: str | None
    size: int | None


class DatasetInput(BaseModel):
    id: str
    name: str
    format: str
    object_key: str
    sha256: str
    size: int
    row_count: int | None = None
    options: dict[str, str] = {}


class ClaimOut(BaseModel):
    execution: ExecutionOut
    params: dict[str, Any]
    model: ModelInput
    dataset: DatasetInput | None = None
    results_prefix: str


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["success", "failed"]
    message: str | None = Field(None, max_length=2000)
    model_version: int | None = None
    rows: int | None = Field(None, ge=0)
    seconds: float | None = Field(None, ge=0)
    results: list[ResultSummary] = Field(default_factory=list, max_length=100)
