"""Spark preprocessing: profile, clean, split, fit and apply the preprocessing, write Parquet.

    spark-submit spark_jobs/preprocess.py --input data.csv --format csv --output out/ \\
        --target label --task-type classification [--id-column id] [--seed 42]

`--input` and `--output` are Hadoop paths: local paths (staged by the launcher in
backend/modelhub/pipelines/spark.py) or s3a:// URIs. The job writes under `--output`:

    profile.json          schema, row count, null counts and statistics of the raw input, what
                          cleaning dropped, rows per split
    preprocessing.json    the fitted preprocessing (modelhub.pipelines.preprocessing.FittedPreprocessing)
    train/ validation/ test/   Parquet: [id column] + features + target

Steps: read; profile; drop exact duplicate rows; drop rows whose target is null (counted); split
by a seeded hash of each row (so a row's split depends on its content and the seed only, not on
partitioning); fit on the training split: median / most frequent value for imputation, the most
frequent categories (capped) for one-hot or index encoding, mean / std of the imputed numerics;
apply to every split. The target is passed through untouched, never a feature.

Data larger than memory: every step is a Spark aggregation or a streaming write. Text input is
copied once to Parquet under `<output>/_work` (after type inference) and the deduplicated rows
once more; every later pass reads columns from Parquet. `_work` is removed at the end.

A failure the user can fix ends with one line `ERROR: <reason>` on stdout and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import sys
import time
from typing import Any

FORMAT = "modelhub.preprocessing/1"
PROFILE_FORMAT = "modelhub.profile/1"
SPLITS = ("train", "validation", "test")
TOP_CATEGORIES = 10  # listed per string column in the profile
MAX_CLASSES = 1000  # a classification target with more distinct values is not a label


class JobFailure(Exception):
    """A clear, one-sentence reason the job cannot go on (bad input, not a bug)."""


def log(message: str) -> None:
    print(f"[preprocess] {message}", flush=True)


# -- I/O -----------------------------------------------------------------------------------------
def hadoop_fs(spark, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def write_text(spark, uri: str, text: str) -> None:
    """A small file (JSON) written through Hadoop's FileSystem, so local paths and s3a:// both work."""
    fs, path = hadoop_fs(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def delete_path(spark, uri: str) -> None:
    fs, path = hadoop_fs(spark, uri)
    if fs.exists(path):
        fs.delete(path, True)


def input_size(spark, uri: str) -> int | None:
    try:
        fs, path = hadoop_fs(spark, uri)
        return int(fs.getContentSummary(path).getLength())
    except Exception:  # noqa: BLE001 - a missing input is reported by the reader with its own message
        return None


def read_input(spark, uri: str, fmt: str, delimiter: str):
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import AnalysisException

    size = input_size(spark, uri)
    if size == 0:
        raise JobFailure("the dataset is empty (0 bytes)")
    try:
        if fmt == "csv":
            frame = (
                spark.read.option("header", True)
                .option("inferSchema", True)
                .option("sep", delimiter)
                .option("mode", "PERMISSIVE")
                .csv(uri)
            )
        elif fmt in ("jsonl", "json"):
            frame = spark.read.option("mode", "PERMISSIVE").json(uri)
        elif fmt == "parquet":
            frame = spark.read.parquet(uri)
        else:
            raise JobFailure(f"unsupported input format {fmt!r} (csv, jsonl or parquet)")
        columns = frame.columns
    except (AnalysisException, Py4JJavaError) as exc:
        raise JobFailure(corrupt_parquet_message(exc) or f"cannot read the {fmt} dataset: {first_line(exc)}") from exc
    if not columns:
        raise JobFailure("the dataset is empty (no columns)")
    if "_corrupt_record" in columns:
        raise JobFailure(f"the {fmt} dataset holds malformed records (Spark found no valid structure in some lines)")
    return frame


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "desc", None) or exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:500]
    return type(exc).__name__


def corrupt_parquet_message(exc: BaseException) -> str | None:
    text = str(exc)
    for hint in ("is not a Parquet file", "Could not read footer", "CANNOT_READ_FILE_FOOTER", "magic number"):
        if hint in text:
            return "the Parquet file is corrupt or truncated (its footer cannot be read)"
    return None


