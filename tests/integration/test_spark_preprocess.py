"""Spark preprocessing end to end: spark-submit (local master) on real datasets in both object stores.

Four spark-submit runs serve every test of the happy path (module fixtures): breast cancer as CSV
with injected nulls, duplicates and rows without a target in the local store and, again, in MinIO
(staged); diabetes as JSON lines in the local store and as Parquet read and written by Spark
through s3a:// in MinIO. Bad inputs share one in-process SparkSession over the job's own `run`,
plus one spark-submit showing how the job's ERROR line reaches the caller.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes

from modelhub.config import Settings
from modelhub.pipelines.preprocessing import FittedPreprocessing
from modelhub.pipelines.spark import SparkJobError, preprocess_with_spark, read_split
from modelhub.stores.objects import open_object_store
from modelhub.stores.objects.local import LocalObjectStore
from tests.conftest import unique_name

pytestmark = [
    pytest.mark.servers,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

SEED = 7
SPLITS = ("train", "validation", "test")


def breast_cancer() -> pd.DataFrame:
    """569 rows + 7 exact duplicates + 4 rows without a target; nulls in two features; a categorical."""
    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    frame.insert(0, "id", range(len(frame)))
    rng = np.random.default_rng(0)
    frame["site"] = rng.choice(["north", "south", "east", "west", "center"], len(frame), p=[0.4, 0.3, 0.15, 0.1, 0.05])
    frame.loc[rng.choice(len(frame), 40, replace=False), "site"] = None
    frame.loc[rng.choice(len(frame), 25, replace=False), "mean_radius"] = np.nan
    frame.loc[rng.choice(len(frame), 10, replace=False), "worst_area"] = np.nan
    frame["target"] = frame["target"].astype("Int64")
    no_target = frame.iloc[:4].copy()
    no_target["id"] = range(10_000, 10_004)
    no_target["target"] = pd.NA
    return pd.concat([frame, frame.iloc[100:107], no_target], ignore_index=True)


def diabetes() -> pd.DataFrame:
    frame = load_diabetes(as_frame=True).frame
    frame.insert(0, "id", range(len(frame)))
    return frame


def install_s3a_jars() -> None:
    """hadoop-aws and the AWS SDK bundle, cached by scripts/install/spark.sh (a no-op once cached)."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "install" / "spark.sh"
    subprocess.run(["bash", str(script)], check=True, capture_output=True, env={**os.environ, "PYTHON": sys.executable})


def settings_for(tmp: Path, **values) -> Settings:
    return Settings(data_dir=tmp / "data", spark_master="local[2]", spark_driver_memory="1g", **values)


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-local")
    return LocalObjectStore(root / "objects"), settings_for(root)


