"""`python -m modelhub.jobs <kind> [--step STEP] --execution-id ... --api-url ...`: run a job or one of
its steps, exit 0 or 1.

A kind's job is one step (its module has `run(context)`) or several (`STEPS` and
`run_step(context, step)`), each an Airflow task of the deployment's DAG. The protocol with the
backend stays one claim and one report per execution however many tasks there are:
- the first step claims the execution and keeps the claimed inputs in the execution's work area;
- a later step reads them from there (it runs only after the ones before it succeeded);
- each step leaves its report there; the last one reports success with all of them merged;
- a step that fails reports the execution failed, with `<step>: <reason>` as its message.
Without `--step`, every step runs in this one process, in order.

The last line of a failed job is `ERROR: <reason>`; the Airflow task fails with that reason. Each
step's duration (and its row count when it has one) goes to the metrics store as
`job.step_duration_s` and `job.rows`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from types import ModuleType
from typing import Any

from modelhub.config import Settings
from modelhub.jobs import JOBS
from modelhub.jobs.api import JobAPI, JobError
from modelhub.jobs.context import JobContext
from modelhub.stores.objects import open_object_store

INPUTS = "inputs.json"


def steps_of(kind: str, job: ModuleType) -> tuple[str, ...]:
    return tuple(getattr(job, "STEPS", None) or (kind,))


def run_one(context: JobContext, job: ModuleType, step: str) -> dict[str, Any]:
    if hasattr(job, "run_step"):
        return job.run_step(context, step) or {}
    return job.run(context) or {}


def step_points(context: JobContext, step: str, seconds: float, report: dict[str, Any]) -> list[Any]:
    from modelhub.stores.metrics import MetricPoint

    label = getattr(sys.modules.get(JOBS[context.kind]), "STEP_LABELS", {}).get(step, step)
    labels = context.labels(step=label)
    points = [MetricPoint("job.step_duration_s", seconds, labels=labels)]
    if isinstance(report.get("rows"), int):
        points.append(MetricPoint("job.rows", report["rows"], labels=labels))
    return points


def merged(context: JobContext, steps: tuple[str, ...], last: dict[str, Any]) -> dict[str, Any]:
    """The execution's report: every step's report, later keys winning, results concatenated."""
    report: dict[str, Any] = {}
    results: list[dict[str, Any]] = []
    for step in steps[:-1]:
        part = context.get_work_json(f"report-{step}.json") or {}
        results += part.pop("results", [])
        report.update(part)
    last = dict(last)
    results += last.pop("results", [])
    report.update(last)
    report["results"] = results
    return {k: v for k, v in report.items() if k in ("rows", "model_version", "results", "message")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modelhub.jobs", description=__doc__)
    parser.add_argument("kind", choices=sorted(JOBS))
    parser.add_argument("--step", help="one step of a multi-step job (default: all of them, in order)")
    parser.add_argument("--execution-id", required=True)
    parser.add_argument("--deployment-id", required=True)
    parser.add_argument("--dag-id", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--api-url", required=True)
    args = parser.parse_args(argv)

    started = time.monotonic()
    settings = Settings()
    api = JobAPI(args.api_url, settings)
    claimed = False
    context: JobContext | None = None
    step = args.step or args.kind
    try:
        job = importlib.import_module(JOBS[args.kind])
        steps = steps_of(args.kind, job)
        if args.step is not None and args.step not in steps:
            raise JobError(f"{args.kind} has no step {args.step!r} (steps: {', '.join(steps)})")
        todo = [args.step] if args.step else list(steps)
        objects = open_object_store(settings)
        context = JobContext(args.execution_id, {}, objects, api, settings=settings, kind=args.kind)
        if todo[0] == steps[0]:
            context.inputs = api.claim(args.execution_id, args.deployment_id, args.dag_id, args.run_id)
            claimed = True
            if len(steps) > 1:
                context.put_work_json(INPUTS, context.inputs)
        else:
            context.inputs = context.get_work_json(INPUTS) or {}
            if not context.inputs:
                raise JobError(f"step {todo[0]} found no claimed inputs: {steps[0]} did not run for this execution")
            claimed = True
        report: dict[str, Any] = {}
        for step in todo:
            context.step = step
            began = time.monotonic()
            if len(steps) > 1:
                print(f"== {args.kind}: step {step} ({steps.index(step) + 1} of {len(steps)})", flush=True)
            report = run_one(context, job, step)
            seconds = time.monotonic() - began
            context.write_metrics(step_points(context, step, seconds, report))
            if step != steps[-1]:
                context.put_work_json(f"report-{step}.json", report)
        if todo[-1] == steps[-1]:
            final = merged(context, steps, report) if len(steps) > 1 else report
            final["seconds"] = round(time.monotonic() - started, 3)
            api.report(args.execution_id, {"outcome": "success", **final})
            if len(steps) > 1:
                context.clear_work()
        seconds = time.monotonic() - started
        print(f"{args.kind} {'job' if not args.step else 'step ' + args.step} done in {seconds:.1f} s", flush=True)
        return 0
    except Exception as exc:  # noqa: BLE001 - every failure ends as one clear line for the task log
        reason = str(exc) if isinstance(exc, JobError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, JobError):
            traceback.print_exc(file=sys.stdout)
        if claimed:
            multi = context is not None and len(steps_of(args.kind, sys.modules.get(JOBS[args.kind]))) > 1
            message = f"{step}: {reason}" if multi else reason
            try:
                api.report(args.execution_id, {"outcome": "failed", "message": message[:2000]})
            except Exception as report_error:  # noqa: BLE001 - the job's own failure is the one to show
                print(f"could not report the failure to ModelHub: {report_error}", flush=True)
            if multi:
                context.clear_work()
        print(f"ERROR: {reason}", flush=True)
        return 1
    finally:
        api.close()


if __name__ == "__main__":
    sys.exit(main())
