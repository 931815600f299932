"""Running the jobs of spark_jobs/ with spark-submit, from a pipeline task (docs/spark.md).

`run_spark_job` starts `spark-submit` (the one of the pyspark package in this environment) as a
child process in its own process group, streams its output line by line to stdout (so it lands in
the Airflow task log), kills the group past a timeout, and turns the job's `ERROR: <reason>` line
into a `SparkJobError` with that reason.

`preprocess_with_spark` and `score_with_spark` connect the jobs to the object store. Two ways:
- staged (local masters, the default): the input object is streamed to a private temporary
  directory, the job reads and writes local files, and the outputs are uploaded afterwards. Works
  with every object store backend; needs local disk for the input and the outputs.
- direct (`spark://`, `k8s://` or `yarn` masters, with an s3:// object store): the job reads and
  writes `s3a://bucket/prefix/key` itself, so executors on other machines see the data. Needs the
  hadoop-aws jars (scripts/install/spark.sh caches them; `s3a_jars()` finds them).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelhub.config import Settings
from modelhub.pipelines.preprocessing import FittedPreprocessing
from modelhub.stores.objects import ObjectStore
from modelhub.stores.objects.base import CHUNK_SIZE

REPO_ROOT = Path(__file__).resolve().parents[3]
# Where the job scripts are: <checkout>/spark_jobs, or MODELHUB_SPARK_JOBS_DIR in an image that
# installs the package elsewhere.
SPARK_JOBS_DIR = Path(os.environ.get("MODELHUB_SPARK_JOBS_DIR") or REPO_ROOT / "spark_jobs")
PREPROCESS_SCRIPT = SPARK_JOBS_DIR / "preprocess.py"
SCORE_SCRIPT = SPARK_JOBS_DIR / "score.py"
LOG_CONFIG = SPARK_JOBS_DIR / "log4j2.properties"
# hadoop-aws and the AWS SDK bundle matching the Hadoop of pyspark (scripts/install/spark.sh).
S3A_JARS_DIR = Path(
    os.environ.get("MODELHUB_SPARK_JARS_DIR")
    or Path(os.environ.get("MODELHUB_CACHE") or Path.home() / ".cache" / "modelhub") / "spark-jars"
)
SPLITS = ("train", "validation", "test")


class SparkJobError(Exception):
    """A Spark job failed; the message is the job's own `ERROR:` reason when it gave one."""


@dataclass
class SparkRun:
    returncode: int
    seconds: float
    tail: list[str] = field(default_factory=list)
    summary: dict[str, Any] | None = None  # the JSON of the job's last `SUMMARY: {...}` line


def spark_submit() -> str:
    """spark-submit of the pyspark package beside this interpreter, else SPARK_HOME's, else PATH's."""
    candidates = [Path(sys.executable).parent / "spark-submit"]
    if os.environ.get("SPARK_HOME"):
        candidates.append(Path(os.environ["SPARK_HOME"]) / "bin" / "spark-submit")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("spark-submit")
    if found:
        return found
    raise SparkJobError("spark-submit not found: install pyspark in this environment or set SPARK_HOME")