# -- column kinds --------------------------------------------------------------------------------
def column_kind(data_type) -> str:
    from pyspark.sql import types as T

    if isinstance(data_type, T.BooleanType | T.NumericType):
        return "numeric"
    if isinstance(data_type, T.StringType):
        return "categorical"
    return "other"


def numeric_value(c):
    """The double value of a numeric column with NaN treated as missing (pandas does the same)."""
    from pyspark.sql import functions as F

    x = c.cast("double")
    return F.when(F.isnan(x), F.lit(None).cast("double")).otherwise(x)


# -- profile -------------------------------------------------------------------------------------
def profile_frame(frame, target: str, task_type: str) -> dict[str, Any]:
    from pyspark.sql import functions as F

    fields = frame.schema.fields
    aggs = [F.count(F.lit(1)).alias("__rows")]
    for i, fld in enumerate(fields):
        c = F.col(f"`{fld.name}`")
        kind = column_kind(fld.dataType)
        value = numeric_value(c) if kind == "numeric" else c
        aggs.append(F.sum(F.when(value.isNull(), 1).otherwise(0)).alias(f"n{i}"))
        if kind == "numeric":
            aggs += [
                F.min(value).alias(f"min{i}"),
                F.max(value).alias(f"max{i}"),
                F.mean(value).alias(f"mean{i}"),
                F.stddev_samp(value).alias(f"std{i}"),
            ]
        elif kind == "categorical":
            aggs.append(F.approx_count_distinct(c).alias(f"d{i}"))
        if fld.name == target and kind == "numeric":
            aggs.append(F.sum(F.when(value != F.floor(value), 1).otherwise(0)).alias("__target_fractional"))
    row = frame.agg(*aggs).collect()[0].asDict()
    columns = []
    for i, fld in enumerate(fields):
        kind = column_kind(fld.dataType)
        entry: dict[str, Any] = {
            "name": fld.name,
            "type": fld.dataType.simpleString(),
            "kind": kind,
            "nulls": int(row[f"n{i}"] or 0),
        }
        if kind == "numeric":
            entry.update({k: finite(row[f"{k}{i}"]) for k in ("min", "max", "mean", "std")})
        elif kind == "categorical":
            entry["distinct_approx"] = int(row[f"d{i}"] or 0)
            entry["top"] = top_values(frame, fld.name, TOP_CATEGORIES)
        columns.append(entry)
    return {
        "rows": int(row["__rows"]),
        "columns": columns,
        "_target_fractional": int(row.get("__target_fractional") or 0),
    }


def top_values(frame, name: str, limit: int) -> list[dict[str, Any]]:
    from pyspark.sql import functions as F

    c = F.col(f"`{name}`")
    rows = (
        frame.where(c.isNotNull())
        .groupBy(c.alias("value"))
        .count()
        .orderBy(F.desc("count"), F.asc("value"))
        .limit(limit)
        .collect()
    )
    return [{"value": r["value"], "count": int(r["count"])} for r in rows]


def finite(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# -- checks --------------------------------------------------------------------------------------
def check_target(frame, profile: dict[str, Any], target: str, task_type: str) -> None:
    if target not in frame.columns:
        shown = ", ".join(frame.columns[:20]) + (" ..." if len(frame.columns) > 20 else "")
        raise JobFailure(f"the target column {target!r} is not in the dataset (columns: {shown})")
    column = next(c for c in profile["columns"] if c["name"] == target)
    if column["nulls"] == profile["rows"]:
        raise JobFailure(f"the target column {target!r} has no values (every row is null)")
    if task_type == "regression":
        if column["kind"] != "numeric" or column["type"] == "boolean":
            raise JobFailure(
                f"the target column {target!r} is of type {column['type']}: regression needs a numeric target"
            )
    elif task_type == "classification":
        if column["kind"] == "other":
            raise JobFailure(
                f"the target column {target!r} is of type {column['type']}: "
                "classification needs labels (strings, integers or booleans)"
            )
        if column["kind"] == "numeric" and profile["_target_fractional"]:
            raise JobFailure(
                f"the target column {target!r} holds non-integer numbers "
                f"({profile['_target_fractional']} rows): classification needs labels; "
                "use task_type regression for a continuous target"
            )
    else:
        raise JobFailure(f"unknown task type {task_type!r} (classification or regression)")


# -- fit -----------------------------------------------------------------------------------------
def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:60] or "_"


