"""Every page's API reads under 50 concurrent clients, and a 1 GiB version uploaded and downloaded
with the server's memory watched (DESIGN.md section 6: read p95 < 200 ms under 50 clients; uploads
and downloads streamed, memory bounded independent of file size).

    bash scripts/bench.sh benchmarks/api_under_load.py [--models 10000] [--clients 50] [--seconds 30] [--gigabytes 1]

What it does (every process it starts runs in its own process group and is stopped at the end):
1. `modelhub seed-demo` into a fresh data dir (324 models with real versions, aliases, datasets,
   deployments' metric history), then `modelhub serve` (one uvicorn process, embedded SQLite stores,
   as `make run`) and N more catalog models through POST /api/models, 8 threads.
2. 50 asyncio clients on keep-alive connections, each with its own token, for `--seconds`: every
   client loops over the reads the web pages make (home: overview, facets, recent executions, me;
   catalog: search with a filter, facets; model page: model, versions, history, deployments,
   metrics series), picking models at random. Median and p95 per read, total throughput.
3. A `--gigabytes` file (never held in memory by the client either) uploaded as a version through
   the usual multipart endpoint, then downloaded and its sha256 checked, while the server's
   resident memory is sampled every 50 ms: its peak against the size of the file.

Client and server share the machine's cores, so the latencies include the clients' own work.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx

from benchmarks.procfs import process_stats
from benchmarks.registry_vs_mlflow import (
    ModelHub,
    Processes,
    catalog,
    check,
    free_port,
    load,
    run_in_workdir,
    wait_http,
)

USERS = (
    ("admin", "admin123"),
    ("datascientist", "password123"),
    ("business", "password123"),
    ("viewer", "password123"),
)
CHUNK = 1024 * 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(len(ordered) * share) - 1))]


def rss_bytes(pid: int) -> int:
    """Anonymous resident memory (heap, buffers) of a process and its children, if any. Not VmRSS:
    each thread's SQLite connection maps the database files, and VmRSS counts those shared file
    pages once per mapping (1.5 GiB "resident" for 40 threads over ~80 MB of files)."""
    total = 0
    for member, fields in process_stats():
        if member != pid and int(fields[1]) != pid:
            continue
        try:
            with open(f"/proc/{member}/status") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("RssAnon:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


class MemoryWatch:
    """Peak resident memory of the server while the block runs, sampled every 50 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            time.sleep(0.05)

    def __enter__(self) -> MemoryWatch:
        self.peak = rss_bytes(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# -- reads under load --------------------------------------------------------------------------------
def page_reads(models: list[dict], departments: list[str], words: list[str], rng: random.Random):
    """The reads of the home page, the catalog and a model page, as (name, path, params)."""
    model = rng.choice(models)
    ref = model["id"]
    return [
        ("home: overview", "/api/dashboards/overview", {}),
        ("home: recent executions", "/api/executions", {"limit": 10}),
        ("home: me", "/api/auth/me", {}),
        (
            "catalog: search",
            "/api/models",
            {"q": rng.choice(words), "department": rng.choice(departments), "limit": 50},
        ),
        ("catalog: facets", "/api/models/facets", {"department": rng.choice(departments)}),
        ("catalog: first page", "/api/models", {"sort": "-updated_at", "limit": 50}),
        ("model: get", f"/api/models/{ref}", {}),
        ("model: versions", f"/api/models/{ref}/versions", {"limit": 25}),
        ("model: history", f"/api/models/{ref}/history", {"limit": 15}),
        ("model: deployments", "/api/deployments", {"model": ref, "limit": 10}),
        ("model: metrics", "/api/metrics", {"series": "prediction.count", "model": ref, "aggregate": "sum"}),
    ]


async def reads_under_load(base: str, tokens: list[str], models: list[dict], clients: int, seconds: float) -> dict:
    departments = sorted({m["department"] for m in models if m.get("department")})
    words = ["churn", "demand", "price", "fraud", "forecast", "score"]
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    warmed, all_warm, go = [0], asyncio.Event(), asyncio.Event()
    deadline = [0.0]

    async def client(number: int) -> None:
        rng = random.Random(number)
        headers = {"Authorization": f"Bearer {tokens[number % len(tokens)]}"}
        limits = httpx.Limits(max_connections=1)  # one connection per client, kept alive
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as http:
            for _name, path, params in page_reads(models, departments, words, rng):  # connection, caches
                check(await http.get(path, params=params), 200)
            warmed[0] += 1
            if warmed[0] == clients:
                all_warm.set()
            await go.wait()
            while time.perf_counter() < deadline[0]:
                for name, path, params in page_reads(models, departments, words, rng):
                    began = time.perf_counter()
                    response = await http.get(path, params=params)
                    latencies[name].append((time.perf_counter() - began) * 1000)
                    if response.status_code != 200:
                        errors[f"{name} {response.status_code}"] += 1

    tasks = [asyncio.create_task(client(n)) for n in range(clients)]
    await asyncio.wait([asyncio.create_task(all_warm.wait()), *tasks], return_when=asyncio.FIRST_COMPLETED)
    began = time.perf_counter()
    deadline[0] = began + seconds
    go.set()
    await asyncio.gather(*tasks)  # a client that failed its warm-up raises here
    return {"latencies": dict(latencies), "errors": dict(errors), "seconds": time.perf_counter() - began}


# -- one big file ------------------------------------------------------------------------------------
def file_chunks(size: int, seed: int = 1) -> Iterator[bytes]:
    """`size` bytes that do not compress, 1 MiB at a time (the client never holds the file either)."""
    block = random.Random(seed).randbytes(CHUNK)
    sent = 0
    while sent < size:
        piece = block[: min(CHUNK, size - sent)]
        # vary each chunk so the whole file is not one repeated block
        piece = sent.to_bytes(8, "big") + piece[8:] if len(piece) >= 8 else piece
        sent += len(piece)
        yield piece


def multipart_stream(size: int, boundary: str, digest) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\nother\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    for piece in file_chunks(size):
        digest.update(piece)
        yield piece
    yield f"\r\n--{boundary}--\r\n".encode()


def big_file(hub: ModelHub, server_pid: int, size: int) -> dict:
    with httpx.Client(base_url=hub.base, headers=hub.headers(), timeout=600) as http:
        model = check(
            http.post("/api/models", json={"name": "big-file", "framework": "other", "task_type": "other"}), 201
        ).json()
        idle = rss_bytes(server_pid)
        boundary = "modelhub-bench-boundary"
        sent = hashlib.sha256()
        began = time.perf_counter()
        with MemoryWatch(server_pid) as upload_memory:
            response = http.post(
                f"/api/models/{model['id']}/versions",
                content=multipart_stream(size, boundary, sent),
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
        upload_s = time.perf_counter() - began
        version = check(response, 201).json()
        if version["sha256"] != sent.hexdigest() or version["size"] != size:
            raise RuntimeError(f"the server stored {version['size']} bytes, sha256 {version['sha256']}")
        received, got = hashlib.sha256(), 0
        began = time.perf_counter()
        artifact = f"/api/models/{model['id']}/versions/1/artifact"
        with MemoryWatch(server_pid) as download_memory, http.stream("GET", artifact) as stream:
            check(stream, 200)
            for piece in stream.iter_bytes(CHUNK):
                received.update(piece)
                got += len(piece)
        download_s = time.perf_counter() - began
        if received.hexdigest() != sent.hexdigest() or got != size:
            raise RuntimeError(f"downloaded {got} bytes with another sha256")
    return {
        "size": size,
        "idle_rss": idle,
        "upload_peak_rss": upload_memory.peak,
        "download_peak_rss": download_memory.peak,
        "upload_s": upload_s,
        "download_s": download_s,
    }


def run(args: argparse.Namespace, work: Path, processes: Processes) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELHUB_", "VIRTUAL_ENV"))}
    env.update(
        MODELHUB_DATA_DIR=str(work / "modelhub"),
        MODELHUB_ORCHESTRATOR_SYNC_INTERVAL_S="0",  # no Airflow here: reads only
        MODELHUB_LOG_LEVEL="warning",
    )
    bin_dir = Path(sys.executable).parent
    print("seed-demo …", file=sys.stderr, flush=True)
    began = time.perf_counter()
    subprocess.run([str(bin_dir / "modelhub"), "seed-demo"], env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
    print(f"  seeded in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)

    port = free_port()
    log = work / "modelhub.log"
    cmd = [str(bin_dir / "modelhub"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = processes.start("modelhub", cmd, env, log, work)
    hub = ModelHub(f"http://127.0.0.1:{port}")
    wait_http(f"{hub.base}/api/health", server, log)
    hub.login()
    if args.models:
        print(f"loading {args.models} more models", file=sys.stderr, flush=True)
        load(hub, catalog(args.models))

    tokens = []
    for username, password in USERS:
        form = {"username": username, "password": password}
        tokens.append(
            check(httpx.post(f"{hub.base}/api/auth/token", data=form, timeout=30), 200).json()["access_token"]
        )
    with hub.client() as http:
        total = check(http.get("/api/models", params={"limit": 1}), 200).json()["total"]
        # the demo models came first: the oldest pages hold them
        demo, cursor = [], None
        while len(demo) < 400:
            params = {"sort": "created_at", "limit": 200, **({"cursor": cursor} if cursor else {})}
            page = check(http.get("/api/models", params=params), 200).json()
            demo += page["items"]
            if not (cursor := page["next_cursor"]):
                break
    models = [m for m in demo if m.get("latest_version")]
    print(f"{total} models; reads with {args.clients} clients for {args.seconds:.0f} s", file=sys.stderr, flush=True)
    reads = asyncio.run(reads_under_load(hub.base, tokens, models, args.clients, args.seconds))
    print(f"a {args.gigabytes:g} GiB version up and down", file=sys.stderr, flush=True)
    hub.login()
    big = big_file(hub, server.pid, int(args.gigabytes * 1024**3))
    return {"models": total, "clients": args.clients, "reads": reads, "big_file": big}


def table(report: dict) -> str:
    reads = report["reads"]
    lines = ["| read | requests | median ms | p95 ms |", "|---|---|---|---|"]
    everything: list[float] = []
    for name, values in reads["latencies"].items():
        everything += values
        lines.append(f"| {name} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} |")
    lines.append(
        f"| **all reads** | {len(everything)} | {statistics.median(everything):.1f} | "
        f"{percentile(everything, 0.95):.1f} |"
    )
    throughput = len(everything) / reads["seconds"]
    big = report["big_file"]
    mib = 1024**2
    return "\n".join(
        [
            *lines,
            "",
            f"{report['models']} models, {report['clients']} clients, {throughput:.0f} reads/s overall; "
            f"errors: {reads['errors'] or 'none'}",
            "",
            f"{big['size'] / mib:.0f} MiB version: upload {big['upload_s']:.1f} s "
            f"({big['size'] / mib / big['upload_s']:.0f} MiB/s), download {big['download_s']:.1f} s "
            f"({big['size'] / mib / big['download_s']:.0f} MiB/s); server anonymous memory idle "
            f"{big['idle_rss'] / mib:.0f} MiB, peak during upload {big['upload_peak_rss'] / mib:.0f} MiB, "
            f"during download {big['download_peak_rss'] / mib:.0f} MiB",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=10_000, help="catalog models added to the demo catalog")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir and server log")
    args = parser.parse_args()
    started = time.perf_counter()
    report = run_in_workdir("bench-api-load-", args, run)
    print(f"\n`modelhub serve` (1 process, embedded SQLite and local files), {os.cpu_count()} CPUs\n")
    print(table(report))
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