def run_spark_job(
    script: str | Path,
    args: Sequence[str],
    *,
    master: str,
    extra_conf: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    driver_memory: str = "1g",
    timeout_s: float = 3600.0,
    jars: Sequence[str | Path] = (),
    echo=None,
) -> SparkRun:
    """Run one job under spark-submit and wait; SparkJobError with the job's reason on failure.

    Every output line goes to `echo` (default: print to stdout, flushed, so it reaches the task log live).
    """
    echo = echo or _print
    command = [
        spark_submit(),
        "--master",
        master,
        "--driver-memory",
        driver_memory,
        "--conf",
        "spark.ui.enabled=false",  # no port 4040 to collide on when jobs run side by side
        "--conf",
        "spark.ui.showConsoleProgress=false",
        "--conf",
        "spark.sql.debug.maxToStringFields=1000",  # wide datasets: no "truncated plan" warning
    ]
    if LOG_CONFIG.is_file():
        command += ["--conf", f"spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=file:{LOG_CONFIG}"]
    if jars:
        command += ["--jars", ",".join(str(j) for j in jars)]
    conf = dict(extra_conf or {})
    if master.startswith("local"):
        # Spark's 200 shuffle partitions suit a cluster; on one machine they are 200 tiny tasks per shuffle.
        conf.setdefault("spark.sql.shuffle.partitions", "16")
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    command += [str(script), *map(str, args)]
    child_env = {
        **os.environ,
        # Driver and Python workers run this interpreter: the app environment (pandas, sklearn, modelhub).
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "PYTHONUNBUFFERED": "1",
        # pyspark 4.3 warns on every import that pandas 3 is "not yet fully supported"; what we use works.
        "PYTHONWARNINGS": "ignore:PySpark does not yet fully support pandas:FutureWarning",
        **(env or {}),
    }
    echo(f"spark-submit {Path(script).name} (master {master}, driver memory {driver_memory})")
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=child_env,
        text=True,
        errors="replace",
        bufsize=1,
        start_new_session=True,  # one group: the JVM and its Python workers end together
    )
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        _kill_group(process)

    timer = threading.Timer(timeout_s, on_timeout)
    timer.daemon = True
    timer.start()
    error: str | None = None
    summary: dict[str, Any] | None = None
    tail: deque[str] = deque(maxlen=40)
    try:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.rstrip("\n")
            echo(line)
            tail.append(line)
            if line.startswith("ERROR: "):
                error = line.removeprefix("ERROR: ").strip()
            elif line.startswith("SUMMARY: "):
                with contextlib.suppress(ValueError):
                    summary = json.loads(line.removeprefix("SUMMARY: "))
        returncode = process.wait()
    except BaseException:
        _kill_group(process)
        raise
    finally:
        timer.cancel()
    seconds = time.monotonic() - started
    if timed_out.is_set():
        raise SparkJobError(f"the Spark job {Path(script).name} took longer than {timeout_s:g} s and was stopped")
    if returncode != 0:
        if error:
            raise SparkJobError(error)
        hint = next((t for t in reversed(tail) if "Exception" in t or "Error" in t), tail[-1] if tail else "")
        raise SparkJobError(f"the Spark job {Path(script).name} failed (exit {returncode}): {hint.strip()[:500]}")
    return SparkRun(returncode, seconds, list(tail), summary)


def _print(line: str) -> None:
    print(line, flush=True)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


# -- object store <-> Spark ----------------------------------------------------------------------
def hadoop_version() -> str:
    """The Hadoop client version bundled with pyspark (hadoop-aws must match it exactly)."""
    import pyspark

    for jar in (Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar"):
        return jar.stem.removeprefix("hadoop-client-api-")
    raise SparkJobError("cannot tell the Hadoop version of this pyspark (no jars/hadoop-client-api-*.jar)")


def s3a_jars(root: Path = S3A_JARS_DIR) -> list[Path]:
    directory = root / f"hadoop-{hadoop_version()}"
    jars = sorted(directory.glob("*.jar"))
    if not jars:
        raise SparkJobError(
            f"no hadoop-aws jars in {directory}: run scripts/install/spark.sh (or set MODELHUB_SPARK_JARS_DIR)"
        )
    return jars


def s3a_conf(settings: Settings) -> dict[str, str]:
    """Spark/Hadoop settings to reach the object store's S3 server as s3a:// (path-style, MinIO-friendly)."""
    scheme = "https" if settings.s3_secure else "http"
    return {
        "spark.hadoop.fs.s3a.endpoint": f"{scheme}://{settings.s3_endpoint}",
        "spark.hadoop.fs.s3a.endpoint.region": settings.s3_region,
        "spark.hadoop.fs.s3a.path.style.access": "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled": str(settings.s3_secure).lower(),
        "spark.hadoop.fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        # Spark's Parquet commit: rename-free commits need the cloud committers; the classic one is
        # correct on a single writer (ours), only slower.
        "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "2",
    }


def s3a_secrets(settings: Settings) -> dict[str, str]:
    """Credentials go through the environment (read by the job), never on the command line (ps shows it)."""
    return {
        "AWS_ACCESS_KEY_ID": settings.s3_access_key,
        "AWS_SECRET_ACCESS_KEY": settings.s3_secret_key.get_secret_value(),
    }


def s3a_uri(settings: Settings, key: str) -> str:
    bucket, _, prefix = settings.objects_uri.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    return f"s3a://{bucket}/{prefix + '/' if prefix else ''}{key}"


def use_direct_io(settings: Settings, master: str) -> bool:
    """Executors on other machines cannot see the launcher's temp files: they read s3a:// themselves."""
    return settings.objects_uri.startswith("s3://") and not master.startswith("local")


def stage_object(objects: ObjectStore, key: str, path: Path) -> int:
    """Stream one object into a local file; returns its size."""
    size = 0
    with path.open("wb") as out:
        for chunk in objects.get(key):
            out.write(chunk)
            size += len(chunk)
    return size


def upload_tree(objects: ObjectStore, directory: Path, prefix: str) -> list[str]:
    """Upload Spark's output files (not its _SUCCESS markers and .crc checksums) under prefix."""
    keys = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.name.startswith(("_", ".")) or path.name.endswith(".crc"):
            continue
        key = prefix.rstrip("/") + "/" + path.relative_to(directory).as_posix()
        content_type = {".json": "application/json", ".parquet": "application/vnd.apache.parquet"}.get(path.suffix)
        objects.put(key, _file_chunks(path), content_type=content_type)
        keys.append(key)
    return keys


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_SIZE):
            yield chunk


