"""Spark batch scoring: a scikit-learn model (and its fitted preprocessing) over a large dataset.

    spark-submit spark_jobs/score.py --input data.parquet --format parquet --model model.skops \\
        --model-format skops --output out/ [--preprocessing preprocessing.json] [--id-column id] \\
        [--output-format csv|parquet] [--include-probabilities]

Each Python worker loads the model file once (shipped with SparkContext.addFile) and scores Arrow
batches with mapInPandas: `FittedPreprocessing.apply` (the same code as online serving) when a
preprocessing is given, else the model's own feature columns, then `predict` (and
`predict_proba`). Writes `[id column | row] + prediction [+ probability_<class>...]` under
`--output` as Parquet or CSV part files (row order of the input within and across parts).

Model files are loaded with the same rules as the batch scoring job (skops with trusted
scikit-learn types only; joblib/pickle run code, which is why this happens in a job process).
A failure the user can fix ends with one line `ERROR: <reason>` and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

_MODEL = None  # per Python worker process: loaded once, reused by every batch


class JobFailure(Exception):
    pass


def log(message: str) -> None:
    print(f"[score] {message}", flush=True)


def load_model(path: str, fmt: str):
    try:
        from modelhub.jobs.batch_scoring import load_model as load
    except ImportError as exc:  # the workers need ModelHub's environment (docs/spark.md)
        raise JobFailure(f"ModelHub is not importable on this Spark worker: {exc}") from exc
    try:
        return load(Path(path), fmt)
    except Exception as exc:
        if type(exc).__name__ == "JobError":
            raise JobFailure(str(exc)) from exc
        raise


def worker_model(name: str, fmt: str):
    global _MODEL
    if _MODEL is None:
        from pyspark import SparkFiles

        _MODEL = load_model(SparkFiles.get(name), fmt)
    return _MODEL


def parse_args(argv):
    parser = argparse.ArgumentParser(description="ModelHub Spark batch scoring")
    parser.add_argument("--input", required=True)
    parser.add_argument("--format", required=True, choices=["csv", "jsonl", "json", "parquet"])
    parser.add_argument("--delimiter", default=",")
    parser.add_argument("--model", required=True, help="local model file (shipped to the workers)")
    parser.add_argument("--model-format", required=True, choices=["skops", "joblib", "pickle"])
    parser.add_argument("--preprocessing", default=None, help="preprocessing.json (local path)")
    parser.add_argument("--id-column", default=None, help="copied to the output; absent: a row number")
    parser.add_argument("--prediction-column", default="prediction")
    parser.add_argument("--include-probabilities", action="store_true")
    parser.add_argument("--output", required=True)
    parser.add_argument("--output-format", choices=["csv", "parquet"], default="parquet")
    parser.add_argument("--batch-size", type=int, default=10_000, help="rows per Arrow batch")
    return parser.parse_args(argv)


def read(spark, args):
    reader = spark.read
    if args.format == "csv":
        # Strings as in pandas' reader would be ambiguous for ids; infer the types as preprocessing did.
        return reader.option("header", True).option("inferSchema", True).option("sep", args.delimiter).csv(args.input)
    if args.format in ("json", "jsonl"):
        return reader.json(args.input)
    return reader.parquet(args.input)


def run(spark, args) -> int:
    import numpy as np
    import pandas as pd
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    started = time.monotonic()
    model = load_model(args.model, args.model_format)  # in the driver too: fail early, learn the output types
    if args.include_probabilities and not hasattr(model, "predict_proba"):
        raise JobFailure(f"include_probabilities is set but {type(model).__name__} has no predict_proba")
    fitted = None
    if args.preprocessing:
        from modelhub.pipelines.preprocessing import FittedPreprocessing

        fitted = FittedPreprocessing.load(args.preprocessing)
    frame = read(spark, args)
    if not frame.columns:
        raise JobFailure("the dataset is empty")
    id_column = args.id_column
    if id_column and id_column not in frame.columns:
        raise JobFailure(f"the dataset has no id column {id_column!r}; set id_column (null numbers the rows)")
    if fitted is not None:
        needed = fitted.input_columns
    elif hasattr(model, "feature_names_in_"):
        needed = [str(c) for c in model.feature_names_in_]
    else:
        needed = [c for c in frame.columns if c != id_column]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise JobFailure(f"the dataset lacks the model's input column(s) {', '.join(missing[:10])}")

    if not id_column:  # a stable row number: partition index and position, ordered like the input
        id_column = "row"
        frame = frame.withColumn(id_column, F.monotonically_increasing_id())
    frame = frame.select(id_column, *[c for c in needed if c != id_column])

    sample = frame.limit(5).toPandas()
    if sample.empty:
        raise JobFailure("the dataset has no rows")
    features = fitted.apply(sample) if fitted is not None else sample[needed]
    kind = np.asarray(model.predict(features)).dtype.kind
    prediction_type = {"i": T.LongType(), "u": T.LongType(), "f": T.DoubleType(), "b": T.BooleanType()}.get(
        kind, T.StringType()
    )
    out_fields = [frame.schema[id_column], T.StructField(args.prediction_column, prediction_type)]
    classes = [str(c) for c in getattr(model, "classes_", [])] if args.include_probabilities else []
    out_fields += [T.StructField(f"probability_{c}", T.DoubleType()) for c in classes]
    schema = T.StructType(out_fields)

    spark.sparkContext.addFile(args.model)
    model_name, model_format = os.path.basename(args.model), args.model_format
    prediction_column, probabilities = args.prediction_column, bool(classes)

    def score(batches):
        model = worker_model(model_name, model_format)
        for batch in batches:
            if batch.empty:
                continue
            x = fitted.apply(batch) if fitted is not None else batch[needed]
            result = pd.DataFrame({id_column: batch[id_column].to_numpy()})
            predicted = np.asarray(model.predict(x))
            result[prediction_column] = predicted.astype(str) if kind not in "iufb" else predicted
            if probabilities:
                proba = model.predict_proba(x)
                for index, label in enumerate(classes):
                    result[f"probability_{label}"] = proba[:, index]
            yield result

    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(args.batch_size))
    scored = frame.mapInPandas(score, schema)
    writer = scored.write.mode("overwrite")
    if args.output_format == "csv":
        writer.option("header", True).csv(args.output)
    else:
        writer.parquet(args.output)
    rows = spark.read.parquet(args.output).count() if args.output_format == "parquet" else None
    if rows is None:
        rows = spark.read.option("header", True).csv(args.output).count()
    summary = {"rows": rows, "seconds": round(time.monotonic() - started, 3), "columns": schema.fieldNames()}
    log(f"scored {json.dumps(summary)}")
    print(f"SUMMARY: {json.dumps(summary)}", flush=True)
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("modelhub-score").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        run(spark, args)
        return 0
    except JobFailure as exc:
        print(f"ERROR: {exc}", flush=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - one clear line for the task log
        text = str(getattr(exc, "desc", None) or exc).strip().splitlines()
        print(f"ERROR: {type(exc).__name__}: {text[0][:500] if text else ''}", flush=True)
        return 2
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
