"""The monitoring kind end to end, through a real ModelHub server and a real Airflow: a version
registered with reference statistics serves shifted inputs online, a monitoring deployment's run
reads them back from the prediction log, finds the drift, writes `drift.statistic` points and
marks the model; `GET /api/models/{id}/drift` shows it."""

from __future__ import annotations

import json
import time
import uuid

import numpy as np
import pytest
import sqlalchemy as sa

from modelhub.drift.reference import compute_reference
from tests.conftest import job_environment
from tests.harness.base import wait_for
from tests.scoring import FEATURES, frame, skops_bytes, train

pytestmark = pytest.mark.servers


def test_monitoring_finds_drift_in_logged_predictions(orchestrated_app, airflow):
    app = orchestrated_app
    scientist = app.login("datascientist", "password123")
    business = app.login("business", "password123")
    name = f"credit-{uuid.uuid4().hex[:6]}"
    model = app.http.post(
        "/api/models",
        json={"name": name, "framework": "sklearn", "task_type": "classification", "department": "finance"},
        headers=scientist,
    ).json()
    reference = compute_reference(frame(2_000, seed=7)[FEATURES])
    version = app.http.post(
        f"/api/models/{model['id']}/versions",
        files={"file": ("model.skops", skops_bytes(train()), "application/octet-stream")},
        data={"reference_stats": json.dumps(reference)},
        headers=scientist,
    )
    assert version.status_code == 201, version.text
    assert version.json()["reference_stats"]["columns"]["f1"]["type"] == "numeric"
    alias = app.http.put(f"/api/models/{model['id']}/aliases/champion", json={"version": 1}, headers=scientist)
    assert alias.status_code == 200, alias.text

    # online traffic whose f1 moved by two standard deviations; f2..f4 as in training
    current = frame(200, seed=99)[FEATURES]
    current["f1"] += 2.0
    rows = current.to_dict(orient="records")
    # the first request starts the serving workers and loads the model: slow on a busy machine
    first = app.http.post(f"/api/models/{name}/predict", json={"records": rows[:1]}, headers=business, timeout=300)
    assert first.status_code == 200, first.text
    for start in range(0, len(rows), 20):
        answer = app.http.post(
            f"/api/models/{name}/predict", json={"records": rows[start : start + 20]}, headers=business
        )
        assert answer.status_code == 200, answer.text
    wait_for(  # the log is written by a background thread about once a second
        lambda: len(app.http.get(f"/api/models/{name}/predictions", headers=scientist).json()["items"]) == 11,
        30,
        "the prediction log",
    )

    deployment = app.http.post(
        "/api/deployments",
        json={
            "name": f"monitoring-{uuid.uuid4().hex[:6]}",
            "model_id": model["id"],
            "alias": "champion",
            "kind": "monitoring",
            "params": {"window_hours": 1, "min_samples": 50, "thresholds": {"psi": 0.25}},
        },
        headers=scientist,
    )
    assert deployment.status_code == 201, deployment.text
    deployment = deployment.json()
    airflow.wait_for_dag(deployment["dag_id"], 60)
    resumed = app.http.post(f"/api/deployments/{deployment['id']}/resume", headers=scientist)
    assert resumed.status_code == 200, resumed.text
    triggered = app.http.post(f"/api/deployments/{deployment['id']}/executions", json={}, headers=scientist)
    assert triggered.status_code == 201, triggered.text
    execution_id = triggered.json()["id"]

    def finished():
        body = app.http.get(f"/api/executions/{execution_id}", headers=scientist).json()
        return body if body["status"] in ("success", "failed", "cancelled") else None

    done = wait_for(finished, 180, f"execution {execution_id}", interval=0.5)
    logs = app.http.get(f"/api/executions/{execution_id}/logs", headers=scientist).json()
    text = "\n".join(line["message"] for line in logs["lines"])
    assert done["status"] == "success", text
    assert "201 logged input records" in text and "drift status drifted" in text
    assert done["rows"] == 201 and done["model_version"] == 1
    results = app.http.get(f"/api/executions/{execution_id}/results", headers=scientist).json()
    assert [r["name"] for r in results] == ["drift.json"]

    drift = app.http.get(f"/api/models/{name}/drift", headers=business).json()
    assert drift["status"] == "drifted" and drift["latest"]["drifted_features"] == ["f1"]
    latest = drift["latest"]
    assert latest["deployment_id"] == deployment["id"] and latest["execution_id"] == execution_id
    assert latest["source"] == "prediction_log" and latest["samples"] == 201 and latest["thresholds"]["psi"] == 0.25
    assert latest["features"]["f1"]["tests"]["ks"]["p_value"] < 1e-6
    assert not latest["features"]["f2"]["drifted"]

    # the statistics are points of the metrics store the app was started with (SQLite here)
    uri = job_environment().get("MODELHUB_METRICS_URI") or f"sqlite:///{app.log.parent / 'data' / 'metrics.db'}"
    engine = sa.create_engine(uri)
    deadline = time.monotonic() + 10
    with engine.connect() as conn:
        while True:
            points = conn.execute(
                sa.text("SELECT labels, value FROM metric_points WHERE series = 'drift.statistic'")
            ).all()
            points = [(json.loads(labels), value) for labels, value in points]
            points = [(labels, value) for labels, value in points if labels["model_id"] == model["id"]]
            if points or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    engine.dispose()
    tests = {(labels["feature"], labels["test"]): (labels, value) for labels, value in points}
    assert set(tests) == {(f, t) for f in FEATURES for t in ("ks", "psi")}
    f1_labels, f1_psi = tests[("f1", "psi")]
    assert f1_labels["drifted"] == "true" and f1_psi > 0.25 and np.isfinite(f1_psi)
    assert f1_labels["deployment_id"] == deployment["id"] and f1_labels["version"] == "1"
    assert f1_labels["department"] == "finance" and tests[("f2", "ks")][0]["drifted"] == "false"
