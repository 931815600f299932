"""Evaluation: a version's quality on a labelled dataset, compared with the champion, and a promotion gate.

Two steps, two Airflow tasks:
- `evaluate`: the deployment's version (fixed or through its alias) scores the dataset batch by
  batch, after the version's own preprocessing when it carries one; metrics by task type, a
  confusion matrix and ROC/PR curves (or predicted-vs-actual) as JSON and PNG results; the version
  holding the `champion` alias is scored on the same rows; `model.metric` points (split `test`,
  the dataset's id) go to the metrics store;
- `promote`: the gate. With `promote_to` set, the alias moves to the evaluated version when its
  `metric` beats the champion's by at least `min_improvement` (in the metric's units, the right
  way round for error metrics), or when there is no champion yet. The decision is a result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelhub.jobs.api import JobError
from modelhub.jobs.context import JobContext, result_entry

STEPS = ("evaluate", "promote")
DEFAULTS: dict[str, Any] = {
    "target": None,
    "task_type": None,
    "metric": None,
    "id_column": None,
    "promote_to": None,
    "min_improvement": 0.0,
    "batch_size": 50_000,
}
CHAMPION = "champion"


def run_step(context: JobContext, step: str) -> dict[str, Any]:
    return {"evaluate": evaluate, "promote": promote}[step](context)


def load_version_model(path: Path, fmt: str):
    if fmt == "torch_state_dict":
        from modelhub.pipelines.families import TorchMLP

        try:
            return TorchMLP.load(path)
        except ValueError as exc:
            raise JobError(f"this torch version cannot be evaluated: {exc}") from exc
    from modelhub.jobs.batch_scoring import load_model

    return load_model(path, fmt)


class Scorer:
    """A version ready to score raw rows: its model and, when it has one, its preprocessing."""

    def __init__(self, context: JobContext, model_id: str, version: dict[str, Any]):
        from modelhub.pipelines.preprocessing import FittedPreprocessing

        self.number = version["version"]
        claimed = context.inputs.get("model") or {}
        suffix = "." + version["format"]
        if claimed.get("version") == self.number and claimed.get("object_key"):
            with context.download(claimed["object_key"], suffix=suffix) as path:
                self.model = load_version_model(path, version["format"])
        else:  # another version (the champion): its file through the API
            with context.api.download_artifact(model_id, self.number, suffix) as path:
                self.model = load_version_model(path, version["format"])
        data = version.get("preprocessing")
        self.preprocessing = FittedPreprocessing.from_dict(data) if data else None
        self.params = version.get("params") or {}

    def features(self, frame, target: str, id_column: str | None):
        if self.preprocessing is not None:  # the model was fitted on these columns as a matrix
            from modelhub.pipelines.preprocessing import PreprocessingError

            try:
                return self.preprocessing.apply(frame).to_numpy(dtype="float64")
            except PreprocessingError as exc:
                raise JobError(f"version {self.number}: {exc}") from exc
        names = getattr(self.model, "feature_names_in_", None)
        if names is not None:
            wanted = [str(c) for c in names]
        else:
            wanted = self.params.get("features") or [c for c in frame.columns if c not in (target, id_column)]
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            shown = ", ".join(missing[:10])
            raise JobError(f"the dataset lacks the feature column(s) {shown} of version {self.number}")
        return frame[wanted]


def score(context: JobContext, scorer: Scorer, params: dict[str, Any], task_type: str):
    """(y_true, y_pred, probabilities or None) over the whole dataset, read in batches."""
    import numpy as np

    from modelhub.jobs.batch_scoring import read_batches

    target = params["target"]
    truth, predicted, probabilities = [], [], []
    proba = task_type == "classification" and hasattr(scorer.model, "predict_proba")
    for batch in read_batches(context, context.inputs["dataset"], params["batch_size"]):
        if target not in batch.columns:
            shown = ", ".join(map(str, batch.columns[:20]))
            raise JobError(f"the target column {target!r} is not in the dataset (columns: {shown})")
        batch = batch[batch[target].notna()]
        if batch.empty:
            continue
        X = scorer.features(batch, target, params["id_column"])
        try:
            predicted.append(np.asarray(scorer.model.predict(X)))
            if proba:
                probabilities.append(np.asarray(scorer.model.predict_proba(X)))
        except ValueError as exc:
            raise JobError(f"version {scorer.number} cannot score this dataset: {exc}") from exc
        truth.append(batch[target].to_numpy())
    if not truth:
        raise JobError("the dataset has no labelled rows to evaluate on")
    y_true = np.concatenate(truth)
    if task_type == "regression":
        try:
            y_true = y_true.astype(np.float64)
        except ValueError as exc:
            raise JobError(f"the target column {target!r} is not numeric: regression needs numbers ({exc})") from exc
    return y_true, np.concatenate(predicted), np.concatenate(probabilities) if probabilities else None


def metrics_of(task_type: str, scorer: Scorer, y_true, y_pred, proba) -> dict[str, float]:
    from modelhub.pipelines.evaluate import classification_metrics, regression_metrics

    if task_type == "classification":
        classes = getattr(scorer.model, "classes_", None)
        if classes is None:
            import numpy as np

            classes = np.unique(np.concatenate([y_true, y_pred]))
        return classification_metrics(y_true, y_pred, proba, classes)
    return regression_metrics(y_true, y_pred)


def evaluate(context: JobContext) -> dict[str, Any]:
    from modelhub.pipelines.evaluate import (
        DEFAULT_METRIC,
        classification_report,
        figures,
        metric_names,
        regression_report,
    )
    from modelhub.stores.metrics import MetricPoint

    model_ref, dataset = context.inputs["model"], context.inputs.get("dataset")
    if not dataset:
        raise JobError("evaluation needs a labelled dataset and this deployment has none")
    if not model_ref.get("version"):
        raise JobError("the deployment's model has no version to evaluate")
    model = context.api.get_model(model_ref["id"])
    version = context.api.find_version(model["id"], model_ref["version"])
    if version is None:
        raise JobError(f"model {model['name']} has no version {model_ref['version']} any more")
    trained = version.get("params") or {}
    params = {**DEFAULTS, **context.params}
    params["target"] = params["target"] or trained.get("target")
    task_type = params["task_type"] or trained.get("task_type") or model.get("task_type")
    if not params["target"]:
        raise JobError("set the parameter target: the version does not say which column is the label")
    if task_type not in ("classification", "regression"):
        raise JobError(f"set the parameter task_type (classification or regression); the model says {task_type!r}")
    metric = params["metric"] or DEFAULT_METRIC[task_type]
    if metric not in metric_names(task_type):
        names = ", ".join(metric_names(task_type))
        raise JobError(f"metric {metric} does not apply to {task_type} (use one of {names})")
    print(
        f"evaluation: {model['name']} version {version['version']} ({version['format']}) on dataset "
        f"{dataset['name']} ({dataset.get('row_count', '?')} rows), target {params['target']!r}, {task_type}",
        flush=True,
    )
    scorer = Scorer(context, model["id"], version)
    y_true, y_pred, proba = score(context, scorer, params, task_type)
    metrics = metrics_of(task_type, scorer, y_true, y_pred, proba)
    print(f"version {scorer.number} on {len(y_true)} rows: " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
    if task_type == "classification":
        report = classification_report(y_true, y_pred, proba, getattr(scorer.model, "classes_", sorted(set(y_true))))
    else:
        report = regression_report(y_true, y_pred)

    champion = None
    held = context.api.find_version(model["id"], CHAMPION)
    if held is not None and held["version"] != scorer.number:
        try:
            champion_scorer = Scorer(context, model["id"], held)
            c_true, c_pred, c_proba = score(context, champion_scorer, params, task_type)
            champion = {
                "version": held["version"],
                "metrics": metrics_of(task_type, champion_scorer, c_true, c_pred, c_proba),
            }
            shown = ", ".join(f"{k} {v:.4f}" for k, v in champion["metrics"].items())
            print(f"champion (version {held['version']}): {shown}", flush=True)
        except JobError as exc:  # a champion that cannot score this data is no reference
            champion = {"version": held["version"], "metrics": {}, "error": str(exc)}
            print(f"the champion (version {held['version']}) could not be scored: {exc}", flush=True)
    elif held is not None:
        print(f"version {scorer.number} is the champion itself", flush=True)
    else:
        print("the model has no champion yet", flush=True)

    summary = {
        "model_id": model["id"],
        "model_name": model["name"],
        "version": scorer.number,
        "dataset_id": dataset["id"],
        "task_type": task_type,
        "target": params["target"],
        "rows": len(y_true),
        "metric": metric,
        "metrics": metrics,
        "champion": champion,
        "champion_version": held["version"] if held is not None else None,
    }
    context.put_work_json("evaluation.json", summary)
    results = []
    for name, data, content_type in (
        ("metrics.json", json.dumps(summary, indent=1, default=str).encode(), "application/json"),
        ("evaluation.json", json.dumps(report, indent=1).encode(), "application/json"),
        *((n, png, "image/png") for n, png in figures(task_type, report, f"{model['name']} v{scorer.number}").items()),
    ):
        info = context.upload_result_bytes(name, data, content_type)
        results.append(result_entry(name, info, content_type))

    labels = {
        "model_id": model["id"],
        "model_name": model["name"],
        "department": model.get("department") or "",
        "geography": model.get("geography") or "",
        "version": str(scorer.number),
        "split": "test",
        "execution_id": context.execution_id,
        "dataset_id": dataset["id"],
    }
    context.write_metrics([MetricPoint("model.metric", v, labels={**labels, "metric": k}) for k, v in metrics.items()])
    return {"rows": len(y_true), "model_version": scorer.number, "results": results}


def decide(summary: dict[str, Any], promote_to: str | None, min_improvement: float) -> tuple[bool, str]:
    """(move the alias?, why) for the evaluated version against the champion."""
    from modelhub.pipelines.evaluate import improvement

    metric, number = summary["metric"], summary["version"]
    value = summary["metrics"].get(metric)
    if not promote_to:
        return False, "no promotion asked (set the parameter promote_to)"
    if value is None:
        return False, f"{metric} could not be computed for version {number}: not promoted"
    champion = summary.get("champion")
    if summary.get("champion_version") == number and promote_to == CHAMPION:
        return False, f"version {number} already is the champion"
    if champion is None or champion.get("metrics", {}).get(metric) is None:
        reason = "there is no champion yet" if summary.get("champion_version") is None else "the champion has no score"
        return True, f"{reason}: version {number} ({metric} {value:.4f}) becomes {promote_to}"
    reference = champion["metrics"][metric]
    gained = improvement(metric, value, reference)
    comparison = (
        f"{metric} {value:.4f} vs champion version {champion['version']} {reference:.4f} "
        f"(improvement {gained:+.4f}, required {min_improvement:+.4f})"
    )
    if gained >= min_improvement:
        return True, f"version {number} becomes {promote_to}: {comparison}"
    return False, f"version {number} is not promoted: {comparison}"


def promote(context: JobContext) -> dict[str, Any]:
    params = {**DEFAULTS, **context.params}
    summary = context.get_work_json("evaluation.json")
    if summary is None:
        raise JobError("the evaluation is missing from the work area: rerun the whole DAG run")
    move, reason = decide(summary, params["promote_to"], float(params["min_improvement"]))
    if move:
        context.api.set_alias(summary["model_id"], params["promote_to"], summary["version"])
    print(("PROMOTED: " if move else "") + reason, flush=True)
    decision = {
        "promote_to": params["promote_to"],
        "promoted": move,
        "reason": reason,
        "version": summary["version"],
        "metric": summary["metric"],
        "min_improvement": params["min_improvement"],
    }
    data = json.dumps(decision, indent=1).encode()
    info = context.upload_result_bytes("promotion.json", data, "application/json")
    value = summary["metrics"].get(summary["metric"])
    shown = f"{summary['metric']} {value:.4f}" if value is not None else "no score"
    return {
        "model_version": summary["version"],
        "message": f"version {summary['version']}: {shown}; {reason}",
        "results": [result_entry("promotion.json", info, "application/json")],
    }
