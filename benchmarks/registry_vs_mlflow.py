"""ModelHub's catalog against an MLflow model registry server, side by side, over HTTP, in one run.

    bash scripts/bench.sh benchmarks/registry_vs_mlflow.py [--models 10000] [--requests 300] [--seconds 30]

What it does (every process it starts runs in its own process group and is stopped at the end):
1. MLflow (pinned below) in its own virtualenv under $MODELHUB_CACHE/bench-mlflow-<hash>, made once
   with uv; `mlflow server` on a free loopback port with a SQLite backend and its default 4 workers.
2. `modelhub serve` from the app's environment on another free port: embedded SQLite stores in a
   temporary data dir, one uvicorn process (the configuration docs/benchmarks.md recommends).
3. The same catalog of N models into both, through their REST APIs with a pool of 8 threads
   (MLflow: registered models whose department, geography, framework, task type, owner and tags
   are registered-model tags; ModelHub: POST /api/models).
4. With 1 and 8 keep-alive clients (one httpx.Client per thread): search (name contains a word +
   department, sorted by name, page of 50), get by name, create. Median, p95, throughput, ratios.

The machine is shared by the servers and the clients; both servers get exactly the same load.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

MLFLOW_VERSION = "3.17.2"  # 3.18.0 is listed on PyPI but its mlflow-skinny is not, so it cannot install
UV_VERSION = "0.13.9"  # the one scripts/lib.sh installs
LOAD_THREADS = 8

DEPARTMENTS = ["rnd", "marketing", "supply_chain", "sales", "hr", "finance"]
GEOGRAPHIES = ["fr", "de", "us", "br", "jp", "in", "ma", "uk"]
FRAMEWORKS = ["sklearn", "pytorch", "xgboost", "onnx", "lightgbm", "tensorflow"]
TASK_TYPES = ["classification", "regression", "forecasting", "ranking"]
TAGS = ["gold", "experimental", "weekly", "daily", "pii", "gpu", "batch", "realtime", "audited"]
# What a name says the model does: `q` / `name LIKE` search for these words. Descriptions only use
# the name's own word, so name-contains (MLflow) and name-or-description-contains (ModelHub) select
# exactly the same models.
SUBJECTS = ["churn", "demand", "price", "fraud", "lead", "attrition"]


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    department: str
    geography: str
    framework: str
    task_type: str
    owner: str
    tags: tuple[str, ...]


def catalog(count: int) -> list[Model]:
    rng = random.Random(42)
    models = []
    for i in range(count):
        subject = rng.choice(SUBJECTS)
        dept = rng.choice(DEPARTMENTS)
        geo = rng.choice(GEOGRAPHIES)
        models.append(
            Model(
                name=f"{dept}-{geo}-{subject}-model-{i:05d}",
                description=f"Scores {subject} risk for the {dept} team in {geo.upper()}; retrained monthly.",
                department=dept,
                geography=geo,
                framework=rng.choice(FRAMEWORKS),
                task_type=rng.choice(TASK_TYPES),
                owner="admin",
                tags=tuple(rng.sample(TAGS, rng.randint(2, 4))),
            )
        )
    return models


def search_params(i: int) -> tuple[str, str]:
    """The i-th search: every (subject, department) pair in turn, so no single query gets cached."""
    return SUBJECTS[i % len(SUBJECTS)], DEPARTMENTS[(i // len(SUBJECTS)) % len(DEPARTMENTS)]


# -- processes ---------------------------------------------------------------------------------------
class Processes:
    """Servers started here, each in its own process group; all stopped on exit, Ctrl-C or SIGTERM."""

    def __init__(self):
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen:
        out = log.open("wb")
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def stop_all(self) -> None:
        for _, proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, proc in reversed(self.procs):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):  # children left behind by a worker supervisor
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self.procs.clear()


def run_in_workdir(prefix: str, args: argparse.Namespace, run) -> dict:
    """`run(args, work, processes)` in a fresh temporary folder; the servers it started are stopped
    and the folder removed (unless `args.keep`) however it ends, SIGTERM included."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    processes = Processes()

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        return run(args, work, processes)
    finally:
        processes.stop_all()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s:\n{log.read_text()[-3000:]}")


