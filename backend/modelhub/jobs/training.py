"""Training: Spark preprocessing, an Optuna search over model families, a new registered version.

Three steps, three Airflow tasks:
- `preprocess`: spark_jobs/preprocess.py on the deployment's dataset (profile, cleaning, encoding,
  scaling, seeded train/validation/test split), written to the execution's work area;
- `train`: the AutoML search (modelhub.pipelines.automl) on the training split, cross-validated,
  every trial tracked in MLflow; the best model refit on the training split and scored on the
  validation and test splits;
- `register`: the model uploaded through the API as a new version of the deployment's model, with
  its parameters, metrics, dataset, execution, preprocessing and drift reference statistics;
  `model.metric` points written to the metrics store.
Results of the execution: profile.json, trials.json, metrics.json.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from modelhub.jobs.api import JobError
from modelhub.jobs.context import JobContext, result_entry

STEPS = ("preprocess", "train", "register")
DEFAULTS: dict[str, Any] = {
    "n_trials": 20,
    "timeout_s": 600,
    "families": None,
    "cv_folds": 3,
    "seed": 42,
    "metric": None,
    "id_column": None,
    "drop_columns": [],
    "validation_fraction": 0.15,
    "test_fraction": 0.15,
    "encoding": "onehot",
    "max_categories": 20,
    "alias": None,
}
PREPARED = "prepared"
REFERENCE_ROWS = 50_000  # rows of the raw dataset the drift reference statistics are computed on


def params_of(context: JobContext) -> dict[str, Any]:
    params = {**DEFAULTS, **context.params}
    for name in ("target", "task_type"):
        if not params.get(name):
            raise JobError(f"the training deployment has no parameter {name}")
    return params


def run_step(context: JobContext, step: str) -> dict[str, Any]:
    return {"preprocess": preprocess, "train": train, "register": register}[step](context)


# -- preprocess ----------------------------------------------------------------------------------
def preprocess(context: JobContext) -> dict[str, Any]:
    from modelhub.pipelines.spark import SparkJobError, preprocess_with_spark

    params = params_of(context)
    dataset = context.inputs.get("dataset")
    if not dataset:
        raise JobError("training needs a dataset and this deployment has none")
    print(
        f"training: preprocessing dataset {dataset['name']} ({dataset['format']}, {dataset.get('row_count', '?')} rows)"
        f" for target {params['target']!r} ({params['task_type']}) with Spark",
        flush=True,
    )
    test, validation = params["test_fraction"], params["validation_fraction"]
    try:
        result = preprocess_with_spark(
            context.objects,
            input_key=dataset["object_key"],
            input_format=dataset["format"],
            output_prefix=context.work_prefix + PREPARED,
            target=params["target"],
            task_type=params["task_type"],
            id_column=params["id_column"],
            seed=params["seed"],
            fractions=(1 - validation - test, validation, test),
            encoding=params["encoding"],
            max_categories=params["max_categories"],
            drop_columns=params["drop_columns"],
            delimiter=(dataset.get("options") or {}).get("delimiter", ","),
            settings=context.settings,
            echo=lambda line: print(line, flush=True),
        )
    except SparkJobError as exc:
        problem = parquet_problem(context, dataset) if dataset["format"] == "parquet" else None
        raise JobError(f"the Parquet file is corrupt: {problem}" if problem else str(exc)) from exc
    profile = json.dumps(result.profile, indent=1, default=str).encode()
    info = context.upload_result_bytes("profile.json", profile, "application/json")
    rows = result.split_rows
    print(
        f"preprocessed in {result.seconds:.1f} s: {len(result.preprocessing.feature_names)} features; "
        f"rows train {rows.get('train')}, validation {rows.get('validation')}, test {rows.get('test')}",
        flush=True,
    )
    return {
        "rows": sum(rows.values()),
        "results": [result_entry("profile.json", info, "application/json")],
    }


def parquet_problem(context: JobContext, dataset: dict[str, Any]) -> str | None:
    """Why a Parquet dataset cannot be read, when that is why Spark failed (its own error names a
    Java call, not the file): every page is decoded, batch by batch, after the failure only."""
    import pyarrow.parquet as pq

    from modelhub.transfer.reader import open_seekable

    try:
        with open_seekable(context.objects, dataset["object_key"], dataset["size"]) as stream:
            for _ in pq.ParquetFile(stream).iter_batches(batch_size=65_536):
                pass
    except Exception as exc:  # noqa: BLE001 - whatever pyarrow says is the diagnosis
        return " ".join(str(exc).split())[:300] or type(exc).__name__
    return None


def load_prepared(context: JobContext):
    from modelhub.pipelines.preprocessing import FittedPreprocessing
    from modelhub.pipelines.spark import SPLITS, SparkJobError, read_split

    prefix = context.work_prefix + PREPARED
    try:
        fitted = FittedPreprocessing.from_json(context.objects.read_bytes(f"{prefix}/preprocessing.json"))
        frames = {split: read_split(context.objects, prefix, split) for split in SPLITS}
    except (SparkJobError, FileNotFoundError, KeyError) as exc:
        raise JobError(f"the preprocessed data is missing from the work area ({exc}): rerun the whole DAG run") from exc
    return fitted, frames


def xy(frame, fitted, task_type: str):
    import numpy as np

    X = frame[fitted.feature_names].to_numpy(dtype=np.float64)
    y = frame[fitted.target].to_numpy()
    if task_type == "regression":
        y = y.astype(np.float64)
    return X, y


# -- train ---------------------------------------------------------------------------------------
def train(context: JobContext) -> dict[str, Any]:
    from modelhub.pipelines import automl
    from modelhub.pipelines.evaluate import model_metrics
    from modelhub.pipelines.families import FAMILIES, TorchMLP, torch_device
    from modelhub.pipelines.tracking import Tracker

    params = params_of(context)
    task_type = params["task_type"]
    fitted, frames = load_prepared(context)
    X_train, y_train = xy(frames["train"], fitted, task_type)
    families, metric = automl.check_options(task_type, params["families"], params["metric"])
    model_ref = context.inputs.get("model") or {}
    print(
        f"training: {len(y_train)} rows x {X_train.shape[1]} features; families {', '.join(families)}; "
        f"metric {metric}; {params['n_trials']} trials or {params['timeout_s']} s; "
        f"{params['cv_folds']}-fold cross-validation; torch on {torch_device()}",
        flush=True,
    )
    tracker = Tracker(
        context.settings.mlflow_tracking_uri,
        f"modelhub/{model_ref.get('name') or 'model'}",
        run_name=f"execution-{context.execution_id}",
        tags={"modelhub.execution_id": context.execution_id, "modelhub.model_id": model_ref.get("id") or ""},
    )
    try:
        search = automl.search(
            X_train,
            y_train,
            task_type,
            families=families,
            metric=metric,
            n_trials=params["n_trials"],
            timeout_s=params["timeout_s"],
            cv_folds=params["cv_folds"],
            seed=params["seed"],
            on_trial=lambda result: tracker.trial(result, metric),
            log=lambda line: print(line, flush=True),
        )
    except automl.SearchFailed as exc:
        tracker.fail()
        raise JobError(str(exc)) from exc
    best = search.best
    print(f"best: trial {best.number}, {best.family}, cv {metric} {best.score:.4f}, {best.params}", flush=True)
    started = time.monotonic()
    model = FAMILIES[best.family].build(best.params, task_type, params["seed"], None)
    model.fit(X_train, y_train)
    metrics: dict[str, float] = {f"cv_{metric}": best.score}
    for split in ("validation", "test"):
        if len(frames[split]):
            X, y = xy(frames[split], fitted, task_type)
            for name, value in model_metrics(task_type, model, X, y).items():
                metrics[f"{split}_{name}"] = value
    print(f"refit in {time.monotonic() - started:.1f} s; " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))

    with tempfile.TemporaryDirectory(prefix="modelhub-train-") as tmp:
        if isinstance(model, TorchMLP):
            fmt, path = "torch_state_dict", Path(tmp) / "model.pt"
            model.save(path)
        else:
            from skops.io import dump

            fmt, path = "skops", Path(tmp) / "model.skops"
            dump(model, path)
        context.put_work_file("model", path)
        preprocessing = Path(tmp) / "preprocessing.json"
        preprocessing.write_text(fitted.to_json())
        summary = {
            "family": best.family,
            "hyperparameters": best.params,
            "metric": metric,
            "metrics": metrics,
            "format": fmt,
            "filename": path.name,
            "trials": len(search.trials),
            "search_seconds": round(search.seconds, 3),
            "mlflow_run_id": tracker.run_id if tracker.enabled else None,
            "features": fitted.feature_names,
            "classes": None if getattr(model, "classes_", None) is None else [str(c) for c in model.classes_],
        }
        tracker.finish(
            {"best_family": best.family, **{f"best.{k}": v for k, v in best.params.items()}},
            metrics,
            [path, preprocessing],
        )
    context.put_work_json("train.json", summary)
    leaderboard = [
        {
            "trial": t.number,
            "family": t.family,
            "params": t.params,
            f"cv_{metric}": t.score,
            "fold_scores": t.fold_scores,
            "seconds": round(t.seconds, 3),
            "error": t.error,
        }
        for t in search.trials
    ]
    data = json.dumps({"metric": metric, "best_trial": best.number, "trials": leaderboard}, indent=1).encode()
    info = context.upload_result_bytes("trials.json", data, "application/json")
    return {
        "rows": len(y_train),
        "results": [result_entry("trials.json", info, "application/json")],
    }


# -- register ------------------------------------------------------------------------------------
def reference_stats(context: JobContext, fitted) -> dict[str, Any] | None:
    """Drift reference statistics of the raw training inputs (S's compute_reference), when available."""
    try:
        from modelhub.drift.reference import compute_reference
    except ImportError:
        print("WARNING: modelhub.drift.reference is not available: the version gets no reference_stats", flush=True)
        return None
    from modelhub.jobs.batch_scoring import read_batches

    frame = next(read_batches(context, context.inputs["dataset"], REFERENCE_ROWS), None)
    if frame is None:
        return None
    columns = [c for c in fitted.input_columns if c in frame.columns]
    return compute_reference(frame[columns])


def register(context: JobContext) -> dict[str, Any]:
    from modelhub.pipelines.preprocessing import FittedPreprocessing
    from modelhub.stores.metrics import MetricPoint

    params = params_of(context)
    summary = context.get_work_json("train.json")
    if summary is None:
        raise JobError("the trained model is missing from the work area: rerun the whole DAG run")
    prefix = context.work_prefix + PREPARED
    preprocessing_json = context.objects.read_bytes(f"{prefix}/preprocessing.json")
    fitted = FittedPreprocessing.from_json(preprocessing_json)
    model_ref, dataset = context.inputs["model"], context.inputs["dataset"]
    model = context.api.get_model(model_ref["id"])
    stats = reference_stats(context, fitted)
    version_params = {
        "target": params["target"],
        "task_type": params["task_type"],
        "family": summary["family"],
        "hyperparameters": summary["hyperparameters"],
        "metric": summary["metric"],
        "features": fitted.input_columns,
        "n_trials": params["n_trials"],
        "trials_run": summary["trials"],
        "cv_folds": params["cv_folds"],
        "seed": params["seed"],
        "classes": summary["classes"],
        "mlflow_run_id": summary["mlflow_run_id"],
    }
    fields = {
        "format": summary["format"],
        "params": json.dumps(version_params, default=str),
        "metrics": json.dumps(summary["metrics"]),
        "dataset_id": dataset["id"],
        "source_execution_id": context.execution_id,
        "notes": f"AutoML training ({summary['family']}, best of {summary['trials']} trials) "
        f"by execution {context.execution_id}",
        "preprocessing": preprocessing_json.decode(),
    }
    if stats is not None:
        fields["reference_stats"] = json.dumps(stats, default=str)
    with context.download(context.work_prefix + "model", suffix="-" + summary["filename"]) as path:
        version = context.api.upload_version(model["id"], path, summary["filename"], fields)
    number = version["version"]
    print(f"registered {model['name']} version {number} ({summary['format']}, sha256 {version['sha256']})", flush=True)
    if params["alias"]:
        context.api.set_alias(model["id"], params["alias"], number)
        print(f"alias {params['alias']} -> version {number}", flush=True)

    labels = {
        "model_id": model["id"],
        "model_name": model["name"],
        "department": model.get("department") or "",
        "geography": model.get("geography") or "",
        "version": str(number),
        "execution_id": context.execution_id,
        "dataset_id": dataset["id"],
    }
    points = []
    for name, value in summary["metrics"].items():
        split, _, metric = name.partition("_")
        if split in ("validation", "test"):
            points.append(MetricPoint("model.metric", value, labels={**labels, "metric": metric, "split": split}))
    context.write_metrics(points)
    data = json.dumps({"version": number, **summary}, indent=1, default=str).encode()
    info = context.upload_result_bytes("metrics.json", data, "application/json")
    headline = summary["metric"]
    test_value = summary["metrics"].get(f"test_{headline}")
    shown = f", test {headline} {test_value:.4f}" if test_value is not None else ""
    return {
        "model_version": number,
        "message": f"registered version {number}: {summary['family']}{shown}",
        "results": [result_entry("metrics.json", info, "application/json")],
    }
