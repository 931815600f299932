"""Deployments and executions against a real Airflow 3 (tests/conftest.py `airflow`), through a
real ModelHub server: the DAG appears, a triggered run scores a registered scikit-learn model in a
job process, its log and predictions come back through the API, a per-minute schedule runs by
itself until paused, deleting removes the DAG, and with Airflow stopped triggering answers 503
while reads work, until Airflow is back and the saved state reaches it.

The tests of this module share one Airflow and one app and run in order (the last one stops and
restarts Airflow).
"""

from __future__ import annotations

import io
import time
import uuid

import pandas as pd
import pytest

from tests.harness.airflow import AirflowError
from tests.harness.base import wait_for
from tests.scoring import register

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def app(orchestrated_app):
    return orchestrated_app


@pytest.fixture(scope="module")
def scientist(app):
    return app.login("datascientist", "password123")


@pytest.fixture(scope="module")
def business(app):
    return app.login("business", "password123")


@pytest.fixture(scope="module")
def registered(app, scientist):
    return register(app.http, scientist, f"churn-{uuid.uuid4().hex[:6]}")


def create(app, headers, registered, **fields) -> dict:
    body = {
        "name": f"scoring-{uuid.uuid4().hex[:8]}",
        "model_id": registered.model["name"],
        "version": 1,
        "kind": "batch_scoring",
        "dataset_id": registered.dataset["id"],
        **fields,
    }
    response = app.http.post("/api/deployments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def wait_dag(airflow, dag_id: str, timeout: float = 60) -> tuple[dict, float]:
    started = time.monotonic()
    dag = airflow.wait_for_dag(dag_id, timeout)
    return dag, time.monotonic() - started


def wait_execution(app, headers, execution_id: str, states=("success", "failed", "cancelled"), timeout=120) -> dict:
    def finished():
        body = app.http.get(f"/api/executions/{execution_id}", headers=headers).json()
        return body if body["status"] in states else None

    return wait_for(finished, timeout, f"execution {execution_id}", interval=0.25)


def test_triggered_batch_scoring_end_to_end(app, airflow, scientist, business, registered, record_property):
    deployment = create(app, scientist, registered, params={"include_probabilities": True})
    assert deployment["paused"] and deployment["dag_id"] == f"mh_{deployment['id']}"
    dag, visible_after = wait_dag(airflow, deployment["dag_id"])
    record_property("dag_visible_s", round(visible_after, 2))
    assert dag["is_paused"], "a new deployment's DAG starts paused"

    # paused: a manual run would stay queued in Airflow, so ModelHub refuses it
    refused = app.http.post(f"/api/deployments/{deployment['id']}/executions", json={}, headers=business)
    assert refused.status_code == 409 and "paused" in refused.json()["error"]["message"]

    resumed = app.http.post(f"/api/deployments/{deployment['id']}/resume", headers=scientist)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["paused"] is False

    started = time.monotonic()
    triggered = app.http.post(
        f"/api/deployments/{deployment['id']}/executions", json={"params": {"batch_size": 64}}, headers=business
    )
    assert triggered.status_code == 201, triggered.text
    execution = triggered.json()
    assert execution["status"] in ("queued", "running") and execution["run_id"]
    assert execution["triggered_by"] == "business" and execution["trigger"] == "manual"
    assert execution["params"] == {"include_probabilities": True, "batch_size": 64}

    running = wait_execution(app, business, execution["id"], states=("running", "success", "failed"), timeout=60)
    record_property("trigger_to_running_s", round(time.monotonic() - started, 2))
    # follow the log while the task runs: each call returns only the lines after `offset`
    followed, offset, finished = [], 0, False
    deadline = time.monotonic() + 120
    while not finished and time.monotonic() < deadline:
        chunk = app.http.get(f"/api/executions/{execution['id']}/logs", params={"offset": offset}, headers=business)
        assert chunk.status_code == 200, chunk.text
        body = chunk.json()
        followed += body["lines"]
        offset, finished = body["offset"], body["finished"]
        time.sleep(0.3)
    done = wait_execution(app, business, execution["id"])
    record_property("trigger_to_success_s", round(time.monotonic() - started, 2))
    assert running["id"] == execution["id"]
    logs = app.http.get(f"/api/executions/{execution['id']}/logs", headers=business).json()
    text = "\n".join(line["message"] for line in logs["lines"])
    assert [line["message"] for line in followed] == [line["message"] for line in logs["lines"]]
    assert done["status"] == "success", text
    assert done["model_version"] == 1 and done["rows"] == len(registered.data)
    assert [t["task_id"] for t in done["tasks"]] == ["batch_scoring"]
    assert done["tasks"][0]["state"] == "success" and done["tasks"][0]["start_date"] and done["tasks"][0]["end_date"]

    # the task's log holds the job's own output
    assert logs["finished"] and logs["task_id"] == "batch_scoring"
    assert "batch scoring: model" in text and f"wrote {len(registered.data)} predictions" in text
    again = app.http.get(
        f"/api/executions/{execution['id']}/logs", params={"offset": logs["offset"]}, headers=business
    ).json()
    assert again["lines"] == [] and again["offset"] == logs["offset"]

    # the same log as server-sent events, ending with `end`
    with app.http.stream("GET", f"/api/executions/{execution['id']}/logs/stream", headers=business) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = [line.removeprefix("event: ") for line in stream.iter_lines() if line.startswith("event: ")]
    assert events == ["line"] * len(logs["lines"]) + ["end"]

    # the predictions: listed, downloadable, equal to scoring the same model file here
    results = app.http.get(f"/api/executions/{execution['id']}/results", headers=business).json()
    assert [r["name"] for r in results] == ["predictions.csv"]
    download = app.http.get(results[0]["download_path"], headers=business)
    assert download.status_code == 200
    predictions = pd.read_csv(io.BytesIO(download.content))
    expected = registered.expected_predictions()
    assert list(predictions.columns) == ["id", "prediction", "probability_0", "probability_1"]
    pd.testing.assert_frame_equal(predictions[["id", "prediction"]], expected)


def test_dag_integrity_and_import_errors_gate(app, airflow, scientist, registered):
    """Every generated spec kind loads without import errors, and a broken spec does not break its
    shard: it becomes a DAG that fails with the reason."""
    deployment = create(app, scientist, registered, schedule="*/5 * * * *", timezone="Europe/Paris")
    dag, _ = wait_dag(airflow, deployment["dag_id"])
    assert dag["timetable_summary"] and "*/5 * * * *" in (dag.get("timetable_summary") or "")
    assert {t["name"] for t in dag["tags"]} >= {"modelhub", "kind:batch_scoring", f"model:{registered.model['name']}"}
    gate = airflow.cli("dags", "list-import-errors")
    assert gate.returncode == 0, gate.stdout
    assert airflow.import_errors() == []


def test_cli_gate_fails_on_a_broken_shard(airflow):
    broken = airflow.dags_folder / "generated" / "broken_gate_check.py"
    broken.write_text("from airflow.sdk import DAG\nraise RuntimeError('deliberately broken DAG file')\n")
    try:
        wait_for(lambda: airflow.import_errors(), 60, "the import error", interval=0.5)
        gate = airflow.cli("dags", "list-import-errors")
        assert gate.returncode == 1 and "deliberately broken" in gate.stdout
    finally:
        broken.unlink()
    wait_for(lambda: airflow.import_errors() == [], 60, "the import error to clear", interval=0.5)


def test_delete_removes_the_dag(app, airflow, scientist, registered):
    deployment = create(app, scientist, registered)
    wait_dag(airflow, deployment["dag_id"])
    deleted = app.http.delete(f"/api/deployments/{deployment['id']}", headers=scientist)
    assert deleted.status_code == 204

    def gone():
        try:
            airflow.dag(deployment["dag_id"])
        except AirflowError as err:
            return "404" in str(err)
        return False

    wait_for(gone, 60, "the DAG to go", interval=0.5)
    assert app.http.get(f"/api/deployments/{deployment['id']}", headers=scientist).status_code == 404


def executions_of(app, headers, deployment_id: str, **params) -> list[dict]:
    response = app.http.get("/api/executions", params={"deployment_id": deployment_id, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_cron_deployment_runs_by_itself_until_paused(app, airflow, scientist, registered):
    deployment = create(app, scientist, registered, schedule="* * * * *", timezone="Europe/Paris")
    preview = app.http.get(f"/api/deployments/{deployment['id']}/schedule-preview?count=3", headers=scientist).json()
    assert len(preview["next_runs"]) == 3 and all(t.endswith(("+01:00", "+02:00")) for t in preview["next_runs"])
    wait_dag(airflow, deployment["dag_id"])
    resumed = app.http.post(f"/api/deployments/{deployment['id']}/resume", headers=scientist)
    assert resumed.status_code == 200, resumed.text

    def scheduled_success():
        runs = executions_of(app, scientist, deployment["id"], trigger="schedule")
        return next((r for r in runs if r["status"] == "success"), None)

    first = wait_for(scheduled_success, 150, "a scheduled run to succeed", interval=1)
    assert first["triggered_by"] == "schedule" and first["model_version"] == 1
    detail = app.http.get(f"/api/executions/{first['id']}", headers=scientist).json()
    assert detail["tasks"][0]["state"] == "success"
    results = app.http.get(f"/api/executions/{first['id']}/results", headers=scientist).json()
    assert [r["name"] for r in results] == ["predictions.csv"]

    paused = app.http.post(f"/api/deployments/{deployment['id']}/pause", headers=scientist)
    assert paused.status_code == 200 and paused.json()["paused"] is True
    assert airflow.dag(deployment["dag_id"])["is_paused"] is True
    count = len(airflow.request("GET", f"/api/v2/dags/{deployment['dag_id']}/dagRuns")["dag_runs"])
    # the next minute's tick passes without a run
    time.sleep(60 - time.time() % 60 + 10)
    assert len(airflow.request("GET", f"/api/v2/dags/{deployment['dag_id']}/dagRuns")["dag_runs"]) == count
    assert len(executions_of(app, scientist, deployment["id"])) == count


def test_cancel_a_queued_execution(app, airflow, scientist, business, registered):
    deployment = create(app, scientist, registered)
    wait_dag(airflow, deployment["dag_id"])
    assert app.http.post(f"/api/deployments/{deployment['id']}/resume", headers=scientist).status_code == 200
    url = f"/api/deployments/{deployment['id']}/executions"
    first = app.http.post(url, json={}, headers=business).json()
    second = app.http.post(url, json={}, headers=business).json()  # max_active_runs=1: waits in the queue
    other = app.login("admin", "admin123")
    assert app.http.post(f"/api/executions/{second['id']}/cancel", headers=scientist).status_code == 403
    cancelled = app.http.post(f"/api/executions/{second['id']}/cancel", headers=business)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_by"] == "business"
    assert airflow.dag_run(deployment["dag_id"], second["run_id"])["state"] == "failed"
    assert wait_execution(app, other, first["id"])["status"] == "success"
    assert app.http.get(f"/api/executions/{second['id']}", headers=other).json()["status"] == "cancelled"
    again = app.http.post(f"/api/executions/{second['id']}/cancel", headers=other)
    assert again.status_code == 409


def test_airflow_down_then_back(app, airflow, scientist, business, registered):
    """Triggering answers 503 and leaves no execution; stored data stays readable; what was saved
    meanwhile (a pause, a new deployment) reaches Airflow once it is back."""
    kept = create(app, scientist, registered)
    wait_dag(airflow, kept["dag_id"])
    assert app.http.post(f"/api/deployments/{kept['id']}/resume", headers=scientist).status_code == 200
    ran = app.http.post(f"/api/deployments/{kept['id']}/executions", json={}, headers=business).json()
    ran = wait_execution(app, business, ran["id"])
    assert ran["status"] == "success"

    airflow.stop()
    try:
        started = time.monotonic()
        refused = app.http.post(f"/api/deployments/{kept['id']}/executions", json={}, headers=business)
        assert refused.status_code == 503 and time.monotonic() - started < 20
        assert refused.json()["error"]["message"].startswith("orchestrator unavailable")
        assert refused.json()["error"]["details"]["component"] == "orchestrator"
        assert [e["id"] for e in executions_of(app, business, kept["id"])] == [ran["id"]]

        # reads of stored data keep working
        assert app.http.get("/api/deployments", headers=business).status_code == 200
        detail = app.http.get(f"/api/executions/{ran['id']}", headers=business)
        assert detail.status_code == 200 and detail.json()["tasks"][0]["state"] == "success"
        results = app.http.get(f"/api/executions/{ran['id']}/results", headers=business).json()
        assert app.http.get(results[0]["download_path"], headers=business).status_code == 200
        assert app.http.get(f"/api/executions/{ran['id']}/logs", headers=business).status_code == 503

        # changes are saved, and wait for Airflow
        paused = app.http.post(f"/api/deployments/{kept['id']}/pause", headers=scientist)
        assert paused.status_code == 503
        after = app.http.get(f"/api/deployments/{kept['id']}", headers=scientist).json()
        assert after["paused"] is True and after["sync"]["state"] == "pending"
        assert after["sync"]["error"].startswith("orchestrator unavailable")
        created_while_down = create(app, scientist, registered)
        assert created_while_down["sync"]["state"] == "pending"
    finally:
        airflow.start()

    wait_dag(airflow, created_while_down["dag_id"])

    def synced():
        states = [
            app.http.get(f"/api/deployments/{d['id']}", headers=scientist).json()["sync"]["state"]
            for d in (kept, created_while_down)
        ]
        return states == ["synced", "synced"]

    wait_for(synced, 60, "the saved state to reach Airflow", interval=0.5)
    assert airflow.dag(kept["dag_id"])["is_paused"] is True
    assert app.http.post(f"/api/deployments/{kept['id']}/resume", headers=scientist).status_code == 200
    again = app.http.post(f"/api/deployments/{kept['id']}/executions", json={}, headers=business)
    assert again.status_code == 201, again.text
    assert wait_execution(app, business, again.json()["id"])["status"] == "success"
