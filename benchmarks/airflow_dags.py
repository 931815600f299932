"""1,000 deployments in a real Airflow 3: seconds until all are visible, dag-processor CPU while
idle, a changed spec's delay, and trigger → first task running.

    bash scripts/bench.sh benchmarks/airflow_dags.py --deployments 1000 [--shards 16] [--parsing-processes 1]

The deployments are inserted into an embedded metadata store and their specs written by the
deployments service (what POST /api/deployments does after validating), into a fresh DAGs folder
holding the factory, while ModelHub's background reconciliation runs as in the API process and
Airflow runs with the settings of `make run` (modelhub.orchestration.local). Not a test: it prints
numbers for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.procfs import process_stats
from modelhub.config import Settings
from modelhub.context import AppContext
from modelhub.deployments.service import DeploymentsService
from modelhub.orchestration.local import modelhub_dag_settings
from modelhub.orchestration.specs import dag_id_for
from modelhub.orchestration.sync import SyncThread
from tests.harness.airflow import AirflowServer
from tests.harness.base import REPO_ROOT

TICKS = os.sysconf("SC_CLK_TCK")


def doc(number: int, **fields) -> dict:
    deployment_id = f"{number:032x}"
    return {
        "_id": deployment_id,
        "dag_id": dag_id_for(deployment_id),
        "name": f"deployment {number}",
        "kind": "batch_scoring",
        "model_id": "f" * 32,
        "model_name": f"model-{number % 97}",
        "department": ["marketing", "finance", "sales", "hr"][number % 4],
        "cron": None if number % 3 else f"{number % 60} {number % 24} * * *",
        "timezone": "Europe/Paris",
        "schedule_start": "2026-01-01T00:00:00.000000Z",
        "created_by": "datascientist",
        "paused": True,
        "spec_rev": 1,
        **fields,
    }


def group_cpu_seconds(leader: int) -> float:
    """CPU of a process group so far: its live members, plus what the leader reaped."""
    total = 0
    for pid, fields in process_stats():
        if int(fields[2]) != leader:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == leader:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / TICKS


def visible_count(server: AirflowServer) -> int:
    body = server.request("GET", "/api/v2/dags", params={"dag_id_prefix_pattern": "mh_", "limit": 1})
    return body["total_entries"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deployments", type=int, default=1000)
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--parsing-processes", type=int, default=1)
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--triggers", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-airflow-dags-"))
    dags = work / "dags"
    (dags / "generated").mkdir(parents=True)
    for name in ("modelhub_factory.py", ".airflowignore"):
        shutil.copy(REPO_ROOT / "airflow" / "dags" / name, dags / name)
    server = AirflowServer(
        work / "airflow",
        dags,
        extra_env={
            **modelhub_dag_settings(),
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": str(args.parsing_processes),
            "MODELHUB_JOB_PYTHON": "/bin/true",  # the task's job: nothing, we time the start only
        },
    )
    server.start()
    settings = Settings(
        _env_file=None,
        data_dir=work / "app",
        dags_dir=dags / "generated",
        dag_shards=args.shards,
        airflow_url=server.url,
        airflow_password=server.admin_password,
    )
    context = AppContext.from_settings(settings)
    deployments = DeploymentsService(context)
    sync = SyncThread(context, 1.0)
    sync.start()
    try:
        # As in a running system: ModelHub lays out the shard files when it starts, and Airflow has
        # listed them (every refresh interval, 5 s) long before a burst of deployments arrives.
        time.sleep(12)
        started = time.monotonic()
        for number in range(args.deployments):
            saved = context.deployments.insert(doc(number))
            context.deployments.set_sync(saved["_id"], "pending", "new", dag_id=saved["dag_id"])
            deployments.write_spec(saved)
        written = time.monotonic() - started
        while (count := visible_count(server)) < args.deployments:
            time.sleep(0.5)
            if time.monotonic() - started > 900:
                raise SystemExit(f"only {count} of {args.deployments} visible after 900 s")
        all_visible = time.monotonic() - started
        print(
            f"created {args.deployments} deployments in {written:.2f} s; all visible in Airflow after "
            f"{all_visible:.1f} s",
            flush=True,
        )
        while context.deployments.pending(limit=1):
            time.sleep(0.5)
        print(f"all synced in ModelHub after {time.monotonic() - started:.1f} s", flush=True)

        time.sleep(10)  # let the last parses settle
        leader = server.extra_processes["airflow-dag-processor"].pid
        cpu0, t0 = group_cpu_seconds(leader), time.monotonic()
        time.sleep(args.idle_seconds)
        idle_cpu = (group_cpu_seconds(leader) - cpu0) / (time.monotonic() - t0) * 100
        print(f"dag-processor CPU while idle over {args.idle_seconds:.0f} s: {idle_cpu:.1f} % of one core", flush=True)

        # a changed spec: how long until Airflow runs it
        changed = doc(7, name="renamed deployment", spec_rev=2)
        t_change = time.monotonic()
        deployments.write_spec(changed)
        while not (server.dag(changed["dag_id"]).get("description") or "").endswith("[spec r2]"):
            time.sleep(0.2)
        print(f"a changed spec reached Airflow after {time.monotonic() - t_change:.1f} s", flush=True)

        latencies = []
        for number in range(args.triggers):
            dag_id = dag_id_for(f"{(number * 3 + 1):032x}")  # unscheduled ones
            server.unpause(dag_id)
            t_trigger = time.monotonic()
            run_id = server.trigger(dag_id, conf={"execution_id": f"{number:032x}"})["dag_run_id"]
            while True:
                states = {ti["state"] for ti in server.task_instances(dag_id, run_id)}
                if states & {"running", "success", "failed"}:
                    break
                time.sleep(0.05)
            latencies.append(time.monotonic() - t_trigger)
            server.wait_for_run(dag_id, run_id)
        print(
            "trigger → first task running: "
            f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s ({len(latencies)} runs)",
            flush=True,
        )
    finally:
        sync.stop()
        context.close()
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
