"""Online prediction: the same scikit-learn model behind ModelHub and behind `mlflow models serve`,
side by side over HTTP, in one run.

    bash scripts/bench.sh benchmarks/serving_vs_mlflow.py [--requests 1000] [--seconds 20]

What it does (every process it starts runs in its own process group and is stopped at the end):
1. Fits a 30-feature scikit-learn pipeline (StandardScaler + LogisticRegression) once, here.
2. MLflow: the pipeline saved with `mlflow.sklearn.save_model` and an inferred signature (what
   `mlflow.sklearn.log_model` does), served by `mlflow models serve --env-manager local` from the
   cached MLflow virtualenv of benchmarks/registry_vs_mlflow.py (same install logic), with its
   default worker count (MLFLOW_MODELS_WORKERS, else the CPU count) unless --mlflow-workers is set.
3. ModelHub: `modelhub serve` (one uvicorn process, embedded SQLite stores, default serving
   settings: 2 worker processes, prediction log on); the same pipeline uploaded as a skops file,
   the model's input schema listing the 30 numeric features, `champion` alias set.
4. With 1 and 8 keep-alive clients: one record per request and 100 records per request
   (`dataframe_records` for MLflow, `records` for ModelHub). Median, p95, throughput, ratios.
   Both answers are checked to be the same predictions first. The bodies are encoded to JSON once,
   before the clock starts, as load generators (wrk, hey) send them: encoding 100 records costs the
   Python client ~1.7 ms, the same for both servers, which would otherwise sit inside every
   measured millisecond; `--client-encodes` puts it back in (how docs/benchmarks.md's older serving runs measured).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import httpx

from benchmarks.registry_vs_mlflow import (
    MLFLOW_VERSION,
    Processes,
    Result,
    check,
    ensure_mlflow_env,
    free_port,
    measure,
    run_in_workdir,
    wait_http,
)

FEATURES = [f"x{i:02d}" for i in range(30)]


def fit_model():
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(5_000, len(FEATURES))), columns=FEATURES)
    labels = (frame.iloc[:, :5].sum(axis=1) + rng.normal(0, 1, len(frame)) > 0).astype(int)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(frame, labels), frame


def records(count: int, seed: int) -> list[dict[str, float]]:
    rng = random.Random(seed)
    return [{name: round(rng.gauss(0, 1), 6) for name in FEATURES} for _ in range(count)]


class Server:
    label: str
    base: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=120, headers=self.headers())

    def headers(self) -> dict[str, str]:
        return {}

    def body(self, rows: list[dict[str, float]]) -> dict: ...

    def post(self, client: httpx.Client, content: bytes) -> httpx.Response: ...

    def predict(self, client: httpx.Client, rows: list[dict[str, float]] | bytes) -> list:
        """The predictions for `rows`, or for a body already encoded."""
        content = rows if isinstance(rows, bytes) else json.dumps(self.body(rows)).encode()
        return check(self.post(client, content), 200).json()["predictions"]


JSON_HEADERS = {"Content-Type": "application/json"}


class MLflowServe(Server):
    label = "MLflow"

    def __init__(self, base: str):
        self.base = base

    def body(self, rows):
        return {"dataframe_records": rows}

    def post(self, client, content):
        return client.post("/invocations", content=content, headers=JSON_HEADERS)


class ModelHubServe(Server):
    label = "ModelHub"

    def __init__(self, base: str, model: str):
        self.base = base
        self.model = model
        self.token = ""

    def login(self) -> None:
        form = {"username": "business", "password": "password123"}
        self.token = check(httpx.post(f"{self.base}/api/auth/token", data=form, timeout=30), 200).json()["access_token"]

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def body(self, rows):
        return {"records": rows}

    def post(self, client, content):
        return client.post(f"/api/models/{self.model}/predict", content=content, headers=JSON_HEADERS)


def setup_modelhub(base: str, model, work: Path) -> None:
    import skops.io

    admin = check(
        httpx.post(f"{base}/api/auth/token", data={"username": "datascientist", "password": "password123"}), 200
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {admin}"}
    schema = {
        "type": "object",
        "properties": {name: {"type": "number"} for name in FEATURES},
        "required": FEATURES,
        "additionalProperties": False,
    }
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        body = {"name": "bench-credit", "framework": "sklearn", "task_type": "classification", "input_schema": schema}
        check(http.post("/api/models", json=body), 201)
        files = {"file": ("model.skops", skops.io.dumps(model), "application/octet-stream")}
        check(http.post("/api/models/bench-credit/versions", files=files), 201)
        check(http.put("/api/models/bench-credit/aliases/champion", json={"version": 1}), 200)


def run(args: argparse.Namespace, work: Path, processes: Processes) -> dict:
    import mlflow.sklearn
    from mlflow.models import infer_signature

    model, frame = fit_model()
    env_base = {k: v for k, v in os.environ.items() if not k.startswith(("MODELHUB_", "MLFLOW_", "VIRTUAL_ENV"))}

    model_dir = work / "mlflow-model"
    mlflow.sklearn.save_model(
        model, model_dir, signature=infer_signature(frame.head(100), model.predict(frame.head(100)))
    )
    mlflow_venv = ensure_mlflow_env()
    mlflow_port = free_port()
    mlflow_log = work / "mlflow.log"
    mlflow_env = {**env_base, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    if args.mlflow_workers:
        mlflow_env["MLFLOW_MODELS_WORKERS"] = str(args.mlflow_workers)
    mlflow_cmd = [str(mlflow_venv / "bin" / "mlflow"), "models", "serve", "-m", str(model_dir)]
    mlflow_cmd += ["--env-manager", "local", "--host", "127.0.0.1", "--port", str(mlflow_port)]
    # `--env-manager local` runs uvicorn from PATH: the MLflow venv's
    mlflow_env["PATH"] = f"{mlflow_venv / 'bin'}:{mlflow_env.get('PATH', '')}"
    mlflow_proc = processes.start("mlflow", mlflow_cmd, mlflow_env, mlflow_log, work)

    hub_port = free_port()
    hub_log = work / "modelhub.log"
    hub_env = {
        **env_base,
        "MODELHUB_DATA_DIR": str(work / "modelhub"),
        "MODELHUB_ORCHESTRATOR_SYNC_INTERVAL_S": "0",  # no Airflow in this benchmark
        "MODELHUB_LOG_LEVEL": "warning",
    }
    if args.serving_workers:
        hub_env["MODELHUB_SERVING_WORKERS"] = str(args.serving_workers)
    hub_cmd = [str(Path(sys.executable).parent / "modelhub"), "serve", "--host", "127.0.0.1", "--port", str(hub_port)]
    hub_proc = processes.start("modelhub", hub_cmd, hub_env, hub_log, work)

    mlf = MLflowServe(f"http://127.0.0.1:{mlflow_port}")
    wait_http(f"{mlf.base}/ping", mlflow_proc, mlflow_log)
    wait_http(f"http://127.0.0.1:{hub_port}/api/health", hub_proc, hub_log)
    setup_modelhub(f"http://127.0.0.1:{hub_port}", model, work)
    hub = ModelHubServe(f"http://127.0.0.1:{hub_port}", "bench-credit")
    hub.login()

    # Same question, same answer, and the local model agrees.
    import pandas as pd

    sample = records(100, seed=1)
    expected = model.predict(pd.DataFrame.from_records(sample, columns=FEATURES)).tolist()
    with hub.client() as hc, mlf.client() as mc:
        ours, theirs = hub.predict(hc, sample), mlf.predict(mc, sample)
    if ours != expected or theirs != expected:
        raise RuntimeError(f"predictions differ: ModelHub {ours[:5]}, MLflow {theirs[:5]}, local {expected[:5]}")

    batches = {size: [records(size, seed) for seed in range(200)] for size in (1, 100)}
    report: dict = {"results": {}}
    for size in (1, 100):
        for clients in (1, 8):
            requests = args.requests * (2 if clients > 1 else 1) // (1 if size == 1 else 4)
            for server in (hub, mlf):
                if server is hub:
                    hub.login()  # a fresh token per phase (they last 15 minutes)
                pool = batches[size]
                if not args.client_encodes:
                    pool = [json.dumps(server.body(rows)).encode() for rows in pool]

                def request(client, i, server=server, pool=pool):
                    return server.predict(client, pool[i % len(pool)])

                result = measure(server, request, clients, requests, args.seconds)
                report["results"][(size, clients, server.label)] = result
                print(
                    f"  {size:3} record(s) x{clients} {server.label:8} median {result.median:7.1f} ms  "
                    f"p95 {result.p95:7.1f} ms  {result.throughput:7.1f} req/s  ({len(result.latencies_ms)} requests)",
                    file=sys.stderr,
                    flush=True,
                )
    stats = httpx.get(f"{hub.base}/api/serving/stats", headers=hub.headers(), timeout=30).json()
    report["prediction_log"] = stats["prediction_log"]
    return report


def table(report: dict) -> str:
    lines = [
        "| records/request | clients | ModelHub median ms | ModelHub p95 ms | ModelHub req/s (rows/s) "
        "| MLflow median ms | MLflow p95 ms | MLflow req/s (rows/s) | throughput ratio | p95 ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    results: dict[tuple, Result] = report["results"]
    for size in (1, 100):
        for clients in (1, 8):
            hub, mlf = results[(size, clients, "ModelHub")], results[(size, clients, "MLflow")]
            lines.append(
                f"| {size} | {clients} | {hub.median:.1f} | {hub.p95:.1f} "
                f"| {hub.throughput:.0f} ({hub.throughput * size:.0f}) "
                f"| {mlf.median:.1f} | {mlf.p95:.1f} | {mlf.throughput:.0f} ({mlf.throughput * size:.0f}) "
                f"| {hub.throughput / mlf.throughput:.1f}x | {mlf.p95 / hub.p95:.1f}x |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per measurement with 1 client and 1 record")
    parser.add_argument("--seconds", type=float, default=20, help="cap per measurement")
    parser.add_argument("--mlflow-workers", type=int, default=0, help="0: mlflow's default (the CPU count)")
    parser.add_argument("--serving-workers", type=int, default=0, help="0: ModelHub's default (2)")
    parser.add_argument(
        "--client-encodes", action="store_true", help="clients encode each body to JSON inside the measured time"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir and server logs")
    args = parser.parse_args()

    started = time.perf_counter()
    report = run_in_workdir("bench-serving-", args, run)
    print(
        f"\nMLflow {MLFLOW_VERSION} (`mlflow models serve --env-manager local`, "
        f"{args.mlflow_workers or os.cpu_count()} uvicorn workers) vs ModelHub (`modelhub serve`, 1 process, "
        f"{args.serving_workers or 2} serving workers, prediction log on); 30-feature StandardScaler + "
        f"LogisticRegression; keep-alive httpx clients, bodies encoded "
        f"{'per request' if args.client_encodes else 'once, before the clock'}; {os.cpu_count()} CPUs\n"
    )
    print(table(report))
    print(f"\nModelHub prediction log after the run: {report['prediction_log']}")
    print(f"whole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
