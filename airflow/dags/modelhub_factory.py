"""ModelHub's one DAG factory: a DAG per deployment spec, for the generated shard files.

ModelHub writes each deployment as a JSON spec in `<generated>/specs/shard_NN/<id>.json` and one
tiny `<generated>/shard_NN.py` per shard that calls `build_shard(__file__, globals())`. Parsing a
shard reads its specs from local disk only: no database, no API, no network (Airflow's dynamic
DAG generation guidance). A spec that cannot be read or built is logged and replaced by a DAG of
the same id whose only task fails with the reason, so one bad spec never breaks its shard.

Tasks run ModelHub's job code in ModelHub's own environment, not Airflow's:
`$MODELHUB_JOB_PYTHON -m modelhub.jobs <kind> [--step <step>] --execution-id ...`, its output
streamed into the task log, and the task failing with the job's message when it exits non-zero.
A kind with several steps (STEPS, the same as its job module's) is a chain of one task per step:
training = preprocess >> train >> register, evaluation = evaluate >> promote; the job's first
step claims the execution and its last one reports it (modelhub/jobs/__main__.py).

This module is not a DAG file itself (.airflowignore keeps the processor away); Airflow puts the
DAGs folder on sys.path, which is how the shard files import it. It depends on Airflow and the
standard library only, and must stay importable without ModelHub installed.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import DAG, BaseOperator, CronTriggerTimetable
from airflow.sdk.exceptions import AirflowFailException

log = logging.getLogger("modelhub.factory")

SPEC_VERSION = 1
DAG_PREFIX = "mh_"
ID_RE = re.compile(r"^[0-9a-f]{32}$")
# Must equal modelhub.orchestration.specs.RUN_NAMESPACE: the id of a scheduled run's execution.
RUN_NAMESPACE = uuid.UUID("6f1c3b0e-5a7d-4c61-9a55-3e2f6d0b8a11")
KINDS = ("batch_scoring", "training", "evaluation", "monitoring")
# The tasks of each kind, in order; must equal STEPS of the kind's job module (a test checks it).
# A kind not listed is one task named after the kind.
STEPS = {
    "training": ("preprocess", "train", "register"),
    "evaluation": ("evaluate", "promote"),
}
# Environment the job must not inherit from the Airflow task process (Airflow's own settings and
# secrets, and interpreter settings of Airflow's virtualenv).
DROPPED_ENV_PREFIXES = ("AIRFLOW", "_AIRFLOW")
DROPPED_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONSAFEPATH")
KILL_GRACE_S = 5.0
FALLBACK_START = pendulum.datetime(2024, 1, 1, tz="UTC")


class SpecError(ValueError):
    pass


def scheduled_execution_id(dag_id: str, run_id: str) -> str:
    return uuid.uuid5(RUN_NAMESPACE, f"{dag_id}/{run_id}").hex


def job_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV_PREFIXES) and k not in DROPPED_ENV}


class ModelHubJobOperator(BaseOperator):
    """Runs one ModelHub job in ModelHub's Python, streaming its output into this task's log."""

    ui_color = "#e3f2fd"

    def __init__(self, *, kind: str, deployment_id: str, api_url: str, step: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind
        self.step = step
        self.deployment_id = deployment_id
        self.api_url = api_url
        self._child: subprocess.Popen | None = None

    def command(self, context) -> list[str]:
        python = os.environ.get("MODELHUB_JOB_PYTHON")
        if not python:
            raise AirflowFailException(
                "MODELHUB_JOB_PYTHON is not set in Airflow's environment: point it at the python of "
                "ModelHub's virtualenv (make run does)"
            )
        dag_run = context["dag_run"]
        conf = dag_run.conf or {}
        execution_id = conf.get("execution_id") or scheduled_execution_id(self.dag_id, dag_run.run_id)
        api_url = os.environ.get("MODELHUB_API_URL") or self.api_url
        step = ["--step", self.step] if self.step else []
        return [
            python,
            "-u",
            "-m",
            "modelhub.jobs",
            self.kind,
            *step,
            "--execution-id",
            str(execution_id),
            "--deployment-id",
            self.deployment_id,
            "--dag-id",
            self.dag_id,
            "--run-id",
            dag_run.run_id,
            "--api-url",
            api_url,
        ]

    def execute(self, context):
        command = self.command(context)
        at = command.index("--execution-id")
        print(f"ModelHub: running {' '.join(command[3:at])} for execution {command[at + 1]}", flush=True)
        tail: collections.deque[str] = collections.deque(maxlen=30)
        self._child = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=job_environment(),
            start_new_session=True,  # its own group: on_kill stops it and whatever it started
            text=True,
            errors="replace",
            bufsize=1,
        )
        assert self._child.stdout is not None
        for line in self._child.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            print(line, flush=True)
        code = self._child.wait()
        self._child = None
        if code != 0:
            reason = next((t[len("ERROR:") :].strip() for t in reversed(tail) if t.startswith("ERROR:")), None)
            reason = reason or next((t for t in reversed(tail) if t.strip()), "no output")
            what = f"{self.kind} step {self.step}" if self.step else f"{self.kind} job"
            raise AirflowFailException(f"{what} failed (exit code {code}): {reason}")

    def on_kill(self) -> None:
        child = self._child
        if child is None or child.poll() is not None:
            return
        print(f"ModelHub: stopping the {self.kind} job (pid {child.pid})", flush=True)
        try:
            os.killpg(child.pid, signal.SIGTERM)
            child.wait(KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class InvalidSpecOperator(BaseOperator):
    """The one task of a deployment whose spec could not be built: fails with the reason."""

    ui_color = "#ffebee"

    def __init__(self, *, reason: str, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def execute(self, context):
        raise AirflowFailException(f"the deployment's spec is invalid: {self.reason}")


def _require(spec: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = spec.get(name)
    if not isinstance(value, kind):
        raise SpecError(f"{name} is missing or not a {getattr(kind, '__name__', kind)}")
    return value


def load_spec(path: Path) -> dict[str, Any]:
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read {path.name}: {exc}") from exc
    if not isinstance(spec, dict):
        raise SpecError("a spec is a JSON object")
    if spec.get("spec_version") != SPEC_VERSION:
        raise SpecError(
            f"spec_version {spec.get('spec_version')!r} is not {SPEC_VERSION} (ModelHub and Airflow differ)"
        )
    if spec.get("deployment_id") != path.stem:
        raise SpecError(f"deployment_id {spec.get('deployment_id')!r} does not match the file name")
    if _require(spec, "kind", str) not in KINDS:
        raise SpecError(f"unknown kind {spec['kind']!r}")
    _require(spec, "name", str)
    _require(spec, "api_url", str)
    return spec


def _schedule(spec: dict[str, Any]):
    cron = spec.get("cron")
    timezone = spec.get("timezone") or "UTC"
    try:
        tz = pendulum.timezone(timezone)
    except Exception as exc:
        raise SpecError(f"unknown timezone {timezone!r}") from exc
    if not cron:
        return None, tz
    if not isinstance(cron, str) or len(cron.split()) != 5:
        raise SpecError(f"cron {cron!r} is not a 5-field cron expression")
    return CronTriggerTimetable(cron, timezone=tz), tz


def _start_date(spec: dict[str, Any], tz) -> dt.datetime:
    """When the schedule took effect (created, resumed or rescheduled): with catchup off, Airflow
    then runs the next tick after it, never one from before (no surprise run on resume)."""
    value = spec.get("start_date")
    if not value:
        return FALLBACK_START
    try:
        return pendulum.parse(value).in_timezone(tz)
    except Exception as exc:
        raise SpecError(f"start_date {value!r} is not an ISO date-time") from exc


def _tags(spec: dict[str, Any]) -> list[str]:
    tags = ["modelhub", f"kind:{spec['kind']}"]
    for label, value in (("model", spec.get("model_name")), ("department", spec.get("department"))):
        if value:
            tags.append(f"{label}:{value}"[:100])
    return tags


def build_dag(spec: dict[str, Any]) -> DAG:
    timetable, tz = _schedule(spec)
    dag_id = DAG_PREFIX + spec["deployment_id"]
    with DAG(
        dag_id=dag_id,
        dag_display_name=f"{spec['name']} ({spec['kind']})"[:200],
        description=f"{spec.get('description') or spec['name']} [spec r{spec.get('spec_rev', 0)}]"[:1000],
        schedule=timetable,
        start_date=_start_date(spec, tz),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=True,
        tags=_tags(spec),
        default_args={"owner": spec.get("owner") or "modelhub", "retries": 0},
        doc_md=f"ModelHub deployment `{spec['deployment_id']}`: {spec['kind']} of model "
        f"`{spec.get('model_name') or '?'}`. Generated from its spec; edit the deployment in ModelHub.",
    ) as dag:
        steps = STEPS.get(spec["kind"])
        previous = None
        for step in steps or (None,):
            task = ModelHubJobOperator(
                task_id=step or spec["kind"],
                kind=spec["kind"],
                step=step,
                deployment_id=spec["deployment_id"],
                api_url=spec["api_url"],
            )
            if previous is not None:
                previous >> task
            previous = task
    return dag


def invalid_spec_dag(deployment_id: str, reason: str) -> DAG:
    with DAG(
        dag_id=DAG_PREFIX + deployment_id,
        description=f"invalid ModelHub spec: {reason}"[:1000],
        schedule=None,
        start_date=FALLBACK_START,
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=True,
        tags=["modelhub", "modelhub:invalid-spec"],
    ) as dag:
        InvalidSpecOperator(task_id="invalid_spec", reason=reason)
    return dag


def build_shard(shard_file: str, namespace: dict[str, Any]) -> list[DAG]:
    """Build every DAG of a shard into the shard module's globals; never raises for one bad spec."""
    shard_path = Path(shard_file)
    spec_dir = shard_path.parent / "specs" / shard_path.stem
    built = []
    for path in sorted(spec_dir.glob("*.json")):
        deployment_id = path.stem
        if not ID_RE.match(deployment_id):
            log.warning("ModelHub: ignoring %s: not a deployment spec name", path)
            continue
        try:
            dag = build_dag(load_spec(path))
        except Exception as exc:  # noqa: BLE001 - one bad spec must not take its shard down
            reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, SpecError) else str(exc)
            log.error("ModelHub: invalid deployment spec %s: %s", path, reason)
            try:
                dag = invalid_spec_dag(deployment_id, reason)
            except Exception:
                log.exception("ModelHub: cannot even build the error DAG for %s", path)
                continue
        # The task runner re-parses the file a DAG came from: that is the shard, not this module.
        dag.fileloc = str(shard_path)
        namespace[dag.dag_id] = dag
        built.append(dag)
    return built


if __name__ == "__main__":  # python modelhub_factory.py shard_file...: build and report, for checks
    failures = 0
    for name in sys.argv[1:]:
        for built_dag in build_shard(name, {}):
            bad = "modelhub:invalid-spec" in built_dag.tags
            failures += bad
            print(f"{'INVALID' if bad else 'ok':8} {built_dag.dag_id} {built_dag.description}")
    sys.exit(1 if failures else 0)