def read_split(objects: ObjectStore, prefix: str, split: str):
    """One split written by preprocess_with_spark as a pandas DataFrame (its Parquet parts, in order)."""
    import pandas as pd

    keys = [i.key for i in objects.list(prefix.rstrip("/") + f"/{split}/") if i.key.endswith(".parquet")]
    if not keys:
        raise SparkJobError(f"no Parquet files under {prefix.rstrip('/')}/{split}/")
    frames = []
    with tempfile.TemporaryDirectory(prefix="modelhub-split-") as tmp:
        for n, key in enumerate(sorted(keys)):
            path = Path(tmp) / f"{n:05d}.parquet"
            stage_object(objects, key, path)
            frames.append(pd.read_parquet(path))
    return pd.concat(frames, ignore_index=True)


@dataclass
class PreprocessResult:
    prefix: str  # object-store prefix holding profile.json, preprocessing.json, train/ validation/ test/
    profile: dict[str, Any]
    preprocessing: FittedPreprocessing
    keys: list[str]
    seconds: float

    @property
    def split_rows(self) -> dict[str, int]:
        return dict(self.profile["splits"]["rows"])


def preprocess_with_spark(
    objects: ObjectStore,
    *,
    input_key: str,
    input_format: str,
    output_prefix: str,
    target: str,
    task_type: str,
    id_column: str | None = None,
    seed: int = 42,
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
    encoding: str = "onehot",
    max_categories: int = 20,
    drop_columns: Sequence[str] = (),
    scale: bool = True,
    delimiter: str = ",",
    settings: Settings | None = None,
    master: str | None = None,
    direct: bool | None = None,
    echo=None,
) -> PreprocessResult:
    """Run spark_jobs/preprocess.py on an object of the store; outputs land under output_prefix."""
    settings = settings or Settings()
    master = master or settings.spark_master
    output_prefix = output_prefix.strip("/")
    info = objects.head(input_key)
    if info is None:
        raise SparkJobError(f"the dataset object {input_key} does not exist")
    if info.size == 0:
        raise SparkJobError("the dataset is empty (0 bytes)")
    options = [
        "--format",
        input_format,
        "--target",
        target,
        "--task-type",
        task_type,
        "--seed",
        str(seed),
        "--fractions",
        ",".join(str(f) for f in fractions),
        "--encoding",
        encoding,
        "--max-categories",
        str(max_categories),
        "--delimiter",
        delimiter,
    ]
    if id_column:
        options += ["--id-column", id_column]
    if drop_columns:
        options += ["--drop-columns", ",".join(drop_columns)]
    if not scale:
        options.append("--no-scale")
    started = time.monotonic()
    if use_direct_io(settings, master) if direct is None else direct:
        for stale in objects.list(output_prefix + "/"):  # a rerun replaces, never mixes, outputs
            objects.delete(stale.key)
        try:
            _run(
                PREPROCESS_SCRIPT,
                ["--input", s3a_uri(settings, input_key), "--output", s3a_uri(settings, output_prefix), *options],
                settings,
                master,
                direct=True,
                echo=echo,
            )
        except BaseException:
            for partial in objects.list(output_prefix + "/"):  # no half-written outputs left behind
                objects.delete(partial.key)
            raise
        keys = [i.key for i in objects.list(output_prefix + "/") if not i.key.rsplit("/", 1)[-1].startswith("_")]
        profile = json.loads(objects.read_bytes(f"{output_prefix}/profile.json"))
        fitted = FittedPreprocessing.from_json(objects.read_bytes(f"{output_prefix}/preprocessing.json"))
    else:
        with tempfile.TemporaryDirectory(prefix="modelhub-spark-") as tmp:
            source = Path(tmp) / f"input.{input_format}"
            stage_object(objects, input_key, source)
            out = Path(tmp) / "out"
            _run(
                PREPROCESS_SCRIPT,
                ["--input", str(source), "--output", str(out), *options],
                settings,
                master,
                direct=False,
                echo=echo,
            )
            profile = json.loads((out / "profile.json").read_text())
            fitted = FittedPreprocessing.load(out / "preprocessing.json")
            for stale in objects.list(output_prefix + "/"):
                objects.delete(stale.key)
            keys = upload_tree(objects, out, output_prefix)
    return PreprocessResult(output_prefix, profile, fitted, keys, time.monotonic() - started)