@pytest.fixture(scope="module")
def s3(minio, tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-s3")
    settings = settings_for(
        root,
        objects_uri=f"s3://{unique_name('spark-')}/store",
        s3_endpoint=minio.endpoint,
        s3_access_key=minio.access_key,
        s3_secret_key=minio.secret_key,
    )
    return open_object_store(settings), settings


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def cancer_run(local):
    objects, settings = local
    frame = breast_cancer()
    objects.put_bytes("datasets/cancer.csv", csv_bytes(frame))
    result = preprocess_with_spark(
        objects,
        input_key="datasets/cancer.csv",
        input_format="csv",
        output_prefix="runs/cancer",
        target="target",
        task_type="classification",
        id_column="id",
        seed=SEED,
        settings=settings,
    )
    splits = {split: read_split(objects, "runs/cancer", split) for split in SPLITS}
    return frame, result, splits


def ids(frame: pd.DataFrame) -> set[int]:
    return set(frame["id"])


@pytest.fixture(scope="module")
def diabetes_runs(local, s3):
    original = diabetes()
    text = original.to_json(orient="records", lines=True)  # 10 significant digits, as pandas writes them
    # The same numbers in both files: what a correctly rounding parser (Spark's, strtod) reads back.
    frame = pd.read_json(io.StringIO(text), lines=True, precise_float=True).astype(original.dtypes.to_dict())
    objects, settings = local
    objects.put_bytes("datasets/diabetes.jsonl", text.encode())
    jsonl = preprocess_with_spark(
        objects,
        input_key="datasets/diabetes.jsonl",
        input_format="jsonl",
        output_prefix="runs/diabetes",
        target="target",
        task_type="regression",
        id_column="id",
        seed=SEED,
        settings=settings,
    )
    objects, settings = s3
    install_s3a_jars()
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    objects.put_bytes("datasets/diabetes.parquet", buffer.getvalue())
    direct = preprocess_with_spark(
        objects,
        input_key="datasets/diabetes.parquet",
        input_format="parquet",
        output_prefix="runs/diabetes",
        target="target",
        task_type="regression",
        id_column="id",
        encoding="index",
        seed=SEED,
        settings=settings,
        direct=True,  # Spark itself reads and writes s3a:// (what a spark:// cluster does)
    )
    return frame, jsonl, direct


def test_profile_counts_rows_nulls_duplicates_and_statistics(cancer_run):
    frame, result, _ = cancer_run
    profile = result.profile
    assert profile["rows"] == len(frame) == 580
    columns = {c["name"]: c for c in profile["columns"]}
    assert list(columns) == list(frame.columns)
    for name, column in columns.items():
        assert column["nulls"] == int(frame[name].isna().sum()), name
    assert columns["mean_radius"]["nulls"] == 27 and columns["site"]["nulls"] > 0
    radius = frame["mean_radius"]
    assert columns["mean_radius"]["min"] == radius.min()
    assert columns["mean_radius"]["max"] == radius.max()
    assert columns["mean_radius"]["mean"] == pytest.approx(radius.mean(), rel=1e-12)
    assert columns["mean_radius"]["std"] == pytest.approx(radius.std(), rel=1e-9)
    assert columns["site"]["kind"] == "categorical"
    counts = frame["site"].value_counts()
    assert [t["value"] for t in columns["site"]["top"]] == list(counts.index)
    assert [t["count"] for t in columns["site"]["top"]] == counts.tolist()
    assert profile["cleaning"] == {"rows_read": 580, "duplicates_dropped": 7, "null_target_dropped": 4, "rows": 569}
    assert {c["value"]: c["count"] for c in profile["target"]["classes"]} == {1: 357, 0: 212}


def test_splits_are_disjoint_complete_and_hold_the_features(cancer_run):
    frame, result, written = cancer_run
    splits = {name: ids(written[name]) for name in SPLITS}
    assert sum(len(ids) for ids in splits.values()) == 569 == result.profile["cleaning"]["rows"]
    assert set().union(*splits.values()) == set(frame.loc[frame["target"].notna(), "id"])
    assert not (splits["train"] & splits["validation"]) and not (splits["train"] & splits["test"])
    assert not (splits["validation"] & splits["test"])
    assert {name: len(ids) for name, ids in splits.items()} == result.split_rows
    assert 0.6 < len(splits["train"]) / 569 < 0.8
    fitted = result.preprocessing
    assert "target" not in fitted.feature_names and "id" not in fitted.feature_names
    assert [f for f in fitted.feature_names if f.startswith("site__")] == [
        f"site__{v}" for v in ("north", "south", "east", "west", "center")
    ]
    assert fitted.target_classes == [1, 0]
    train = written["train"]
    assert list(train.columns) == ["id", *fitted.feature_names, "target"]
    assert train[fitted.feature_names].notna().all().all()
    assert train["mean_radius"].mean() == pytest.approx(0, abs=1e-9)  # scaled on the training split
    assert train["mean_radius"].std() == pytest.approx(1, rel=1e-9)


def test_pandas_apply_on_raw_rows_equals_the_spark_rows(cancer_run):
    frame, result, written = cancer_run
    fitted = FittedPreprocessing.from_json(result.preprocessing.to_json())  # through its JSON
    for name in SPLITS:
        spark_rows = written[name].set_index("id").sort_index()
        raw = frame.drop_duplicates().set_index("id").loc[spark_rows.index]
        np.testing.assert_allclose(
            fitted.apply(raw).to_numpy(), spark_rows[fitted.feature_names].to_numpy(), rtol=1e-12, atol=1e-12
        )
        assert (spark_rows["target"] == raw["target"]).all()


def test_regression_from_json_lines_and_from_parquet_through_s3a(diabetes_runs, s3):
    frame, jsonl, direct = diabetes_runs
    features = {"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"}
    for result in (jsonl, direct):
        assert result.profile["rows"] == 442
        assert result.profile["cleaning"]["rows"] == 442
        assert sum(result.split_rows.values()) == 442
        assert result.preprocessing.task_type == "regression"
        assert set(result.preprocessing.feature_names) == features  # JSON columns come sorted
        assert result.profile["target"]["classes"] is None
    assert direct.preprocessing.feature_names == list(frame.columns[1:-1])  # Parquet keeps the file's order
    objects, _ = s3
    assert not [k for k in direct.keys if k.rsplit("/", 1)[-1].startswith("_")]  # no _SUCCESS, no _work
    test = read_split(objects, direct.prefix, "test").set_index("id").sort_index()
    raw = frame.set_index("id").loc[test.index]
    fitted = direct.preprocessing
    np.testing.assert_allclose(fitted.apply(raw).to_numpy(), test[fitted.feature_names].to_numpy(), rtol=1e-12)


def test_same_seed_same_splits_and_fit_whatever_the_format_and_store(diabetes_runs, local, s3):
    """A row's split depends on its content and the seed only: JSON lines in the local store and
    Parquet read by Spark from MinIO give the same splits, so the same fitted numbers."""
    _, jsonl, direct = diabetes_runs
    for split in SPLITS:
        assert ids(read_split(local[0], jsonl.prefix, split)) == ids(read_split(s3[0], direct.prefix, split))
    fitted = {c.name: c for c in direct.preprocessing.numeric}
    for column in jsonl.preprocessing.numeric:  # sums may add up in another order after the shuffle
        assert column.median == fitted[column.name].median
        assert column.mean == pytest.approx(fitted[column.name].mean, rel=1e-12, abs=1e-15)
        assert column.std == pytest.approx(fitted[column.name].std, rel=1e-12)
    assert jsonl.profile["splits"] == direct.profile["splits"]


# -- bad inputs ------------------------------------------------------------------------------------
def test_a_job_error_reaches_the_caller_and_nothing_is_written(local):
    objects, settings = local
    objects.put_bytes("datasets/no-target.csv", csv_bytes(diabetes().drop(columns=["target"])))
    with pytest.raises(SparkJobError) as caught:
        preprocess_with_spark(
            objects,
            input_key="datasets/no-target.csv",
            input_format="csv",
            output_prefix="runs/no-target",
            target="target",
            task_type="regression",
            settings=settings,
        )
    assert str(caught.value).startswith("the target column 'target' is not in the dataset (columns: id, age, sex")
    assert not list(objects.list("runs/no-target/"))


def test_an_empty_object_fails_before_spark_starts(local):
    objects, settings = local
    objects.put_bytes("datasets/empty.csv", b"")
    with pytest.raises(SparkJobError, match=r"the dataset is empty \(0 bytes\)"):
        preprocess_with_spark(
            objects,
            input_key="datasets/empty.csv",
            input_format="csv",
            output_prefix="runs/empty",
            target="target",
            task_type="regression",
            settings=settings,
        )


@pytest.fixture(scope="module")
def spark():
    """One in-process session for the checks of the job's own `run` (no spark-submit each)."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("modelhub-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def corrupt_parquet(path: Path) -> None:
    buffer = io.BytesIO()
    diabetes().to_parquet(buffer, index=False)
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])  # the footer is gone


@pytest.mark.parametrize(
    ("name", "make", "fmt", "target", "task_type", "message"),
    [
        ("empty.csv", lambda p: p.write_bytes(b""), "csv", "target", "regression", r"the dataset is empty \(0 bytes\)"),
        ("header.csv", lambda p: p.write_text("id,age,target\n"), "csv", "target", "regression", "has no rows"),
        (
            "lines.jsonl",
            lambda p: p.write_text(diabetes().head(20).to_json(orient="records", lines=True)),
            "jsonl",
            "label",
            "regression",
            "the target column 'label' is not in the dataset",
        ),
        (
            "text-target.csv",
            lambda p: p.write_text("x,target\n1,a\n2,b\n3,a\n"),
            "csv",
            "target",
            "regression",
            "the target column 'target' is of type string: regression needs a numeric target",
        ),
        (
            "real-target.csv",
            lambda p: p.write_text("x,target\n1,0.5\n2,1.25\n3,1.0\n"),
            "csv",
            "target",
            "classification",
            "holds non-integer numbers",
        ),
        ("bad.parquet", corrupt_parquet, "parquet", "target", "regression", "Parquet file is corrupt or truncated"),
    ],
)
def test_bad_inputs_fail_with_a_clear_reason(spark, tmp_path, name, make, fmt, target, task_type, message):
    from spark_jobs import preprocess as job

    path = tmp_path / name
    make(path)
    output = tmp_path / "out"
    args = job.parse_args(
        ["--input", str(path), "--format", fmt, "--output", str(output), "--target", target, "--task-type", task_type]
    )
    with pytest.raises(job.JobFailure, match=message):
        job.run(spark, args)
    assert not (output / "preprocessing.json").exists()
