"""Pipeline kinds: the one place that says which exist, which can run now, and their parameters.

Every kind has a job (`modelhub.jobs`) that its DAG's task runs. A kind is offered by the API only
when its job exists in this release: the others answer 422 "kind X is not available yet" rather
than creating deployments that could only fail.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from jsonschema import Draft202012Validator

from modelhub.errors import ValidationFailed
from modelhub.jobs import JOBS


class PipelineKind(StrEnum):
    batch_scoring = "batch_scoring"
    training = "training"
    evaluation = "evaluation"
    monitoring = "monitoring"


IDENTIFIER = {"type": "string", "minLength": 1, "maxLength": 200}

# JSON Schema of each kind's parameters (Draft 2020-12). Defaults are documentation: the job
# applies them, so a deployment stores only what its author chose.
PARAMS_SCHEMAS: dict[PipelineKind, dict[str, Any]] = {
    PipelineKind.batch_scoring: {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "id_column": {
                "anyOf": [IDENTIFIER, {"type": "null"}],
                "default": "id",
                "description": "column copied from each input row to its prediction; null numbers the rows",
            },
            "features": {
                "type": "array",
                "items": IDENTIFIER,
                "minItems": 1,
                "maxItems": 10000,
                "uniqueItems": True,
                "description": "input columns, in the model's order; default: the model's feature_names_in_, "
                "else every column but the id",
            },
            "prediction_column": {**IDENTIFIER, "default": "prediction"},
            "include_probabilities": {
                "type": "boolean",
                "default": False,
                "description": "add one probability column per class (classifiers with predict_proba)",
            },
            "batch_size": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 50_000},
        },
    },
}
NEEDS_DATASET = {PipelineKind.batch_scoring, PipelineKind.evaluation, PipelineKind.monitoring}


def available(kind: PipelineKind) -> bool:
    return kind.value in JOBS and kind in PARAMS_SCHEMAS


def available_kinds() -> list[str]:
    return [kind.value for kind in PipelineKind if available(kind)]


def check_kind(kind: PipelineKind) -> None:
    if not available(kind):
        raise ValidationFailed(
            f"kind {kind.value} is not available yet (available: {', '.join(available_kinds())})",
            details={"field": "kind", "available": available_kinds()},
        )


def validate_params(kind: PipelineKind, params: dict[str, Any], field: str = "params") -> None:
    """422 naming each offending parameter, as `params.<path>`."""
    validator = Draft202012Validator(PARAMS_SCHEMAS[kind])
    problems = []
    for error in sorted(validator.iter_errors(params), key=lambda e: list(map(str, e.absolute_path))):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = ", ".join(sorted(PARAMS_SCHEMAS[kind]["properties"]))
            extra = sorted(set(error.instance) - set(PARAMS_SCHEMAS[kind]["properties"]))
            for name in extra:
                problems.append(
                    {"field": f"{field}.{name}", "message": f"unknown parameter for {kind.value} (known: {allowed})"}
                )
            continue
        problems.append({"field": f"{field}.{path}" if path else field, "message": error.message})
    if problems:
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        raise ValidationFailed(summary, details=problems)