def _run(script: Path, args: list[str], settings: Settings, master: str, *, direct: bool, echo) -> SparkRun:
    conf, env, jars = {}, {}, []
    if direct:
        conf, env, jars = s3a_conf(settings), s3a_secrets(settings), s3a_jars()
    return run_spark_job(
        script,
        args,
        master=master,
        extra_conf=conf,
        env=env,
        driver_memory=settings.spark_driver_memory,
        timeout_s=settings.spark_timeout_s,
        jars=jars,
        echo=echo,
    )


@dataclass
class ScoreResult:
    rows: int
    keys: list[str]  # the CSV object, or the Parquet parts under the output prefix
    seconds: float
    columns: list[str]


def score_with_spark(
    objects: ObjectStore,
    *,
    input_key: str,
    input_format: str,
    model_path: str | Path,
    model_format: str,
    output_key: str,
    preprocessing: FittedPreprocessing | dict[str, Any] | None = None,
    id_column: str | None = "id",
    prediction_column: str = "prediction",
    include_probabilities: bool = False,
    output_format: str = "csv",
    delimiter: str = ",",
    batch_size: int = 10_000,
    settings: Settings | None = None,
    master: str | None = None,
    echo=None,
) -> ScoreResult:
    """Score a dataset object with Spark (spark_jobs/score.py) and store the predictions.

    `model_path` is the model file on local disk (the job process downloaded it; it is shipped to
    the Spark workers). CSV output is ONE object at `output_key` (header once, parts concatenated in
    order, streamed); Parquet output is the part files under the prefix `output_key`.
    The input is staged locally (any object store); predictions keep the input's row order.
    """
    settings = settings or Settings()
    master = master or settings.spark_master
    info = objects.head(input_key)
    if info is None:
        raise SparkJobError(f"the dataset object {input_key} does not exist")
    if info.size == 0:
        raise SparkJobError("the dataset is empty (0 bytes)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="modelhub-spark-score-") as tmp:
        source = Path(tmp) / f"input.{input_format}"
        stage_object(objects, input_key, source)
        out = Path(tmp) / "out"
        args = [
            "--input", str(source), "--format", input_format, "--delimiter", delimiter,
            "--model", str(model_path), "--model-format", model_format,
            "--prediction-column", prediction_column, "--output", str(out),
            "--output-format", output_format, "--batch-size", str(batch_size),
        ]  # fmt: skip
        if preprocessing is not None:
            if isinstance(preprocessing, FittedPreprocessing):
                preprocessing = preprocessing.to_dict()
            prep_path = Path(tmp) / "preprocessing.json"
            prep_path.write_text(json.dumps(preprocessing))
            args += ["--preprocessing", str(prep_path)]
        if id_column:
            args += ["--id-column", id_column]
        if include_probabilities:
            args.append("--include-probabilities")
        run = _run(SCORE_SCRIPT, args, settings, master, direct=False, echo=echo)
        summary = run.summary or {}
        if output_format == "csv":
            parts = sorted(p for p in out.glob("part-*") if p.is_file())
            objects.put(output_key, _concatenated_csv(parts), content_type="text/csv")
            keys = [output_key]
        else:
            for stale in objects.list(output_key.rstrip("/") + "/"):
                objects.delete(stale.key)
            keys = upload_tree(objects, out, output_key)
    return ScoreResult(int(summary.get("rows", 0)), keys, time.monotonic() - started, list(summary.get("columns", [])))


def _concatenated_csv(parts: Sequence[Path]) -> Iterator[bytes]:
    """Spark's CSV parts as one file: the first header, then every part's rows, streamed."""
    header_sent = False
    for part in parts:
        with part.open("rb") as source:
            header = source.readline()
            if not header:
                continue  # an empty partition's file
            if not header_sent:
                yield header
                header_sent = True
            while chunk := source.read(CHUNK_SIZE):
                yield chunk
