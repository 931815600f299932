"""Executions: one per Airflow DAG run of a deployment, whoever started it.

A manual trigger writes the execution first (queued, who, parameters), then asks Airflow for a
run carrying the execution id in `conf`; if Airflow is down or does not know the DAG yet, the
record is removed again and the caller gets 503 or 409, so no execution is left behind that
never ran. Runs Airflow's scheduler starts are adopted under an id both sides compute from the
run (`scheduled_execution_id`), by the background sync or by the job's claim, whichever comes
first. Airflow is the authority on states; finished executions keep their task states, so reads
do not need Airflow.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import structlog
from fastapi.responses import StreamingResponse

from modelhub.auth.permissions import Permission
from modelhub.auth.tokens import Principal
from modelhub.context import AppContext
from modelhub.dashboards.execution_metrics import observe
from modelhub.deployments.kinds import PipelineKind, check_kind, validate_params
from modelhub.deployments.service import DeploymentsService
from modelhub.errors import Conflict, Forbidden, ModelHubError, NotFound
from modelhub.executions.repository import ACTIVE, FINAL
from modelhub.orchestration import OrchestratorUnavailable, scheduled_execution_id
from modelhub.orchestration.specs import ID_RE, deployment_id_of
from modelhub.stores.metadata import Page, new_id
from modelhub.stores.objects.base import check_key
from modelhub.timeutil import iso
from modelhub.transfer.download import content_disposition, object_response
from modelhub.versions.service import version_number

log = structlog.get_logger()

RUN_STATES = {"queued": "queued", "running": "running", "success": "success", "failed": "failed"}
TASK_FINAL = frozenset({"success", "failed", "skipped", "upstream_failed", "removed"})
STREAM_POLL_S = 1.0
# Airflow writes a task's last log lines (its closing group marker) just after the state turns final:
# a log counts as complete only once the task ended this long ago.
LOG_SETTLE_S = 3.0
STREAM_MAX_S = 3600.0
NOT_KNOWN_YET = "deployment is not yet known to Airflow, retry in a few seconds"


def when(value: str | None) -> str | None:
    """Airflow's timestamps in ModelHub's fixed-width UTC form (they sort as strings)."""
    if not value:
        return None
    try:
        return iso(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def task_out(ti: dict[str, Any]) -> dict[str, Any]:
    return {
        "task_id": ti.get("task_id"),
        "state": ti.get("state"),
        "try_number": ti.get("try_number") or 0,
        "start_date": when(ti.get("start_date")),
        "end_date": when(ti.get("end_date")),
        "duration": ti.get("duration"),
    }


def settled(end_date: str | None) -> bool:
    if not end_date:
        return True
    try:
        ended = datetime.fromisoformat(end_date.replace("Z", "+00:00"))
    except ValueError:
        return True
    return (datetime.now(ended.tzinfo) - ended).total_seconds() >= LOG_SETTLE_S


def default_log_task(instances: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The log a user wants when naming no task: the failed task's, else the running one's, else the
    task that started last (a multi-step kind's latest step)."""
    for states in (("failed",), ("running", "up_for_retry", "restarting")):
        found = next((ti for ti in instances if ti.get("state") in states), None)
        if found is not None:
            return found
    started = [ti for ti in instances if ti.get("start_date")]
    if started:
        return max(started, key=lambda ti: ti["start_date"])
    return instances[0] if instances else None