def fit(train, features: list[tuple[str, str]], args) -> tuple[list[dict[str, Any]], int]:
    """Imputation values, kept categories and scaler statistics from the training split."""
    from pyspark.sql import functions as F

    numeric = [name for kind, name in features if kind == "numeric"]
    medians: dict[str, float] = {}
    rows = train.count()
    if numeric:
        aggs = [
            F.percentile_approx(numeric_value(F.col(f"`{n}`")), 0.5, args.median_accuracy).alias(f"m{i}")
            for i, n in enumerate(numeric)
        ]
        row = train.agg(*aggs).collect()[0]
        medians = {n: finite(row[f"m{i}"]) or 0.0 for i, n in enumerate(numeric)}  # all null -> 0
        imputed = [F.coalesce(numeric_value(F.col(f"`{n}`")), F.lit(medians[n])) for n in numeric]
        aggs = []
        for i, value in enumerate(imputed):
            aggs += [F.mean(value).alias(f"mean{i}"), F.stddev_samp(value).alias(f"std{i}")]
        row = train.agg(*aggs).collect()[0]
    columns: list[dict[str, Any]] = []
    used: set[str] = set()
    for kind, name in features:
        if kind == "numeric":
            i = numeric.index(name)
            mean, std = finite(row[f"mean{i}"]) or 0.0, finite(row[f"std{i}"])
            if not args.scale:
                mean, std = 0.0, 1.0
            elif not std:  # constant (or single-row) column: centred, not divided by zero
                std = 1.0
            columns.append({"kind": "numeric", "name": name, "median": medians[name], "mean": mean, "std": std})
            used.add(name)
            continue
        top = top_values(train, name, args.max_categories)
        categories = [str(t["value"]) for t in top]
        mode = categories[0] if categories else ""
        if args.encoding == "onehot":
            outputs = []
            for category in categories:
                output = base = f"{name}__{safe_name(category)}"
                n = 2
                while output in used:
                    output, n = f"{base}_{n}", n + 1
                used.add(output)
                outputs.append(output)
        else:
            outputs = [name]
            used.add(name)
        columns.append(
            {
                "kind": "categorical",
                "name": name,
                "mode": mode,
                "encoding": args.encoding,
                "categories": categories,
                "outputs": outputs,
            }
        )
    return columns, rows


def transform(frame, columns: list[dict[str, Any]], id_column: str | None = None, target: str | None = None):
    """The Spark side of FittedPreprocessing.apply (same arithmetic, in double): [id] + features + [target]."""
    from pyspark.sql import functions as F

    out = [F.col(f"`{id_column}`")] if id_column else []
    for column in columns:
        c = F.col(f"`{column['name']}`")
        if column["kind"] == "numeric":
            x = F.coalesce(numeric_value(c), F.lit(column["median"]))
            out.append(((x - F.lit(column["mean"])) / F.lit(column["std"])).alias(column["name"]))
            continue
        text = F.coalesce(c.cast("string"), F.lit(column["mode"]))
        if column["encoding"] == "onehot":
            for category, output in zip(column["categories"], column["outputs"], strict=True):
                out.append(F.when(text == F.lit(category), 1.0).otherwise(0.0).alias(output))
        else:
            code = F.lit(float(len(column["categories"])))
            for index in reversed(range(len(column["categories"]))):
                code = F.when(text == F.lit(column["categories"][index]), float(index)).otherwise(code)
            out.append(code.alias(column["outputs"][0]))
    if target:
        out.append(F.col(f"`{target}`"))
    return frame.select(*out)


