"""Filtered, sorted find of 50 over 10,000 model documents on both metadata backends.

    bash scripts/bench.sh benchmarks/metadata_find.py [--models 10000] [--queries 200]

Starts its own FerretDB through the test harness. Prints median and p95 per query shape and
backend as a Markdown table (copied into docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from modelhub.stores.metadata import Index, open_metadata_store
from tests.harness.ferretdb import FerretDBServer

DEPARTMENTS = ["rnd", "marketing", "supply_chain", "sales", "hr", "finance"]
GEOGRAPHIES = ["fr", "de", "us", "br", "jp", "in", "ma", "uk"]
FRAMEWORKS = ["sklearn", "pytorch", "xgboost", "onnx", "lightgbm"]
TAGS = ["churn", "forecast", "pricing", "nlp", "vision", "weekly", "daily", "gold", "experimental"]
INDEXES = [
    Index(("name_key",), unique=True),
    Index(("department",)),
    Index(("geography",)),
    Index(("framework",)),
    Index(("updated_at",)),
    Index(("tags",), multikey=True),
]


def documents(count: int):
    rng = random.Random(42)
    for i in range(count):
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        name = f"{dept}-{rng.choice(['churn', 'demand', 'price', 'lead', 'attrition', 'fraud'])}-model-{i:05d}"
        yield {
            "name": name,
            "name_key": name.lower(),
            "description": f"Predicts {name} for the {dept} team. " * 4,
            "department": dept,
            "geography": rng.choice(GEOGRAPHIES),
            "framework": rng.choice(FRAMEWORKS),
            "task_type": rng.choice(["classification", "regression"]),
            "owner": f"user{rng.randrange(60)}",
            "tags": rng.sample(TAGS, 3),
            "updated_at": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T00:00:00.000000Z",
            "input_schema": {"type": "object", "properties": {f"f{j}": {"type": "number"} for j in range(12)}},
        }


QUERIES = {
    "department + sort by updated": lambda rng: ({"department": rng.choice(DEPARTMENTS)}, [("updated_at", -1)]),
    "name contains + tag + sort": lambda rng: (
        {"name_key": {"$contains": rng.choice(["churn", "price", "lead"])}, "tags": rng.choice(TAGS)},
        [("updated_at", -1)],
    ),
    "3 filters + sort by name": lambda rng: (
        {
            "department": rng.choice(DEPARTMENTS),
            "geography": {"$in": rng.sample(GEOGRAPHIES, 2)},
            "framework": rng.choice(FRAMEWORKS),
        },
        [("name_key", 1)],
    ),
}


def measure(store, queries: int) -> dict[str, tuple[float, float]]:
    results = {}
    for label, make in QUERIES.items():
        rng = random.Random(7)
        timings = []
        for _ in range(queries):
            flt, sort = make(rng)
            started = time.perf_counter()
            page = store.find("models", flt, sort=sort, limit=50, with_total=True)
            timings.append((time.perf_counter() - started) * 1000)
            assert page.total is not None
        timings.sort()
        results[label] = (statistics.median(timings), timings[int(len(timings) * 0.95) - 1])
    return results


def load(store, count: int) -> float:
    store.ensure_collection("models", INDEXES)
    started = time.perf_counter()
    for doc in documents(count):
        store.insert("models", doc)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-metadata-"))
    ferret = FerretDBServer(work / "ferretdb")
    ferret.install()
    ferret.start()
    try:
        backends = {
            "SQLite (embedded)": open_metadata_store(f"sqlite:///{work / 'metadata.db'}"),
            "MongoDB wire (FerretDB 1.24, SQLite backend)": open_metadata_store(ferret.uri + "bench", timeout_s=60),
        }
        print(f"{args.models} documents, {args.queries} queries per shape, page of 50 with total\n")
        print("| backend | query | median ms | p95 ms |\n|---|---|---|---|")
        for name, store in backends.items():
            seconds = load(store, args.models)
            for label, (median, p95) in measure(store, args.queries).items():
                print(f"| {name} | {label} | {median:.1f} | {p95:.1f} |")
            print(f"| {name} | (load {args.models} inserts) | {seconds:.1f} s total | |")
            store.close()
    finally:
        ferret.stop()


if __name__ == "__main__":
    main()
