"""Deployments: a model (version or alias) bound to a pipeline kind, a dataset, parameters and an
optional schedule; each saved as a spec for Airflow's dag-processor and audited.

What Airflow must hear (a new or changed spec, a pause, a resume, a deletion) is recorded first
and pushed to Airflow when it answers: at once when it is up, by the background reconciliation
(`reconcile.py`) when it was not. Pause and resume answer 503 when Airflow is down, with the new
state kept and applied later.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from modelhub.auth.tokens import Principal
from modelhub.context import AppContext
from modelhub.deployments.kinds import (
    NEEDS_DATASET,
    NEEDS_NO_VERSION,
    PipelineKind,
    check_dataset_columns,
    check_kind,
    validate_params,
)
from modelhub.deployments.repository import INTERNAL_FIELDS, SORTS
from modelhub.deployments.schedule import next_runs, to_cron, zone
from modelhub.deployments.schemas import DeploymentCreate, DeploymentUpdate
from modelhub.errors import (
    BadRequest,
    Conflict,
    DependencyUnavailable,
    ModelHubError,
    StaleVersion,
    ValidationFailed,
)
from modelhub.models.service import parse_if_match
from modelhub.orchestration import OrchestratorUnavailable, dag_id_for
from modelhub.stores.metadata import Page, new_id
from modelhub.timeutil import iso

log = structlog.get_logger()

# What a spec (and so the DAG) is made of; a change of one of these rewrites the spec.
SPEC_FIELDS = ("name", "description", "kind", "model_name", "department", "cron", "timezone", "schedule_start")
WAITING_FOR_DAG = "waiting for Airflow to load the DAG"
WAITING_FOR_SPEC = "waiting for Airflow to load the changed spec"


def public(doc: dict[str, Any], sync: dict[str, Any] | None) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in INTERNAL_FIELDS and not k.startswith("_")}
    out.update(
        id=doc["_id"],
        revision=doc["_version"],
        params=doc.get("params") or {},
        status="paused" if doc["paused"] else "active",
        sync={
            "state": (sync or {}).get("state", "pending"),
            "error": (sync or {}).get("error"),
            "checked_at": (sync or {}).get("checked_at"),
        },
    )
    return out


def spec_rev_of(dag: dict[str, Any]) -> int:
    """The spec revision a DAG in Airflow was built from (the factory ends its description with it)."""
    description = dag.get("description") or ""
    marker = description.rfind("[spec r")
    if marker < 0 or not description.endswith("]"):
        return 0
    number = description[marker + len("[spec r") : -1]
    return int(number) if number.isdigit() else 0


def spec_document(doc: dict[str, Any], api_url: str, instance: str) -> dict[str, Any]:
    """What the factory needs to build a deployment's DAG (no parameters: jobs fetch those when
    they start, so a parameter change does not touch Airflow)."""
    return {
        "deployment_id": doc["_id"],
        "dag_id": doc["dag_id"],
        "name": doc["name"],
        "description": doc.get("description"),
        "kind": doc["kind"],
        "model_id": doc["model_id"],
        "model_name": doc["model_name"],
        "department": doc.get("department"),
        "cron": doc.get("cron"),
        "timezone": doc["timezone"],
        "start_date": doc["schedule_start"],
        "owner": doc["created_by"],
        "api_url": api_url,
        "spec_rev": doc["spec_rev"],
        "instance": instance,
    }


@dataclass
class DeploymentFilters:
    model: str | None = None
    kind: str | None = None
    status: str | None = None
    scheduled: bool | None = None
    q: str | None = None


class DeploymentsService:
    def __init__(self, context: AppContext):
        self.context = context
        self.repo = context.deployments
        self.specs = context.dag_specs
        self.airflow = context.orchestrator

    # -- validation -----------------------------------------------------------------------------
    def _model(self, ref: str) -> dict[str, Any]:
        model = self.context.models.find_ref(ref)
        if model is None:
            raise ValidationFailed(f"model_id: no model with id or name {ref!r}", details={"field": "model_id"})
        return model

    def _check_model_ref(self, model: dict[str, Any], version: int | None, alias: str | None) -> None:
        if version is not None and alias is not None:
            raise ValidationFailed(
                "give either version (a fixed version) or alias (resolved at each run), not both",
                details={"field": "alias"},
            )
        if version is not None:
            if self.context.versions.find(model["_id"], version) is None:
                raise ValidationFailed(
                    f"version: model {model['name']!r} has no version {version}", details={"field": "version"}
                )
        elif alias == "latest":
            if not model.get("latest_version"):
                raise ValidationFailed(f"alias: model {model['name']!r} has no version yet", details={"field": "alias"})
        elif alias not in (model.get("aliases") or {}):
            known = ", ".join(["latest", *sorted(model.get("aliases") or {})])
            raise ValidationFailed(
                f"alias: model {model['name']!r} has no alias {alias!r} (it has: {known})", details={"field": "alias"}
            )

    def _check_dataset(self, kind: PipelineKind, dataset_id: str | None) -> None:
        if dataset_id is None:
            if kind in NEEDS_DATASET:
                raise ValidationFailed(
                    f"dataset_id: a {kind.value} deployment needs a dataset", details={"field": "dataset_id"}
                )
            return
        if self.context.datasets.find(dataset_id) is None:
            raise ValidationFailed(f"dataset_id: no dataset with id {dataset_id!r}", details={"field": "dataset_id"})

    # -- specs ----------------------------------------------------------------------------------
    def spec_of(self, doc: dict[str, Any]) -> dict[str, Any]:
        return spec_document(doc, self.context.settings.public_url, self.repo.instance_id())

    def write_spec(self, doc: dict[str, Any]) -> None:
        try:
            self.specs.write(self.spec_of(doc))
        except OSError as exc:
            raise DependencyUnavailable(
                "dags", f"cannot write the deployment's spec to {self.specs.root}: {exc}"
            ) from exc

    # -- Airflow --------------------------------------------------------------------------------
    def _push_once(self, doc: dict[str, Any], known: dict[str, dict] | None = None) -> tuple[dict | None, bool]:
        """One look at the DAG in Airflow (or at `known`, DAGs listed in bulk), fixing its pause
        state when allowed: (DAG, in sync)."""
        dag = known.get(doc["dag_id"]) if known is not None else self.airflow.get_dag(doc["dag_id"])
        if dag is not None and doc["paused"] and not dag["is_paused"]:
            dag = self.airflow.set_paused(doc["dag_id"], True) or dag  # pausing is safe at once
        current = dag is not None and spec_rev_of(dag) >= doc["spec_rev"]
        if current and dag["is_paused"] != doc["paused"]:
            # Unpausing waits for the current spec: its start_date keeps Airflow from running a
            # tick from before the resume.
            dag = self.airflow.set_paused(doc["dag_id"], doc["paused"]) or dag
        if not current:
            self.specs.nudge(doc["_id"])
        return dag, bool(current and dag["is_paused"] == doc["paused"])

    def push(
        self,
        doc: dict[str, Any],
        wait_s: float = 0.0,
        ready: Callable[[dict[str, Any] | None], bool] | None = None,
        known: dict[str, dict] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Bring Airflow to the deployment's spec and pause state, waiting up to `wait_s` for it to
        load the spec (or until `ready(dag)`). Returns (sync state, DAG in Airflow or None); raises
        OrchestratorUnavailable when Airflow is down: the state stays pending, and the background
        reconciliation applies it when Airflow is back."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                dag, in_sync = self._push_once(doc, known)
                known = None  # a second look asks Airflow again
            except OrchestratorUnavailable as exc:
                self.repo.set_sync(doc["_id"], "pending", exc.message)
                raise
            if in_sync:
                sync = self.repo.set_sync(doc["_id"], "synced", None)
            else:
                sync = self.repo.set_sync(doc["_id"], "pending", WAITING_FOR_DAG if dag is None else WAITING_FOR_SPEC)
            if (ready(dag) if ready else in_sync) or time.monotonic() >= deadline:
                return sync, dag
            time.sleep(0.5)

    def try_push(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        """push() without the error: for changes that are saved whether or not Airflow answers."""
        try:
            return self.push(doc)[0]
        except OrchestratorUnavailable:
            return self.repo.sync_state(doc["_id"])

    # -- CRUD -----------------------------------------------------------------------------------
    def create(self, actor: Principal, data: DeploymentCreate) -> dict[str, Any]:
        check_kind(data.kind)
        model = self._model(data.model_id)
        alias = data.alias if data.version is not None or data.alias is not None else "latest"
        if data.kind in NEEDS_NO_VERSION and data.version is None and data.alias is None:
            alias = None  # training makes the model's versions: it may have none yet
        else:
            self._check_model_ref(model, data.version, alias if data.version is None else data.alias)
        self._check_dataset(data.kind, data.dataset_id)
        params = data.params or {}
        validate_params(data.kind, params)
        dataset = self.context.datasets.find(data.dataset_id) if data.dataset_id else None
        check_dataset_columns(data.kind, params, dataset)
        zone(data.timezone)
        cron = to_cron(data.schedule) if data.schedule else None
        now = iso()
        doc = {
            "name": data.name,
            "description": data.description,
            "model_id": model["_id"],
            "model_name": model["name"],
            "department": model.get("department"),
            "version": data.version,
            "alias": None if data.version is not None else alias,
            "kind": data.kind.value,
            "dataset_id": data.dataset_id,
            "params": params,
            "schedule": data.schedule.strip() if data.schedule else None,
            "cron": cron,
            "timezone": data.timezone,
            "scheduled": cron is not None,
            "paused": True,  # unpaused on purpose: no surprise run
            "schedule_start": now,
            "spec_rev": 1,
            "created_at": now,
            "created_by": actor.username,
            "updated_at": now,
            "updated_by": actor.username,
        }
        doc["_id"] = new_id()
        doc["dag_id"] = dag_id_for(doc["_id"])
        saved = self.repo.insert(doc)
        try:
            self.repo.set_sync(saved["_id"], "pending", WAITING_FOR_DAG, dag_id=saved["dag_id"])
            self.write_spec(saved)
        except ModelHubError:
            self.repo.delete(saved)
            raise
        out = public(saved, self.repo.sync_state(saved["_id"]))
        self.context.audit.record(actor, "deployment.create", "deployment", saved["_id"], None, out)
        return out

    def get(self, deployment_id: str) -> dict[str, Any]:
        doc = self.repo.get(deployment_id)
        return public(doc, self.repo.sync_state(doc["_id"]))

    def list(self, filters: DeploymentFilters, sort: str, limit: int, cursor: str | None) -> Page:
        clauses: list[dict[str, Any]] = []
        if filters.model:
            model = self.context.models.find_ref(filters.model)
            clauses.append({"model_id": model["_id"] if model else filters.model})
        if filters.kind:
            clauses.append({"kind": filters.kind})
        if filters.status:
            clauses.append({"paused": filters.status == "paused"})
        if filters.scheduled is not None:
            clauses.append({"scheduled": filters.scheduled})
        if filters.q:
            clauses.append({"name_key": {"$contains": filters.q.lower()}})
        field_name = SORTS[sort.lstrip("-")]
        order = [(field_name, -1 if sort.startswith("-") else 1)]
        page = self.repo.list({"$and": clauses} if clauses else {}, order, limit, cursor)
        states = self.repo.sync_states([doc["_id"] for doc in page.items])
        page.items = [public(doc, states.get(doc["_id"])) for doc in page.items]
        return page

    def _expected(self, body_revision: int | None, if_match: str | None) -> int | None:
        expected = parse_if_match(if_match)
        if expected is not None and body_revision is not None and expected != body_revision:
            raise BadRequest("If-Match and revision disagree", details={"field": "revision"})
        return expected if expected is not None else body_revision

    def _save(self, actor: Principal, doc: dict[str, Any], changes: dict[str, Any], expected: int | None, action: str):
        if expected is not None and doc["_version"] != expected:
            raise StaleVersion(
                "the deployment was changed by someone else; reload it and apply your edit again",
                details={"field": "revision", "expected_revision": expected, "current_revision": doc["_version"]},
            )
        spec_changed = any(k in changes and changes[k] != doc.get(k) for k in SPEC_FIELDS)
        if spec_changed:
            changes["spec_rev"] = doc["spec_rev"] + 1
        changes.update(updated_at=iso(), updated_by=actor.username)
        updated = self.repo.update(doc, changes, doc["_version"])
        self.repo.set_sync(updated["_id"], "pending", WAITING_FOR_SPEC if spec_changed else None)
        if spec_changed:
            self.write_spec(updated)
        before, after = public(doc, None), public(updated, None)
        changed = [k for k in after if k not in ("sync", "revision", "updated_at") and before.get(k) != after.get(k)]
        self.context.audit.record(
            actor,
            action,
            "deployment",
            doc["_id"],
            {k: before.get(k) for k in changed},
            {k: after.get(k) for k in changed},
        )
        return updated

    def update(self, actor: Principal, deployment_id: str, data: DeploymentUpdate, if_match: str | None):
        changes = data.model_dump(mode="json", exclude_unset=True)
        expected = self._expected(changes.pop("revision", None), if_match)
        if not changes:
            raise BadRequest("nothing to change", details={"field": "body"})
        for name in ("name", "model_id", "timezone"):
            if name in changes and changes[name] is None:
                raise ValidationFailed(f"{name} cannot be emptied", details={"field": name})
        doc = self.repo.get(deployment_id)
        kind = PipelineKind(doc["kind"])
        model = self._model(changes["model_id"]) if "model_id" in changes else None
        if model is not None:
            changes.update(model_id=model["_id"], model_name=model["name"], department=model.get("department"))
        if "version" in changes or "alias" in changes:
            version, alias = changes.get("version"), changes.get("alias")
            if version is None and alias is None:
                alias = "latest"
            changes.update(version=version, alias=alias)
        if "version" in changes or model is not None:
            version = changes.get("version", doc.get("version"))
            alias = changes.get("alias", doc.get("alias"))
            self._check_model_ref(model or self._model(doc["model_id"]), version, alias)
        if "dataset_id" in changes:
            self._check_dataset(kind, changes["dataset_id"])
        if "params" in changes:
            changes["params"] = changes["params"] or {}
            validate_params(kind, changes["params"])
        if "params" in changes or "dataset_id" in changes:
            dataset_id = changes.get("dataset_id", doc.get("dataset_id"))
            dataset = self.context.datasets.find(dataset_id) if dataset_id else None
            check_dataset_columns(kind, changes.get("params", doc.get("params") or {}), dataset)
        if "timezone" in changes:
            zone(changes["timezone"])
        if "schedule" in changes:
            schedule = changes["schedule"].strip() if changes["schedule"] else None
            changes.update(schedule=schedule, cron=to_cron(schedule) if schedule else None)
            changes["scheduled"] = changes["cron"] is not None
        rescheduled = (
            changes.get("cron", doc.get("cron")) != doc.get("cron")
            or changes.get("timezone", doc["timezone"]) != doc["timezone"]
        )
        if rescheduled:
            changes["schedule_start"] = iso()  # the new schedule counts from now: no surprise run
        updated = self._save(actor, doc, changes, expected, "deployment.update")
        sync = self.try_push(updated)
        return public(updated, sync)

    def delete(self, actor: Principal, deployment_id: str, if_match: str | None) -> None:
        doc = self.repo.get(deployment_id)
        from modelhub.executions.service import ExecutionsService  # it uses this module

        active = ExecutionsService(self.context).refresh_active(doc["_id"])
        if active:
            raise Conflict(
                f"deployment {doc['name']!r} has {len(active)} execution(s) queued or running; "
                "cancel them or wait for them to finish, then delete it",
                details={"field": "deployment_id", "active_executions": [e["_id"] for e in active]},
            )
        self.repo.delete(doc, parse_if_match(if_match))
        self.context.audit.record(actor, "deployment.delete", "deployment", doc["_id"], public(doc, None), None)
        # Airflow forgets the DAG once its shard is re-parsed without the spec; the explicit delete
        # also drops its history. If Airflow is down, the reconciliation finishes the job.
        self.repo.set_sync(
            doc["_id"], "pending", "waiting for Airflow to delete the DAG", dag_id=doc["dag_id"], delete=True
        )
        try:
            self.specs.remove(doc["_id"])
        except OSError as exc:
            log.warning("deployment spec left behind", deployment_id=doc["_id"], error=str(exc))
        self.delete_dag(doc["_id"], doc["dag_id"])

    def delete_dag(self, deployment_id: str, dag_id: str) -> bool:
        try:
            self.airflow.delete_dag(dag_id)
        except (OrchestratorUnavailable, Conflict) as exc:
            self.repo.set_sync(deployment_id, "pending", exc.message, dag_id=dag_id, delete=True)
            return False
        self.repo.drop_sync(deployment_id)
        return True

    # -- pause / resume -------------------------------------------------------------------------
    def set_paused(self, actor: Principal, deployment_id: str, paused: bool) -> dict[str, Any]:
        doc = self.repo.get(deployment_id)
        if doc["paused"] != paused:
            changes: dict[str, Any] = {"paused": paused}
            if not paused and doc.get("cron"):
                changes["schedule_start"] = iso()  # the next tick after now, never a missed one
            doc = self._save(actor, doc, changes, None, "deployment.pause" if paused else "deployment.resume")
        sync, _ = self.push(doc)  # 503 when Airflow is down; the saved state is applied later
        return public(doc, sync)

    # -- schedule preview -----------------------------------------------------------------------
    @staticmethod
    def preview(schedule: str | None, timezone: str, count: int, paused: bool | None = None) -> dict[str, Any]:
        zone(timezone)
        cron = to_cron(schedule) if schedule else None
        runs = next_runs(cron, timezone, count) if cron else []
        return {
            "schedule": schedule,
            "cron": cron,
            "timezone": timezone,
            "paused": paused,
            "next_runs": [moment.isoformat() for moment in runs],
        }

    def preview_of(self, deployment_id: str, count: int) -> dict[str, Any]:
        doc = self.repo.get(deployment_id)
        return self.preview(doc.get("schedule"), doc["timezone"], count, doc["paused"])