def find_uv() -> str:
    cache = Path(os.environ.get("MODELHUB_CACHE", Path.home() / ".cache" / "modelhub"))
    for candidate in (os.environ.get("UV"), str(cache / f"uv-{UV_VERSION}" / "bin" / "uv"), shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise SystemExit("uv not found: run through scripts/bench.sh, which installs it")


def ensure_mlflow_env() -> Path:
    """MLflow in its own cached virtualenv (its pins clash with the app's), made once per version."""
    cache = Path(os.environ.get("MODELHUB_CACHE", Path.home() / ".cache" / "modelhub"))
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    key = hashlib.sha256(f"mlflow=={MLFLOW_VERSION}\npython{python}\n".encode()).hexdigest()[:12]
    venv = cache / f"bench-mlflow-{key}"
    if (venv / ".complete").is_file():
        return venv
    uv = find_uv()
    shutil.rmtree(venv, ignore_errors=True)
    started = time.perf_counter()
    print(f"installing mlflow=={MLFLOW_VERSION} into {venv}", file=sys.stderr, flush=True)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([uv, "venv", "-q", "--python", python, str(venv)], check=True, env=env)
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), f"mlflow=={MLFLOW_VERSION}"],
        check=True,
        env=env,
    )
    (venv / ".complete").write_text(f"mlflow=={MLFLOW_VERSION}\n")
    print(f"installed in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return venv


# -- the two APIs ------------------------------------------------------------------------------------
def check(response: httpx.Response, *ok: int) -> httpx.Response:
    if response.status_code not in ok:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:500]}"
        )
    return response


class Registry:
    label: str
    base: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=120, headers=self.headers())

    def headers(self) -> dict[str, str]:
        return {}

    def create(self, client: httpx.Client, model: Model) -> None: ...

    def get(self, client: httpx.Client, name: str) -> None: ...

    def search(self, client: httpx.Client, word: str, department: str) -> list[str]: ...


class MLflow(Registry):
    label = "MLflow"

    def __init__(self, base: str):
        self.base = base

    def create(self, client, model):
        tags = {
            "department": model.department,
            "geography": model.geography,
            "framework": model.framework,
            "task_type": model.task_type,
            "owner": model.owner,
            "tags": ",".join(model.tags),
            **{f"tag.{tag}": "true" for tag in model.tags},
        }
        body = {
            "name": model.name,
            "description": model.description,
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        }
        check(client.post("/api/2.0/mlflow/registered-models/create", json=body), 200)

    def get(self, client, name):
        check(client.get("/api/2.0/mlflow/registered-models/get", params={"name": name}), 200)

    def search(self, client, word, department):
        params = {
            "filter": f"name LIKE '%{word}%' AND tags.department = '{department}'",
            "order_by": "name ASC",
            "max_results": 50,
        }
        body = check(client.get("/api/2.0/mlflow/registered-models/search", params=params), 200).json()
        return [m["name"] for m in body.get("registered_models", [])]


class ModelHub(Registry):
    label = "ModelHub"

    def __init__(self, base: str):
        self.base = base
        self.token = ""

    def login(self) -> None:
        form = {"username": "admin", "password": "admin123"}
        self.token = check(httpx.post(f"{self.base}/api/auth/token", data=form, timeout=30), 200).json()["access_token"]

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def create(self, client, model):
        body = {
            "name": model.name,
            "description": model.description,
            "department": model.department,
            "geography": model.geography,
            "framework": model.framework,
            "task_type": model.task_type,
            "owner": model.owner,
            "tags": list(model.tags),
        }
        check(client.post("/api/models", json=body), 201)

    def get(self, client, name):
        check(client.get(f"/api/models/{name}"), 200)

    def search(self, client, word, department):
        params = {"q": word, "department": department, "sort": "name", "limit": 50}
        body = check(client.get("/api/models", params=params), 200).json()
        return [m["name"] for m in body["items"]]


# -- load and measure --------------------------------------------------------------------------------
def load(registry: Registry, models: list[Model]) -> float:
    local = threading.local()

    def one(model: Model) -> None:
        if not hasattr(local, "client"):
            local.client = registry.client()
        registry.create(local.client, model)

    started = time.perf_counter()
    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        for done, _ in enumerate(pool.map(one, models), 1):
            if done % 2000 == 0:
                print(f"  {registry.label}: {done} models loaded", file=sys.stderr, flush=True)
    return time.perf_counter() - started


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds


