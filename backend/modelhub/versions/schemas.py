from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from modelhub.versions.formats import ModelFormat

ALIAS_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
RESERVED_ALIASES = frozenset({"latest"})  # always the newest version; cannot be moved by hand

AliasName = Annotated[str, StringConstraints(pattern=ALIAS_PATTERN)]


class Stage(StrEnum):
    none = "none"
    staging = "staging"
    production = "production"
    archived = "archived"


def _json_object(value: Any, what: str) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValueError(f"is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"must be a JSON object of {what}")
    return value


class VersionForm(BaseModel):
    """The form fields sent beside the file of a new version."""

    model_config = ConfigDict(extra="forbid")

    format: ModelFormat | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="JSON object: training parameters")
    metrics: dict[str, float] = Field(default_factory=dict, description="JSON object of numbers")
    dataset_id: str | None = Field(None, max_length=64, pattern=REFERENCE_PATTERN)
    source_execution_id: str | None = Field(None, max_length=100, pattern=REFERENCE_PATTERN)
    parent_version: int | None = Field(None, ge=1, le=10**9)
    notes: str | None = Field(None, max_length=5000)
    reference_stats: dict[str, Any] | None = Field(
        None, description="JSON object: drift reference statistics of the training features (drift/reference.py)"
    )

    preprocessing: dict[str, Any] | None = Field(
        None, description="JSON object: the fitted preprocessing scoring applies first (pipelines/preprocessing.py)"
    )

    @field_validator("reference_stats", mode="before")
    @classmethod
    def _reference_stats(cls, value: Any) -> Any:
        return None if value is None or value == "" else _json_object(value, "statistics per column")

    @field_validator("preprocessing", mode="before")
    @classmethod
    def _preprocessing(cls, value: Any) -> Any:
        return None if value is None or value == "" else _json_object(value, "preprocessing steps")

    @field_validator("params", mode="before")
    @classmethod
    def _params(cls, value: Any) -> Any:
        return _json_object(value, "parameters")

    @field_validator("metrics", mode="before")
    @classmethod
    def _metrics(cls, value: Any) -> Any:
        value = _json_object(value, "numbers")
        for name, number in value.items():
            if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
                raise ValueError(f"metric {name!r} must be a finite number")
        return value


class Lineage(BaseModel):
    dataset_id: str | None = None
    dataset_sha256: str | None = None
    source_execution_id: str | None = None
    parent_version: int | None = None


class VersionOut(BaseModel):
    model_id: str
    model_name: str
    version: int
    format: ModelFormat
    executes_code_on_load: bool = Field(description="pickle-based: loaded only in worker processes")
    size: int
    sha256: str
    filename: str
    content_type: str | None = None
    params: dict[str, Any] = {}
    metrics: dict[str, float] = {}
    notes: str | None = None
    stage: Stage
    aliases: list[str] = []
    lineage: Lineage
    created_at: str
    created_by: str
    stage_changed_at: str | None = None
    artifact_path: str
    reference_stats: dict[str, Any] | None = Field(
        None, description="drift reference statistics, when sent; null in lists (GET the version)"
    )
    preprocessing: dict[str, Any] | None = Field(
        None, description="fitted preprocessing applied before the model; null in lists (GET the version)"
    )
    framework: str | None = Field(None, description="from the MLmodel's flavor, for MLflow uploads")
    input_schema: dict[str, Any] | None = Field(None, description="JSON Schema from the MLflow signature's inputs")
    output_schema: dict[str, Any] | None = Field(None, description="JSON Schema from the MLflow signature's outputs")
    mlflow: dict[str, Any] | None = Field(None, description="MLmodel facts: flavors, signature, mlflow_version, ...")


class DatasetRef(BaseModel):
    id: str
    sha256: str | None = None
    name: str | None = None
    available: bool = Field(description="the dataset still exists with the same content")


class LineageOut(BaseModel):
    model_id: str
    model_name: str
    version: int
    sha256: str
    dataset: DatasetRef | None = None
    source_execution_id: str | None = None
    parent_version: int | None = None
    derived_versions: list[int] = Field(description="versions of this model whose parent is this one")


class AliasIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[int, Field(ge=1, le=10**9)] | AliasName = Field(description="a version number or an alias")


class StageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Stage
