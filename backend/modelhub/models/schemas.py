from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Annotated, Any

from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

# 2 to 100 characters: letters, digits, space, '.', '_', '-'; starts with a letter or digit and does
# not end with a space. A 32-hex-digit name is refused: it would read like a model id in paths.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,98}[A-Za-z0-9._-]$"
ID_LIKE = re.compile(r"^[0-9a-f]{32}$")
TAG_PATTERN = r"^[a-z0-9][a-z0-9 ._:+-]{0,49}$"
OWNER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"
MAX_SCHEMA_BYTES = 256 * 1024

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tag = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),  # normalise, then check
    StringConstraints(pattern=TAG_PATTERN),
]


class Framework(StrEnum):
    sklearn = "sklearn"
    pytorch = "pytorch"
    tensorflow = "tensorflow"
    xgboost = "xgboost"
    lightgbm = "lightgbm"
    onnx = "onnx"
    mlflow = "mlflow"
    other = "other"


class TaskType(StrEnum):
    classification = "classification"
    regression = "regression"
    forecasting = "forecasting"
    clustering = "clustering"
    ranking = "ranking"
    nlp = "nlp"
    vision = "vision"
    other = "other"


def check_json_schema(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if len(json.dumps(value)) > MAX_SCHEMA_BYTES:
        raise ValueError(f"is larger than {MAX_SCHEMA_BYTES} bytes")
    try:
        validator_for(value).check_schema(value)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(root)"
        raise ValueError(f"is not a valid JSON Schema at {where}: {exc.message}") from None
    return value


def check_name(value: str | None) -> str | None:
    if value is not None and ID_LIKE.match(value):
        raise ValueError("must not look like a model id (32 hexadecimal digits)")
    return value


def unique_tags(value: list[str] | None) -> list[str] | None:
    return None if value is None else list(dict.fromkeys(value))


class ModelFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(None, max_length=5000)
    department: Label | None = None
    geography: Label | None = None
    owner: str | None = Field(None, pattern=OWNER_PATTERN, description="a username; defaults to the creator")
    framework: Framework | None = None
    task_type: TaskType | None = None
    tags: list[Tag] | None = Field(None, max_length=30)
    input_schema: dict[str, Any] | None = Field(None, description="JSON Schema of one input record")
    output_schema: dict[str, Any] | None = Field(None, description="JSON Schema of one prediction")
    documentation: str | None = Field(None, max_length=200_000, description="Markdown")

    _schemas = field_validator("input_schema", "output_schema")(check_json_schema)
    _tags = field_validator("tags")(unique_tags)


class ModelCreate(ModelFields):
    name: str = Field(pattern=NAME_PATTERN, description="unique, case-insensitive; letters, digits, ' ._-'")
    framework: Framework = Framework.other
    task_type: TaskType = TaskType.other

    _name = field_validator("name")(check_name)


class ModelUpdate(ModelFields):
    name: str | None = Field(None, pattern=NAME_PATTERN)
    version: int | None = Field(None, ge=1, description="the version you edit (or send If-Match)")

    _name = field_validator("name")(check_name)


class ModelSummary(BaseModel):
    id: str
    name: str
    description: str | None = None
    department: str | None = None
    geography: str | None = None
    owner: str
    framework: Framework
    task_type: TaskType
    tags: list[str] = []
    latest_version: int | None = None
    aliases: dict[str, int] = {}
    created_at: str
    created_by: str
    updated_at: str
    version: int


class ModelOut(ModelSummary):
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    documentation: str | None = None


class FacetValue(BaseModel):
    value: str
    count: int


class FacetsOut(BaseModel):
    total: int
    facets: dict[str, list[FacetValue]]


class ModelEventAction(StrEnum):
    create = "model.create"
    update = "model.update"
    version_create = "model.version.create"
    version_delete = "model.version.delete"
    alias_set = "model.alias.set"
    alias_delete = "model.alias.delete"
    stage = "model.version.stage"
    drift = "model.drift"


class ModelEvent(BaseModel):
    """One entry of a model's history; `summary` is the sentence the web page shows."""

    id: str
    at: str
    actor: str = Field(description="who did it; `system` for the platform itself")
    action: ModelEventAction
    summary: str
    version: int | None = Field(None, description="the version concerned (the alias's new target for alias moves)")
    alias: str | None = None
    previous_version: int | None = Field(None, description="where the alias pointed before")
    stage: str | None = None
    previous_stage: str | None = None
    archived_versions: list[int] = Field([], description="versions archived by this move to production")
    fields: list[str] = Field([], description="the model fields an edit changed")
    drift_status: str | None = None
    drifted_features: list[str] = []
