"""The background reconciliation between ModelHub and Airflow, one thread in the API process.

Every few seconds (MODELHUB_ORCHESTRATOR_SYNC_INTERVAL_S):
- deployments whose state Airflow has not confirmed (`deployment_sync.state == pending`): a new
  or changed spec, a pause or resume made while Airflow was down, a DAG deletion to finish;
- runs of ModelHub's DAGs that changed since the last pass (one request when nothing happens):
  runs started by Airflow's scheduler become executions, states of the others are updated.
At start, and then every few minutes, a full pass: every deployment's spec is (re)written if it
is missing or stale on disk, specs of deleted deployments are removed, and Airflow's DAGs are
compared with the deployments (stale DAGs of deleted deployments are deleted).

Everything here is idempotent: several API processes may run it side by side.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import structlog

from modelhub.context import AppContext
from modelhub.deployments.service import DeploymentsService, spec_rev_of
from modelhub.errors import ModelHubError
from modelhub.executions.service import ExecutionsService
from modelhub.orchestration.airflow import OrchestratorUnavailable
from modelhub.orchestration.specs import DAG_PREFIX, deployment_id_of
from modelhub.timeutil import iso, utcnow

log = structlog.get_logger()

RUN_OVERLAP = timedelta(seconds=30)  # re-read runs changed just before the last pass (clock skew)
FIRST_LOOKBACK = timedelta(days=1)
FULL_PASS_EVERY_S = 300.0
BULK_THRESHOLD = 20  # pending deployments from which a pass lists DAGs instead of getting each
BULK_LIMIT = 1000  # the metadata store's largest page


class OrchestratorSync:
    def __init__(self, context: AppContext):
        self.context = context
        self.deployments = DeploymentsService(context)
        self.executions = ExecutionsService(context)
        self.airflow_up: bool | None = None
        self._since: str | None = None
        self._saved_at = 0.0

    # -- passes ---------------------------------------------------------------------------------
    def push_pending(self) -> None:
        pending = self.context.deployments.pending(limit=BULK_LIMIT)
        # Many at once (a bulk import, a restored folder): one listing instead of a GET each.
        known = None
        if sum(not state.get("delete") for state in pending) > BULK_THRESHOLD:
            known = {dag["dag_id"]: dag for dag in self.context.orchestrator.list_dags(DAG_PREFIX)}
        for state in pending:
            deployment_id = state["_id"]
            if state.get("delete"):
                self.deployments.delete_dag(deployment_id, state["dag_id"])
                continue
            doc = self.context.deployments.find(deployment_id)
            if doc is None:
                self.context.deployments.drop_sync(deployment_id)
                continue
            self.deployments.push(doc, known=known)

    def sync_runs(self) -> int:
        started = utcnow()
        if self._since is None:
            self._since = self.context.executions.watermark() or iso(started - FIRST_LOOKBACK)
        from_time = iso(_parse(self._since) - RUN_OVERLAP)
        runs = self.context.orchestrator.runs_updated_since(DAG_PREFIX, from_time)
        for run in runs:
            self.executions.adopt(run)
        self._since = iso(started)
        # Kept in the store for the next start; written when runs moved, or once a minute.
        if runs or time.monotonic() - self._saved_at > 60:
            self.context.executions.set_watermark(self._since)
            self._saved_at = time.monotonic()
        return len(runs)

    def specs_pass(self) -> None:
        """Specs on disk match the deployments (a fresh or restored dags folder is refilled). The
        shard files exist from the start: Airflow lists new files only every refresh interval, but
        notices a touched known file at once."""
        self.context.dag_specs.ensure_layout()
        keep = set()
        for doc in self.context.deployments.all():
            keep.add(doc["_id"])
            self.deployments.write_spec(doc)  # no-op when the file is already right
        removed = self.context.dag_specs.remove_misplaced(keep, self.context.deployments.instance_id())
        if removed:
            log.info("removed specs of deleted deployments", count=removed)

    def dags_pass(self) -> None:
        """Airflow's DAGs match the deployments."""
        for dag in self.context.orchestrator.list_dags(DAG_PREFIX):
            deployment_id = deployment_id_of(dag["dag_id"])
            if deployment_id is None:
                continue
            doc = self.context.deployments.find(deployment_id)
            if doc is None:
                if dag.get("is_stale"):  # its spec is gone and Airflow noticed: drop its history too
                    self.deployments.delete_dag(deployment_id, dag["dag_id"])
                continue
            in_sync = spec_rev_of(dag) >= doc["spec_rev"] and dag["is_paused"] == doc["paused"]
            if not in_sync:  # changed in Airflow's UI, or never confirmed: ModelHub's state wins
                self.context.deployments.set_sync(deployment_id, "pending", "differs in Airflow")

    # -- the loop -------------------------------------------------------------------------------
    def once(self, dags_pass: bool = False) -> None:
        try:
            if dags_pass:
                self.dags_pass()
            self.push_pending()
            self.sync_runs()
            if self.airflow_up is False:
                log.info("orchestrator reachable again")
            self.airflow_up = True
        except OrchestratorUnavailable as exc:
            if self.airflow_up is not False:
                log.warning("orchestrator unavailable; will retry", error=exc.message)
            self.airflow_up = False


class SyncThread:
    def __init__(self, context: AppContext, interval_s: float):
        self.sync = OrchestratorSync(context)
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="orchestrator-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        last_specs = last_dags = None
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                if last_specs is None or now - last_specs > FULL_PASS_EVERY_S:
                    last_specs = now  # a failing pass (folder not writable) is retried later, not every loop
                    self.sync.specs_pass()
                dags_pass = last_dags is None or now - last_dags > FULL_PASS_EVERY_S
                self.sync.once(dags_pass=dags_pass)
                if dags_pass and self.sync.airflow_up:
                    last_dags = now
            except ModelHubError as exc:  # metadata store down: the next pass tries again
                log.warning("orchestrator sync failed", error=exc.message)
            except OSError as exc:
                log.warning(
                    "cannot write deployment specs", dags_dir=str(self.sync.context.dag_specs.root), error=str(exc)
                )
            except Exception:
                log.exception("orchestrator sync failed")
            self._stop.wait(self.interval_s)


def _parse(value: str):
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00"))
