"""Spark preprocessing of a CSV larger than the driver memory (not a test: prints numbers).

    bash scripts/bench.sh benchmarks/spark_preprocess.py [--gigabytes 1.5] [--driver-memory 512m]

Generates a synthetic classification dataset in chunks on disk under /tmp (id, 10 numerics with
nulls, 2 categoricals, a label; about 1 % exact duplicate rows), runs spark_jobs/preprocess.py
on it with spark-submit, `local[*]` and the given driver memory (in local mode the driver JVM is
also the executor, so this is Spark's whole heap), and prints rows, size, wall time and the peak
resident memory of the spark-submit process tree (JVM + Python workers, sampled every 0.2 s).
Everything generated is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.procfs import process_stats
from modelhub.pipelines.spark import PREPROCESS_SCRIPT, run_spark_job

CHUNK_ROWS = 500_000


def generate(path: Path, gigabytes: float, seed: int = 0) -> int:
    rng = np.random.default_rng(seed)
    target_bytes = int(gigabytes * 1024**3)
    rows = 0
    with path.open("w") as out:
        while out.tell() < target_bytes:
            n = CHUNK_ROWS
            x = rng.normal(size=(n, 10)).round(6)
            frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(10)])
            frame.insert(0, "id", np.arange(rows, rows + n))
            for i in range(3):  # 2 % nulls in three columns
                frame.loc[rng.random(n) < 0.02, f"x{i}"] = np.nan
            frame["channel"] = rng.choice(["web", "store", "phone", "partner"], n)
            frame["region"] = rng.choice([f"r{i:02d}" for i in range(40)], n)  # capped at 20 categories
            logit = x[:, 0] - 0.5 * x[:, 1] + 0.3 * (frame["channel"] == "web")
            frame["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
            duplicates = frame.sample(frac=0.01, random_state=int(rng.integers(1 << 31)))
            frame = pd.concat([frame, duplicates])
            frame.to_csv(out, header=rows == 0, index=False)
            rows += len(frame)
    return rows


def tree_rss(root: int) -> int:
    """Resident bytes of root and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for pid, fields in process_stats():
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=1.5)
    parser.add_argument("--driver-memory", default="512m")
    parser.add_argument("--master", default="local[*]")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="modelhub-bench-spark-", dir="/tmp"))
    try:
        source = work / "data.csv"
        started = time.monotonic()
        rows = generate(source, args.gigabytes)
        size = source.stat().st_size
        print(f"generated {rows:,} rows, {size / 1024**3:.2f} GiB in {time.monotonic() - started:.0f} s", flush=True)

        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.2):
                peak = max(peak, tree_rss(os.getpid()))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        job_args = ["--input", source, "--format", "csv", "--output", work / "out", "--target", "label"]
        job_args += ["--task-type", "classification", "--id-column", "id", "--seed", "1"]
        run = run_spark_job(
            PREPROCESS_SCRIPT,
            job_args,
            master=args.master,
            driver_memory=args.driver_memory,
            timeout_s=1800,
        )
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
        profile = json.loads((work / "out" / "profile.json").read_text())
        output = sum(p.stat().st_size for p in (work / "out").rglob("*.parquet"))
        result = {
            "rows": rows,
            "csv_gib": round(size / 1024**3, 2),
            "driver_memory": args.driver_memory,
            "master": args.master,
            "seconds": round(seconds, 1),
            "job_seconds": profile["seconds"],
            "peak_rss_mib": round(peak / 1024**2),
            "cleaning": profile["cleaning"],
            "splits": profile["splits"]["rows"],
            "features": profile["features"],
            "parquet_gib": round(output / 1024**3, 2),
            "returncode": run.returncode,
        }
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