def public(doc: dict[str, Any], tasks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not k.startswith("_") and k not in ("triggered_by_id", "updated_at")}
    out["id"] = doc["_id"]
    out["params"] = doc.get("params") or {}
    out["overrides"] = doc.get("overrides") or {}
    out["results"] = doc.get("results") or []
    out["tasks"] = tasks if tasks is not None else doc.get("tasks")
    started, ended = doc.get("started_at"), doc.get("ended_at")
    if started and ended:
        out["duration_s"] = round((datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds(), 3)
    return out


def log_line(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        return {"message": str(event)}
    message = str(event.get("event", ""))
    for extra in ("error_detail", "exception"):
        if event.get(extra):
            detail = event[extra]
            message += "\n" + (detail if isinstance(detail, str) else json.dumps(detail, default=str)[:4000])
    return {
        "timestamp": event.get("timestamp"),
        "level": event.get("level"),
        "source": event.get("logger"),
        "message": message,
    }


def task_events(events: list[Any]) -> list[Any]:
    """The task's own log events, without what Airflow's log reader adds around them: the group
    naming where it read from and, while the task runs, a note that the worker's log server (not
    used here: the api-server reads the shared log folder) did not answer. So offsets stay stable
    between a read during the run and one after it."""
    kept, in_sources = [], False
    for event in events:
        text = str(event.get("event", "")) if isinstance(event, dict) else str(event)
        if text.startswith("::group::Log message source details"):
            in_sources = True
            continue
        if in_sources:
            in_sources = text != "::endgroup::"
            continue
        if text.startswith("Could not read served logs"):
            continue
        kept.append(event)
    return kept


class ExecutionsService:
    def __init__(self, context: AppContext):
        self.context = context
        self.repo = context.executions
        self.airflow = context.orchestrator

    # -- trigger --------------------------------------------------------------------------------
    def trigger(self, actor: Principal, deployment_id: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
        deployments = DeploymentsService(self.context)
        deployment = self.context.deployments.get(deployment_id)
        kind = PipelineKind(deployment["kind"])
        check_kind(kind)
        if deployment["paused"]:
            raise Conflict(
                f"deployment {deployment['name']!r} is paused: resume it to run it", details={"field": "paused"}
            )
        overrides = overrides or {}
        params = {**(deployment.get("params") or {}), **overrides}
        validate_params(kind, params)
        now = iso()
        doc = self.repo.insert(
            {
                "_id": new_id(),
                "deployment_id": deployment["_id"],
                "deployment_name": deployment["name"],
                "kind": deployment["kind"],
                "dag_id": deployment["dag_id"],
                "run_id": None,
                "model_id": deployment["model_id"],
                "model_name": deployment["model_name"],
                "version": deployment.get("version"),
                "alias": deployment.get("alias"),
                "model_version": None,
                "dataset_id": deployment.get("dataset_id"),
                "params": params,
                "overrides": overrides,
                "status": "queued",
                "trigger": "manual",
                "triggered_by": actor.username,
                "triggered_by_id": actor.subject,
                "created_at": now,
                "updated_at": now,
            }
        )
        try:
            _, dag = deployments.push(
                deployment,
                self.context.settings.dag_visible_wait_s,
                ready=lambda dag: dag is not None and not dag["is_paused"],
            )
            if dag is None:
                raise Conflict(NOT_KNOWN_YET, details={"dag_id": deployment["dag_id"]})
            if dag["is_paused"]:
                raise Conflict(
                    "the deployment is being resumed in Airflow, retry in a few seconds",
                    details={"dag_id": deployment["dag_id"]},
                )
            run = self.airflow.trigger(deployment["dag_id"], {"execution_id": doc["_id"]})
            if run is None:
                raise Conflict(NOT_KNOWN_YET, details={"dag_id": deployment["dag_id"]})
        except ModelHubError:
            self.repo.delete(doc["_id"])  # nothing runs: leave no execution behind
            raise
        doc = self.repo.update(
            doc,
            {"run_id": run["dag_run_id"], "status": RUN_STATES.get(run.get("state"), "queued"), "updated_at": iso()},
        )
        out = public(doc)
        self.context.audit.record(actor, "execution.trigger", "execution", doc["_id"], None, out)
        return out

    # -- reads ----------------------------------------------------------------------------------
    def list(self, flt: dict[str, Any], limit: int, cursor: str | None) -> Page:
        if flt.get("model_id"):
            model = self.context.models.find_ref(flt["model_id"])
            flt = {**flt, "model_id": model["_id"] if model else flt["model_id"]}
        clauses = [{k: v} for k, v in flt.items() if k not in ("since", "until")]
        if flt.get("since") or flt.get("until"):
            window = {}
            if flt.get("since"):
                window["$gte"] = flt["since"]
            if flt.get("until"):
                window["$lt"] = flt["until"]
            clauses.append({"created_at": window})
        page = self.repo.list({"$and": clauses} if clauses else {}, limit, cursor)
        page.items = [public(doc) for doc in page.items]
        return page

    def get(self, execution_id: str) -> dict[str, Any]:
        doc = self.repo.get(execution_id)
        tasks = None
        if doc.get("run_id") and (doc["status"] in ACTIVE or doc.get("tasks") is None):
            try:
                doc, tasks = self.refresh(doc)
            except OrchestratorUnavailable as exc:  # reads of stored data keep working
                log.info("execution served from the record", execution_id=execution_id, reason=exc.message)
        return public(doc, tasks)

    def refresh(self, doc: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
        """The record brought up to Airflow's state; the live task states as well."""
        run = self.airflow.dag_run(doc["dag_id"], doc["run_id"])
        if run is None:  # Airflow forgot the run (its DAG was deleted): what we have is final
            if doc["status"] in ACTIVE:
                before = doc
                doc = self.repo.update(doc, {"status": "failed", "message": "the run disappeared from Airflow"})
                observe(self.context, before, doc)
            return doc, doc.get("tasks")
        instances = self.airflow.task_instances(doc["dag_id"], doc["run_id"]) or []
        tasks = [task_out(ti) for ti in instances]
        return self._apply_run(doc, run, tasks), tasks

    def _apply_run(self, doc: dict[str, Any], run: dict[str, Any], tasks: list[dict[str, Any]] | None):
        status = doc["status"] if doc["status"] == "cancelled" else RUN_STATES.get(run.get("state"), doc["status"])
        changes: dict[str, Any] = {}
        if status != doc["status"]:
            changes["status"] = status
        for ours, theirs in (("started_at", "start_date"), ("ended_at", "end_date")):
            value = when(run.get(theirs))
            if value and value != doc.get(ours) and not (ours == "ended_at" and status in ACTIVE):
                changes[ours] = value
        if status in FINAL and tasks is not None and tasks != doc.get("tasks"):
            changes["tasks"] = tasks  # kept: finished executions are read without Airflow
        if not changes:
            return doc
        changes["updated_at"] = iso()
        updated = self.repo.update(doc, changes)
        observe(self.context, doc, updated)  # durations, once final
        return updated

    def refresh_active(self, deployment_id: str) -> list[dict[str, Any]]:
        """The executions of a deployment still queued or running, after asking Airflow if it can."""
        active = []
        for doc in self.repo.active_for(deployment_id):
            if doc.get("run_id"):
                with contextlib.suppress(OrchestratorUnavailable):
                    doc, _ = self.refresh(doc)
            if doc["status"] in ACTIVE:
                active.append(doc)
        return active

    # -- adopting runs --------------------------------------------------------------------------
    @staticmethod
    def execution_id_of(run: dict[str, Any]) -> str:
        conf = run.get("conf") or {}
        given = conf.get("execution_id")
        if isinstance(given, str) and ID_RE.match(given):
            return given
        return scheduled_execution_id(run["dag_id"], run["dag_run_id"])

    def adopt(self, run: dict[str, Any]) -> dict[str, Any] | None:
        """The execution of an Airflow run: created if new (scheduled, or started in Airflow),
        updated otherwise. None for runs of DAGs that are not (or no longer) deployments."""
        deployment_id = deployment_id_of(run.get("dag_id") or "")
        if deployment_id is None:
            return None
        execution_id = self.execution_id_of(run)
        doc = self.repo.find(execution_id)
        if doc is None:
            deployment = self.context.deployments.find(deployment_id)
            if deployment is None:
                return None
            scheduled = run.get("run_type") == "scheduled"
            now = iso()
            record = {
                "_id": execution_id,
                "deployment_id": deployment_id,
                "deployment_name": deployment["name"],
                "kind": deployment["kind"],
                "dag_id": run["dag_id"],
                "run_id": run["dag_run_id"],
                "model_id": deployment["model_id"],
                "model_name": deployment["model_name"],
                "version": deployment.get("version"),
                "alias": deployment.get("alias"),
                "model_version": None,
                "dataset_id": deployment.get("dataset_id"),
                "params": deployment.get("params") or {},
                "overrides": {},
                "status": RUN_STATES.get(run.get("state"), "queued"),
                "trigger": "schedule" if scheduled else "airflow",
                "triggered_by": "schedule" if scheduled else (run.get("triggering_user_name") or "airflow"),
                "triggered_by_id": None,
                "created_at": when(run.get("run_after")) or when(run.get("queued_at")) or now,
                "started_at": when(run.get("start_date")),
                "ended_at": when(run.get("end_date")),
                "updated_at": now,
            }
            try:
                doc = self.repo.insert(record)
            except Conflict:  # the job's claim or another worker adopted it first
                doc = self.repo.get(execution_id)
            else:
                self.context.audit.record(None, "execution.adopt", "execution", execution_id, None, public(doc))
                observe(self.context, None, doc)
                return doc
        if doc["status"] in FINAL and doc.get("tasks") is not None:
            return doc
        tasks = None
        if RUN_STATES.get(run.get("state")) in FINAL:
            instances = self.airflow.task_instances(run["dag_id"], run["dag_run_id"]) or []
            tasks = [task_out(ti) for ti in instances]
        return self._apply_run(doc, run, tasks)

    # -- cancel ---------------------------------------------------------------------------------
    def cancel(self, actor: Principal, execution_id: str) -> dict[str, Any]:
        doc = self.repo.get(execution_id)
        if doc.get("triggered_by_id") != actor.subject and not actor.can(Permission.cancel_any_execution):
            raise Forbidden(
                "you can cancel only the executions you started",
                details={"required_permission": Permission.cancel_any_execution.value},
            )
        if doc.get("run_id") and doc["status"] in ACTIVE:
            doc, _ = self.refresh(doc)  # 503 when Airflow is down: nothing changes then
        if doc["status"] in FINAL:
            raise Conflict(f"the execution has already finished ({doc['status']})", details={"status": doc["status"]})
        if doc.get("run_id"):
            self.airflow.set_run_state(doc["dag_id"], doc["run_id"], "failed")
        now = iso()
        updated = self.repo.update(
            doc,
            {
                "status": "cancelled",
                "ended_at": now,
                "cancelled_by": actor.username,
                "message": f"cancelled by {actor.username}",
                "updated_at": now,
            },
        )
        self.context.audit.record(
            actor, "execution.cancel", "execution", execution_id, {"status": doc["status"]}, {"status": "cancelled"}
        )
        observe(self.context, doc, updated)
        return public(updated)

    # -- logs -----------------------------------------------------------------------------------
    def logs(self, execution_id: str, task: str | None, try_number: int | None, offset: int) -> dict[str, Any]:
        doc = self.repo.get(execution_id)
        if not doc.get("run_id"):
            raise Conflict("the execution has no Airflow run yet", details={"field": "execution_id"})
        instances = self.airflow.task_instances(doc["dag_id"], doc["run_id"]) or []
        task_id = task or doc["kind"]
        if task is None:
            ti = default_log_task(instances)
        else:
            ti = next((t for t in instances if t.get("task_id") == task), None)
        if ti is None:
            if task is not None:
                known = ", ".join(t.get("task_id") for t in instances) or "none yet"
                raise NotFound(f"no task {task!r} in this execution (tasks: {known})", details={"field": "task"})
            return {
                "task_id": task_id,
                "try_number": 0,
                "state": None,
                "finished": False,
                "offset": offset,
                "lines": [],
            }
        current_try = ti.get("try_number") or 0
        number = try_number or current_try
        if try_number is not None and (try_number < 1 or try_number > max(current_try, 1)):
            raise NotFound(f"task {ti['task_id']} has no try {try_number}", details={"field": "try_number"})
        finished = number < current_try or (ti.get("state") in TASK_FINAL and settled(ti.get("end_date")))
        events = self.airflow.task_log(doc["dag_id"], doc["run_id"], ti["task_id"], number) if number else None
        lines = [log_line(e) for e in task_events(events or [])]
        return {
            "task_id": ti["task_id"],
            "try_number": number,
            "state": ti.get("state"),
            "finished": bool(finished),
            "offset": max(offset, len(lines)),
            "lines": lines[offset:],
        }

    def log_stream(self, execution_id: str, task: str | None, try_number: int | None, offset: int) -> Iterator[str]:
        """Server-sent events: `line` per log line (id = offset after it), `end` when the try is over."""
        self.repo.get(execution_id)  # 404 before the stream starts
        started = last_sent = time.monotonic()
        while time.monotonic() - started < STREAM_MAX_S:
            try:
                chunk = self.logs(execution_id, task, try_number, offset)
            except ModelHubError as exc:
                yield f"event: error\ndata: {json.dumps({'code': exc.code, 'message': exc.message})}\n\n"
                return
            for line in chunk["lines"]:
                offset += 1
                yield f"event: line\nid: {offset}\ndata: {json.dumps(line)}\n\n"
                last_sent = time.monotonic()
            if chunk["finished"] and not chunk["lines"]:
                end = {"task_id": chunk["task_id"], "try_number": chunk["try_number"], "state": chunk["state"]}
                yield f"event: end\ndata: {json.dumps({**end, 'offset': offset})}\n\n"
                return
            if time.monotonic() - last_sent > 15:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            time.sleep(STREAM_POLL_S)

    # -- results --------------------------------------------------------------------------------
    @staticmethod
    def results_prefix(execution_id: str) -> str:
        return f"executions/{execution_id}/results/"

    def results(self, execution_id: str) -> list[dict[str, Any]]:
        doc = self.repo.get(execution_id)
        prefix = self.results_prefix(doc["_id"])
        return [
            {
                "name": info.key[len(prefix) :],
                "size": info.size,
                "content_type": info.content_type,
                "modified": iso(info.modified) if info.modified else None,
                "download_path": f"/api/executions/{doc['_id']}/results/{info.key[len(prefix) :]}",
            }
            for info in self.context.objects.list(prefix)
        ]

    def result(self, execution_id: str, name: str, range_header: str | None) -> StreamingResponse:
        doc = self.repo.get(execution_id)
        key = check_key(self.results_prefix(doc["_id"]) + name)
        info = self.context.objects.head(key)
        if info is None:
            raise NotFound(f"the execution has no result {name!r}", details={"field": "name"})
        reported = {r.get("name"): r for r in doc.get("results") or []}
        sha256 = info.sha256 or (reported.get(name) or {}).get("sha256")
        filename = name.rsplit("/", 1)[-1]
        if sha256:
            return object_response(
                self.context.objects, key, info.size, sha256, filename, info.content_type, range_header
            )
        headers = {"Content-Length": str(info.size), "Content-Disposition": content_disposition(filename)}
        return StreamingResponse(
            self.context.objects.get(key), media_type=info.content_type or "application/octet-stream", headers=headers
        )

    # -- the job's side -------------------------------------------------------------------------
    @staticmethod
    def _service_only(actor: Principal) -> None:
        if not actor.is_service:
            raise Forbidden(
                "only pipeline jobs (the service account) claim and report executions",
                details={"required_permission": "service account"},
            )

    def claim(self, actor: Principal, execution_id: str, deployment_id: str, dag_id: str, run_id: str):
        """A job starts: the execution (adopted if the run is new to ModelHub) and its inputs, with
        the deployment's alias resolved now."""
        self._service_only(actor)
        doc = self.repo.find(execution_id)
        if doc is None:
            run = self.airflow.dag_run(dag_id, run_id)
            if run is None:
                raise NotFound(f"Airflow has no run {run_id!r} of {dag_id}", details={"field": "run_id"})
            if self.execution_id_of(run) != execution_id:
                raise Conflict("this execution id does not belong to that run", details={"field": "execution_id"})
            doc = self.adopt(run)
            if doc is None:
                raise NotFound(f"no deployment {deployment_id!r}", details={"field": "deployment_id"})
        if doc["dag_id"] != dag_id or doc["deployment_id"] != deployment_id or doc.get("run_id") not in (None, run_id):
            raise Conflict("this execution belongs to another run", details={"field": "execution_id"})
        if doc["status"] in FINAL:
            raise Conflict(f"the execution is already {doc['status']}", details={"status": doc["status"]})
        deployment = self.context.deployments.find(deployment_id)
        if deployment is None:
            raise Conflict("the deployment was deleted", details={"field": "deployment_id"})
        model = self.context.models.find_ref(deployment["model_id"])
        if model is None:
            raise Conflict("the deployment's model was deleted", details={"field": "model_id"})
        if deployment.get("version") is None and deployment.get("alias") is None:
            number = model.get("latest_version")  # a training deployment: the model may have no version yet
        else:
            number = deployment.get("version") or version_number(model, deployment.get("alias") or "latest")
        version = self.context.versions.find(model["_id"], number) if number else None
        if version is None and number is not None:
            raise Conflict(f"model {model['name']!r} has no version {number} any more", details={"field": "version"})
        dataset = None
        if deployment.get("dataset_id"):
            dataset = self.context.datasets.find(deployment["dataset_id"])
            if dataset is None:
                raise Conflict("the deployment's dataset was deleted", details={"field": "dataset_id"})
        now = iso()
        changes = {"model_version": number, "run_id": run_id, "claimed_at": now, "updated_at": now}
        if doc["status"] == "queued":
            changes["status"] = "running"
        if not doc.get("started_at"):
            changes["started_at"] = now
        updated = self.repo.update(doc, changes)
        self.context.audit.record(
            actor,
            "execution.start",
            "execution",
            execution_id,
            {"status": doc["status"]},
            {"status": updated["status"], "model_version": number},
        )
        return {
            "execution": public(updated),
            "params": updated.get("params") or {},
            "model": {
                "id": model["_id"],
                "name": model["name"],
                "version": number,
                "format": version and version["format"],
                "object_key": version and version["object_key"],
                "sha256": version and version["sha256"],
                "size": version and version["size"],
            },
            "dataset": None
            if dataset is None
            else {
                "id": dataset["_id"],
                "name": dataset["name"],
                "format": dataset["format"],
                "object_key": dataset["object_key"],
                "sha256": dataset["sha256"],
                "size": dataset["size"],
                "row_count": dataset.get("row_count"),
                "options": dataset.get("options") or {},
            },
            "results_prefix": self.results_prefix(execution_id),
        }

    def report(self, actor: Principal, execution_id: str, data) -> dict[str, Any]:
        self._service_only(actor)
        doc = self.repo.get(execution_id)
        changes: dict[str, Any] = {
            "job_outcome": data.outcome,
            "results": [r.model_dump(exclude_none=True) for r in data.results],
            "updated_at": iso(),
        }
        if data.message is not None:
            changes["message"] = data.message
        for name in ("rows", "model_version"):
            if getattr(data, name) is not None:
                changes[name] = getattr(data, name)
        if data.seconds is not None:
            changes["job_seconds"] = data.seconds
        updated = self.repo.update(doc, changes)
        self.context.audit.record(
            actor,
            "execution.report",
            "execution",
            execution_id,
            None,
            {k: v for k, v in changes.items() if k != "updated_at"},
        )
        return public(updated)