# -- main ----------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description="ModelHub Spark preprocessing")
    parser.add_argument("--input", required=True, help="file or directory (local path or s3a:// URI)")
    parser.add_argument("--format", required=True, choices=["csv", "jsonl", "json", "parquet"])
    parser.add_argument("--output", required=True, help="directory to write into (local path or s3a:// URI)")
    parser.add_argument("--target", required=True)
    parser.add_argument("--task-type", required=True, choices=["classification", "regression"])
    parser.add_argument("--id-column", default=None)
    parser.add_argument("--drop-columns", default="", help="comma-separated columns that are not features")
    parser.add_argument("--delimiter", default=",")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fractions", default="0.7,0.15,0.15", help="train,validation,test")
    parser.add_argument("--encoding", choices=["onehot", "index"], default="onehot")
    parser.add_argument("--max-categories", type=int, default=20, help="kept per categorical column")
    parser.add_argument("--no-scale", dest="scale", action="store_false")
    parser.add_argument("--median-accuracy", type=int, default=10000, help="percentile_approx accuracy")
    args = parser.parse_args(argv)
    fractions = [float(f) for f in args.fractions.split(",")]
    if len(fractions) != 3 or any(f < 0 for f in fractions) or not math.isclose(sum(fractions), 1.0):
        parser.error("--fractions must be three non-negative numbers summing to 1")
    args.fractions = fractions
    if args.max_categories < 1:
        parser.error("--max-categories must be at least 1")
    return args


