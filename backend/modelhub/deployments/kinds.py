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
            "engine": {
                "enum": ["auto", "pandas", "spark"],
                "default": "auto",
                "description": "auto: Spark for datasets of 256 MiB and more (scikit-learn files), else pandas",
            },
        },
    },
    PipelineKind.monitoring: {  # modelhub/jobs/monitoring.py, docs/serving.md
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "window_hours": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 24 * 366,
                "default": 24,
                "description": "compare the inputs of the online predictions logged in this many past hours "
                "(ignored when the deployment has a dataset: then the dataset is compared)",
            },
            "min_samples": {
                "type": "integer",
                "minimum": 1,
                "maximum": 10_000_000,
                "default": 100,
                "description": "fewer values of a feature: it is not tested (insufficient data)",
            },
            "max_samples": {"type": "integer", "minimum": 1, "maximum": 10_000_000, "default": 50_000},
            "features": {
                "type": "array",
                "items": IDENTIFIER,
                "minItems": 1,
                "uniqueItems": True,
                "description": "default: every column of the version's reference statistics",
            },
            "thresholds": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "ks_pvalue": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.05},
                    "chi2_pvalue": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.05},
                    "psi": {"type": "number", "exclusiveMinimum": 0, "default": 0.2},
                },
                "description": "a feature drifts when a p-value is below its threshold or PSI reaches its own",
            },
            "tests": {
                "type": "array",
                "items": {"enum": ["ks", "chi2", "psi"]},
                "minItems": 1,
                "uniqueItems": True,
                "default": ["ks", "chi2", "psi"],
            },
        },
    },
}
# training and evaluation: modelhub/jobs/{training,evaluation}.py, docs/pipelines.md
METRIC_NAMES = ["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "rmse", "mae", "r2"]
PARAMS_SCHEMAS[PipelineKind.training] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["target", "task_type"],
    "properties": {
        "target": {**IDENTIFIER, "description": "the label column of the dataset"},
        "task_type": {"enum": ["classification", "regression"]},
        "n_trials": {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 20},
        "timeout_s": {
            "type": "number",
            "minimum": 1,
            "maximum": 7 * 24 * 3600,
            "default": 600,
            "description": "time budget of the search; the trial running when it ends finishes",
        },
        "families": {
            "type": "array",
            "items": {"enum": ["linear", "random_forest", "gradient_boosting", "mlp"]},
            "minItems": 1,
            "uniqueItems": True,
            "description": "model families to search (default: all); mlp is a torch network, on CUDA when present",
        },
        "cv_folds": {"type": "integer", "minimum": 2, "maximum": 20, "default": 3},
        "seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1, "default": 42},
        "metric": {
            "enum": METRIC_NAMES,
            "description": "what the search optimises (default roc_auc for classification, rmse for regression)",
        },
        "id_column": {"anyOf": [IDENTIFIER, {"type": "null"}], "default": None, "description": "never a feature"},
        "drop_columns": {"type": "array", "items": IDENTIFIER, "uniqueItems": True, "default": []},
        "validation_fraction": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.45, "default": 0.15},
        "test_fraction": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.45, "default": 0.15},
        "encoding": {"enum": ["onehot", "index"], "default": "onehot", "description": "of categorical columns"},
        "max_categories": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 20},
        "alias": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9_-]{0,39}$",
            "not": {"const": "latest"},
            "description": "an alias the new version takes (e.g. challenger)",
        },
    },
}
PARAMS_SCHEMAS[PipelineKind.evaluation] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "target": {**IDENTIFIER, "description": "the label column (default: the version's training target)"},
        "task_type": {"enum": ["classification", "regression"], "description": "default: the version's or model's"},
        "metric": {"enum": METRIC_NAMES, "description": "what the gate compares (default roc_auc or rmse)"},
        "id_column": {"anyOf": [IDENTIFIER, {"type": "null"}], "default": None},
        "promote_to": {
            "anyOf": [{"enum": ["challenger", "champion"]}, {"type": "null"}],
            "default": None,
            "description": "move this alias to the version when it passes the gate; null: evaluate only",
        },
        "min_improvement": {
            "type": "number",
            "default": 0.0,
            "description": "how much better than the champion (in the metric's units, either direction) to pass",
        },
        "batch_size": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 50_000},
    },
}
# monitoring reads the prediction log unless its deployment names a dataset
NEEDS_DATASET = {PipelineKind.batch_scoring, PipelineKind.evaluation, PipelineKind.training}
# kinds whose deployment names the model it produces versions of, not a version it uses
NEEDS_NO_VERSION = {PipelineKind.training}


def check_dataset_columns(kind: PipelineKind, params: dict[str, Any], dataset: dict[str, Any] | None) -> None:
    """422 naming params.target when a training target is not a column of the dataset (when known)."""
    if kind is not PipelineKind.training or not dataset or not dataset.get("columns"):
        return
    names = [str(column.get("name")) for column in dataset["columns"]]
    target = params.get("target")
    if target is not None and target not in names:
        shown = ", ".join(names[:20]) + (f" (and {len(names) - 20} more)" if len(names) > 20 else "")
        raise ValidationFailed(
            f"params.target: the dataset has no column {target!r} (columns: {shown})",
            details=[{"field": "params.target", "message": f"not a column of the dataset: {target!r}"}],
        )


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
        if error.validator == "required":  # name the missing parameter itself
            missing = next((name for name in error.validator_value if name not in error.instance), "")
            path = ".".join(filter(None, [path, missing]))
        problems.append({"field": f"{field}.{path}" if path else field, "message": error.message})
    if problems:
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        raise ValidationFailed(summary, details=problems)
