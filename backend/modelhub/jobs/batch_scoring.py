"""Batch scoring: a registered scikit-learn model version scores a dataset, batch by batch.

Writes `executions/<id>/results/predictions.csv` (the id column of each input row, then the
prediction, then optionally one probability column per class) to the object store, and reports
it to the backend. Memory stays bounded by the batch size: the dataset is read in batches from
the object store and predictions go to a temporary file before being streamed to the store.

A version registered by a training job carries its fitted preprocessing: each batch is transformed
with it before the model sees it (the model's features are the preprocessing's outputs). The job
writes `prediction.count` and `prediction.latency_ms` (per batch) points with source `batch`.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modelhub.jobs.api import JobError
from modelhub.jobs.context import JobContext, result_entry
from modelhub.transfer.reader import open_seekable, open_stream

DEFAULTS = {
    "id_column": "id",
    "features": None,
    "prediction_column": "prediction",
    "include_probabilities": False,
    "batch_size": 50_000,
    "engine": "auto",
}
# engine auto: Spark (spark_jobs/score.py) for datasets this large and scikit-learn files, else pandas
SPARK_FROM_BYTES = 256 * 1024**2
SPARK_FORMATS = ("skops", "joblib", "pickle")
RESULT_NAME = "predictions.csv"
STEP_LABELS = {"batch_scoring": "score"}  # the step label of its job.step_duration_s and job.rows points
# skops refuses to build types it does not know; these libraries' types are what a scikit-learn
# model is made of. Anything else in the file fails the job with the names of the types.
TRUSTED_TYPE_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.", "_codecs.")


def load_model(path: Path, fmt: str):
    if fmt == "skops":
        from skops.io import get_untrusted_types, load

        untrusted = get_untrusted_types(file=path)
        refused = [name for name in untrusted if not name.startswith(TRUSTED_TYPE_PREFIXES)]
        if refused:
            raise JobError(f"the skops file holds types ModelHub does not load: {', '.join(refused[:10])}")
        return load(path, trusted=untrusted)
    if fmt in ("joblib", "pickle"):
        import joblib  # runs code from the file: this is why it happens here, in the job process

        return joblib.load(path)
    if fmt == "torch_state_dict":  # the MLP of a training job: tensors and plain values, weights_only
        from modelhub.pipelines.families import TorchMLP

        try:
            return TorchMLP.load(path)
        except (ValueError, KeyError, RuntimeError) as exc:
            raise JobError(f"this torch file is not a ModelHub MLP ModelHub can load: {exc}") from exc
    raise JobError(
        "batch scoring loads scikit-learn models (skops, joblib or pickle files) and ModelHub's MLP; "
        f"this version is {fmt}"
    )


def read_batches(context: JobContext, dataset: dict[str, Any], batch_size: int) -> Iterator[Any]:
    import pandas as pd

    fmt, key = dataset["format"], dataset["object_key"]
    if fmt == "csv":
        delimiter = (dataset.get("options") or {}).get("delimiter", ",")
        with open_stream(context.objects, key) as stream:
            yield from pd.read_csv(stream, sep=delimiter, chunksize=batch_size)
    elif fmt == "jsonl":
        with open_stream(context.objects, key) as stream:
            yield from pd.read_json(stream, lines=True, chunksize=batch_size)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        with open_seekable(context.objects, key, dataset["size"]) as stream:
            for batch in pq.ParquetFile(stream).iter_batches(batch_size=batch_size):
                yield batch.to_pandas()
    else:
        raise JobError(f"cannot read a dataset in format {fmt!r}")


def feature_columns(model, frame, params: dict[str, Any]) -> list[str]:
    if params["features"]:
        wanted = list(params["features"])
    elif hasattr(model, "feature_names_in_"):
        wanted = [str(c) for c in model.feature_names_in_]
    else:
        wanted = [c for c in frame.columns if c != params["id_column"]]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise JobError(
            f"the dataset lacks the model's feature column(s) {', '.join(missing[:10])} "
            f"(it has {', '.join(map(str, frame.columns[:20]))})"
        )
    return wanted


def run(context: JobContext) -> dict[str, Any]:
    params = {**DEFAULTS, **context.params}
    model_ref, dataset = context.inputs["model"], context.inputs.get("dataset")
    if not dataset:
        raise JobError("batch scoring needs a dataset and this deployment has none")
    print(
        f"batch scoring: model {model_ref['name']} version {model_ref['version']} ({model_ref['format']}), "
        f"dataset {dataset['name']} ({dataset.get('row_count', '?')} rows, {dataset['format']})",
        flush=True,
    )
    preprocessing = version_preprocessing(context, model_ref)
    if use_spark(params["engine"], model_ref["format"], dataset["size"]):
        return score_in_spark(context, params, model_ref, dataset, preprocessing)
    started = time.monotonic()
    with context.download(model_ref["object_key"], suffix="." + model_ref["format"]) as path:
        model = load_model(path, model_ref["format"])
    print(f"loaded {type(model).__name__} in {time.monotonic() - started:.2f} s", flush=True)
    probabilities = params["include_probabilities"]
    if probabilities and not hasattr(model, "predict_proba"):
        raise JobError(f"include_probabilities is set but {type(model).__name__} has no predict_proba")

    id_column, prediction_column = params["id_column"], params["prediction_column"]
    fd, name = tempfile.mkstemp(prefix="modelhub-predictions-", suffix=".csv")
    os.close(fd)
    out_path = Path(name)
    rows = 0
    latencies: list[float] = []
    try:
        with out_path.open("w", newline="", encoding="utf-8") as out:
            columns: list[str] | None = None
            for batch in read_batches(context, dataset, params["batch_size"]):
                if columns is None:
                    columns = preprocessing.input_columns if preprocessing else feature_columns(model, batch, params)
                    if id_column is not None and id_column not in batch.columns:
                        raise JobError(
                            f"the dataset has no id column {id_column!r}; set the parameter id_column "
                            "(null numbers the rows)"
                        )
                result = batch[[id_column]].copy() if id_column is not None else _row_numbers(batch, rows)
                began = time.monotonic()
                features = transformed(preprocessing, batch) if preprocessing else batch[columns]
                result[prediction_column] = model.predict(features)
                if probabilities:
                    proba = model.predict_proba(features)
                    for index, label in enumerate(model.classes_):
                        result[f"probability_{label}"] = proba[:, index]
                latencies.append((time.monotonic() - began) * 1000)
                result.to_csv(out, header=rows == 0, index=False)
                rows += len(batch)
                print(f"scored {rows} rows", flush=True)
        if rows == 0:
            raise JobError("the dataset has no rows")
        info = context.upload_result(RESULT_NAME, out_path, "text/csv")
    finally:
        out_path.unlink(missing_ok=True)
    print(f"wrote {rows} predictions to {info.key} ({info.size} bytes, sha256 {info.sha256})", flush=True)
    prediction_points(context, model_ref, rows, latencies)
    return {
        "model_version": model_ref["version"],
        "rows": rows,
        "results": [
            {"name": RESULT_NAME, "size": info.size, "sha256": info.sha256, "rows": rows, "content_type": "text/csv"}
        ],
    }


def _row_numbers(batch, offset: int):
    import pandas as pd

    return pd.DataFrame({"row": range(offset, offset + len(batch))}, index=batch.index)


def version_preprocessing(context: JobContext, model_ref: dict[str, Any]):
    """The fitted preprocessing the version carries (versions registered by training), or None."""
    version = context.api.find_version(model_ref["id"], model_ref["version"])
    data = (version or {}).get("preprocessing")
    if not data:
        return None
    from modelhub.pipelines.preprocessing import FittedPreprocessing

    fitted = FittedPreprocessing.from_dict(data)
    print(f"applying the version's preprocessing: {len(fitted.input_columns)} input columns", flush=True)
    return fitted


def transformed(preprocessing, batch):
    from modelhub.pipelines.preprocessing import PreprocessingError

    try:
        return preprocessing.apply(batch).to_numpy(dtype="float64")
    except PreprocessingError as exc:
        raise JobError(str(exc)) from exc


def prediction_points(context: JobContext, model_ref: dict[str, Any], rows: int, latencies: list[float]) -> None:
    from modelhub.stores.metrics import MetricPoint

    try:
        model = context.api.get_model(model_ref["id"])
    except JobError:
        model = {}
    execution = context.inputs.get("execution") or {}
    labels = {
        "model_id": model_ref["id"],
        "model_name": model_ref["name"],
        "department": model.get("department") or "",
        "version": str(model_ref["version"]),
        "caller": execution.get("triggered_by") or "",
        "source": "batch",
    }
    points = [MetricPoint("prediction.count", rows, labels=labels)]
    points += [MetricPoint("prediction.latency_ms", ms, labels=labels) for ms in latencies]
    context.write_metrics(points)


def use_spark(engine: str, fmt: str, size: int) -> bool:
    if engine == "spark":
        if fmt not in SPARK_FORMATS:
            formats = ", ".join(SPARK_FORMATS)
            raise JobError(f"engine spark scores scikit-learn files ({formats}); this version is {fmt}")
        return True
    return engine == "auto" and fmt in SPARK_FORMATS and size >= SPARK_FROM_BYTES


def score_in_spark(context: JobContext, params: dict[str, Any], model_ref: dict[str, Any], dataset, preprocessing):
    """The same predictions file, computed by spark_jobs/score.py (backend/modelhub/pipelines/spark.py)."""
    from modelhub.pipelines.spark import SparkJobError, score_with_spark

    print(f"scoring with Spark (master {context.settings.spark_master})", flush=True)
    started = time.monotonic()
    key = context.results_prefix + RESULT_NAME
    with context.download(model_ref["object_key"], suffix="." + model_ref["format"]) as path:
        try:
            result = score_with_spark(
                context.objects,
                input_key=dataset["object_key"],
                input_format=dataset["format"],
                model_path=path,
                model_format=model_ref["format"],
                output_key=key,
                preprocessing=preprocessing,
                id_column=params["id_column"],
                prediction_column=params["prediction_column"],
                include_probabilities=params["include_probabilities"],
                delimiter=(dataset.get("options") or {}).get("delimiter", ","),
                batch_size=min(params["batch_size"], 10_000),
                settings=context.settings,
                echo=lambda line: print(line, flush=True),
            )
        except SparkJobError as exc:
            raise JobError(str(exc)) from exc
    if result.rows == 0:
        raise JobError("the dataset has no rows")
    info = context.objects.head(key)
    seconds = time.monotonic() - started
    print(f"wrote {result.rows} predictions to {key} with Spark in {seconds:.1f} s", flush=True)
    prediction_points(context, model_ref, result.rows, [seconds * 1000])
    return {
        "model_version": model_ref["version"],
        "rows": result.rows,
        "results": [result_entry(RESULT_NAME, info, "text/csv", rows=result.rows)],
    }