def run(spark, args) -> dict[str, Any]:
    from pyspark.sql import functions as F

    started = time.monotonic()
    output = args.output.rstrip("/")
    raw = read_input(spark, args.input, args.format, args.delimiter)
    if args.id_column and args.id_column not in raw.columns:
        raise JobFailure(f"the id column {args.id_column!r} is not in the dataset")
    if args.target not in raw.columns:
        shown = ", ".join(raw.columns[:20]) + (" ..." if len(raw.columns) > 20 else "")
        raise JobFailure(f"the target column {args.target!r} is not in the dataset (columns: {shown})")

    if args.format != "parquet":
        # Text is parsed twice in all (type inference, this copy); every later pass reads Parquet columns.
        staged = f"{output}/_work/raw"
        raw.write.mode("overwrite").parquet(staged)
        raw = spark.read.parquet(staged)

    profile = profile_frame(raw, args.target, args.task_type)
    log(f"profiled {profile['rows']} rows x {len(raw.columns)} columns in {time.monotonic() - started:.1f} s")
    if profile["rows"] == 0:
        raise JobFailure("the dataset has no rows")
    check_target(raw, profile, args.target, args.task_type)

    # Clean once into Parquet: the later passes read columns from it, not the raw text again.
    work = f"{output}/_work/clean"
    raw.dropDuplicates().write.mode("overwrite").parquet(work)
    deduplicated = spark.read.parquet(work)
    target = F.col(f"`{args.target}`")
    target_missing = target.isNull()
    if column_kind(raw.schema[args.target].dataType) == "numeric":
        target_missing = target_missing | F.isnan(target.cast("double"))
    counts = deduplicated.agg(
        F.count(F.lit(1)).alias("rows"), F.sum(F.when(target_missing, 1).otherwise(0)).alias("null_target")
    ).collect()[0]
    null_target = int(counts["null_target"] or 0)
    clean = deduplicated.where(~target_missing)
    cleaning = {
        "rows_read": profile["rows"],
        "duplicates_dropped": profile["rows"] - int(counts["rows"]),
        "null_target_dropped": null_target,
        "rows": int(counts["rows"]) - null_target,
    }
    log(f"cleaning: {json.dumps(cleaning)}")
    if cleaning["rows"] == 0:
        raise JobFailure("no row is left after dropping duplicates and rows without a target")

    classes = None
    if args.task_type == "classification":
        class_rows = clean.groupBy(target.alias("value")).count().orderBy(F.desc("count"), F.asc("value"))
        class_rows = class_rows.limit(MAX_CLASSES + 1).collect()
        if len(class_rows) > MAX_CLASSES:
            raise JobFailure(
                f"the target column {args.target!r} has more than {MAX_CLASSES} distinct values: "
                "not a classification label (use task_type regression?)"
            )
        if len(class_rows) < 2:
            raise JobFailure(f"the target column {args.target!r} has a single class: nothing to classify")
        classes = [{"value": r["value"], "count": int(r["count"])} for r in class_rows]

    # A row's split is a function of its content and the seed: reproducible, independent of the
    # partitioning and of the column order (JSON columns come sorted, CSV ones in file order).
    hashed = [F.col(f"`{c}`") for c in sorted(clean.columns)]
    bucket = F.pmod(F.xxhash64(*hashed, F.lit(args.seed)), F.lit(1_000_000))
    cut_train = round(args.fractions[0] * 1_000_000)
    cut_validation = round((args.fractions[0] + args.fractions[1]) * 1_000_000)
    split_of = {
        "train": bucket < cut_train,
        "validation": (bucket >= cut_train) & (bucket < cut_validation),
        "test": bucket >= cut_validation,
    }

    excluded = {args.target, args.id_column, *[c.strip() for c in args.drop_columns.split(",") if c.strip()]}
    features, dropped = [], []
    for fld in clean.schema.fields:
        if fld.name in excluded:
            continue
        kind = column_kind(fld.dataType)
        if kind == "other":
            dropped.append({"name": fld.name, "reason": f"unsupported type {fld.dataType.simpleString()}"})
        else:
            features.append((kind, fld.name))
    if not features:
        raise JobFailure("the dataset has no feature column besides the target and the id")

    train = clean.where(split_of["train"])
    columns, train_rows = fit(train, features, args)
    if train_rows == 0:
        raise JobFailure(f"the training split is empty ({cleaning['rows']} rows after cleaning): too few rows")
    split_rows = {}
    for name in SPLITS:
        part = transform(clean.where(split_of[name]), columns, args.id_column, args.target)
        part.write.mode("overwrite").parquet(f"{output}/{name}")
        split_rows[name] = spark.read.parquet(f"{output}/{name}").count()  # from the Parquet footers
    log(f"splits: {json.dumps(split_rows)}")

    preprocessing = {
        "format": FORMAT,
        "target": args.target,
        "task_type": args.task_type,
        "id_column": args.id_column,
        "target_classes": [c["value"] for c in classes] if classes else None,
        "columns": columns,
        "feature_names": [o for c in columns for o in ([c["name"]] if c["kind"] == "numeric" else c["outputs"])],
        "dropped_columns": dropped,
        "fitted_on": {"split": "train", "rows": train_rows, "seed": args.seed},
    }
    profile.pop("_target_fractional")
    report = {
        "format": PROFILE_FORMAT,
        "input": {"format": args.format, "bytes": input_size(spark, args.input)},
        **profile,
        "target": {"name": args.target, "task_type": args.task_type, "classes": classes},
        "cleaning": cleaning,
        "splits": {
            "seed": args.seed,
            "fractions": dict(zip(SPLITS, args.fractions, strict=True)),
            "rows": split_rows,
        },
        "features": len(preprocessing["feature_names"]),
        "seconds": round(time.monotonic() - started, 3),
    }
    write_text(spark, f"{output}/preprocessing.json", json.dumps(preprocessing, indent=2, allow_nan=False))
    write_text(spark, f"{output}/profile.json", json.dumps(report, indent=2, allow_nan=False, default=str))
    delete_path(spark, f"{output}/_work")
    log(f"done in {report['seconds']:.1f} s: {len(preprocessing['feature_names'])} features, rows {split_rows}")
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("modelhub-preprocess").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        run(spark, args)
        return 0
    except JobFailure as exc:
        print(f"ERROR: {exc}", flush=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - Spark errors end as one clear line too
        message = corrupt_parquet_message(exc) or f"{type(exc).__name__}: {first_line(exc)}"
        print(f"ERROR: {message}", flush=True)
        return 2
    finally:
        with contextlib.suppress(Exception):
            delete_path(spark, f"{args.output.rstrip('/')}/_work")
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