def measure(
    registry: Registry, request: Callable[[httpx.Client, int], object], clients: int, requests: int, max_s: float
) -> Result:
    """`requests` calls (or fewer when `max_s` runs out) spread over `clients` keep-alive clients,
    after a warm-up of 5 calls per client (connections open, caches warm)."""
    sequence = itertools.count()
    warmup = itertools.count(10**6)
    lock = threading.Lock()
    result = Result()
    barrier = threading.Barrier(clients + 1)
    deadline: list[float] = [0.0]

    def worker() -> None:
        with registry.client() as client:
            for _ in range(5):
                request(client, next(warmup))
            barrier.wait()
            barrier.wait()
            mine = []
            while time.perf_counter() < deadline[0]:
                i = next(sequence)
                if i >= requests:
                    break
                started = time.perf_counter()
                request(client, i)
                mine.append((time.perf_counter() - started) * 1000)
            with lock:
                result.latencies_ms.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()  # every client warmed up
    started = time.perf_counter()
    deadline[0] = started + max_s
    barrier.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def operations(
    registry: Registry, models: list[Model], run_id: str
) -> dict[str, Callable[[httpx.Client, int], object]]:
    names = [m.name for m in models]
    rng = random.Random(7)
    picks = [rng.choice(names) for _ in range(10_000)]
    template = models[0]

    def search(client, i):
        return registry.search(client, *search_params(i))

    def get(client, i):
        return registry.get(client, picks[i % len(picks)])

    def create(client, i):
        name = f"bench-{run_id}-{i:07d}"
        registry.create(client, Model(**{**template.__dict__, "name": name, "description": f"created {name}"}))

    return {"search": search, "get by name": get, "create": create}


def run(args: argparse.Namespace, work: Path, processes: Processes) -> dict:
    models = catalog(args.models)
    env_base = {k: v for k, v in os.environ.items() if not k.startswith(("MODELHUB_", "MLFLOW_", "VIRTUAL_ENV"))}

    mlflow_venv = ensure_mlflow_env()
    mlflow_port = free_port()
    (work / "mlflow").mkdir()
    mlflow_log = work / "mlflow.log"
    mlflow_env = {**env_base, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    mlflow_cmd = [
        str(mlflow_venv / "bin" / "mlflow"),
        "server",
        "--backend-store-uri",
        f"sqlite:///{work / 'mlflow' / 'mlflow.db'}",
        "--default-artifact-root",
        str(work / "mlflow" / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(mlflow_port),
    ]
    if args.mlflow_workers:
        mlflow_cmd += ["--workers", str(args.mlflow_workers)]
    mlflow_proc = processes.start("mlflow", mlflow_cmd, mlflow_env, mlflow_log, work / "mlflow")

    hub_port = free_port()
    hub_log = work / "modelhub.log"
    hub_env = {
        **env_base,
        "MODELHUB_DATA_DIR": str(work / "modelhub"),
        "MODELHUB_ORCHESTRATOR_SYNC_INTERVAL_S": "0",  # no Airflow in this benchmark
        "MODELHUB_LOG_LEVEL": "warning",
    }
    hub_cmd = [str(Path(sys.executable).parent / "modelhub"), "serve", "--host", "127.0.0.1", "--port", str(hub_port)]
    if args.modelhub_workers > 1:  # `modelhub serve` runs one process; for comparison, uvicorn's supervisor
        # Workers starting on an empty data dir would each make their own signing key (only one lands on
        # disk), so tokens from one worker fail on the other: let `modelhub doctor` make it first.
        doctor = [str(Path(sys.executable).parent / "modelhub"), "doctor"]
        subprocess.run(doctor, env=hub_env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        hub_cmd = [sys.executable, "-m", "uvicorn", "modelhub.app:create_app", "--factory", "--no-access-log"]
        hub_cmd += ["--workers", str(args.modelhub_workers), "--host", "127.0.0.1", "--port", str(hub_port)]
    hub_proc = processes.start("modelhub", hub_cmd, hub_env, hub_log, work)

    mlflow = MLflow(f"http://127.0.0.1:{mlflow_port}")
    hub = ModelHub(f"http://127.0.0.1:{hub_port}")
    wait_http(f"{mlflow.base}/health", mlflow_proc, mlflow_log)
    wait_http(f"{hub.base}/api/health", hub_proc, hub_log)
    hub.login()

    report: dict = {"models": args.models, "load_s": {}, "results": {}}
    for registry in (hub, mlflow):
        print(f"loading {args.models} models into {registry.label}", file=sys.stderr, flush=True)
        report["load_s"][registry.label] = load(registry, models)

    # Same question, same answer: the first page of a search is the same 50 names in both.
    with hub.client() as hc, mlflow.client() as mc:
        for i in range(len(SUBJECTS) * len(DEPARTMENTS)):
            ours, theirs = hub.search(hc, *search_params(i)), mlflow.search(mc, *search_params(i))
            if ours != theirs or not ours:
                raise RuntimeError(f"search {search_params(i)} differs: {ours[:3]}… vs {theirs[:3]}…")

    run_id = hashlib.sha256(str(time.time()).encode()).hexdigest()[:8]
    for op in ("search", "get by name", "create"):
        for clients in (1, 8):
            requests = args.requests * (2 if clients > 1 else 1)
            for registry in (hub, mlflow):
                if registry is hub:
                    hub.login()  # a fresh token for each phase (they last 15 minutes)
                ops = operations(registry, models, f"{run_id}-{clients}")
                result = measure(registry, ops[op], clients, requests, args.seconds)
                report["results"][(op, clients, registry.label)] = result
                print(
                    f"  {op:12} x{clients} {registry.label:8} median {result.median:7.1f} ms  p95 {result.p95:7.1f} ms"
                    f"  {result.throughput:7.1f} req/s  ({len(result.latencies_ms)} requests)",
                    file=sys.stderr,
                    flush=True,
                )
    return report


def table(report: dict) -> str:
    lines = [
        "| operation | clients | ModelHub median ms | ModelHub p95 ms | ModelHub req/s "
        "| MLflow median ms | MLflow p95 ms | MLflow req/s | speed-up median | speed-up p95 | throughput ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    results = report["results"]
    for op in ("search", "get by name", "create"):
        for clients in (1, 8):
            hub, mlf = results[(op, clients, "ModelHub")], results[(op, clients, "MLflow")]
            lines.append(
                f"| {op} | {clients} | {hub.median:.1f} | {hub.p95:.1f} | {hub.throughput:.0f} "
                f"| {mlf.median:.1f} | {mlf.p95:.1f} | {mlf.throughput:.1f} "
                f"| {mlf.median / hub.median:.1f}x | {mlf.p95 / hub.p95:.1f}x "
                f"| {hub.throughput / mlf.throughput:.1f}x |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="per measurement with 1 client; twice that with 8")
    parser.add_argument("--seconds", type=float, default=30, help="cap per measurement")
    parser.add_argument("--mlflow-workers", type=int, default=0, help="0: mlflow server's default (4)")
    parser.add_argument(
        "--modelhub-workers", type=int, default=1, help="1: `modelhub serve`; more: uvicorn --workers N"
    )
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir and server logs")
    args = parser.parse_args()

    started = time.perf_counter()
    report = run_in_workdir("bench-registry-", args, run)
    print(
        f"\n{args.models} models; MLflow {MLFLOW_VERSION} (`mlflow server`, SQLite, "
        f"{args.mlflow_workers or 4} workers) vs ModelHub ("
        + ("`modelhub serve`, 1 process" if args.modelhub_workers == 1 else f"uvicorn, {args.modelhub_workers} workers")
        + ", embedded SQLite); "
        f"keep-alive httpx clients; {os.cpu_count()} CPUs\n"
    )
    print(table(report))
    loads = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report["load_s"].items())
    print(f"\nloading {args.models} models over HTTP with {LOAD_THREADS} threads: {loads}")
    print(f"whole run: {time.perf_counter() - started:.0f} s")
    if args.json:
        data = {
            **report,
            "results": [
                {
                    "operation": op,
                    "clients": c,
                    "server": s,
                    "median_ms": r.median,
                    "p95_ms": r.p95,
                    "req_per_s": r.throughput,
                    "requests": len(r.latencies_ms),
                }
                for (op, c, s), r in report["results"].items()
            ],
        }
        args.json.write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
