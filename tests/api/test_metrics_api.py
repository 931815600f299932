"""The charts' API over the embedded (SQLite) metrics store holding demo history, and the execution
durations the executions service writes when a run finishes."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from modelhub.dashboards.demo_history import write_demo_history
from modelhub.errors import DependencyUnavailable
from modelhub.executions.service import ExecutionsService
from modelhub.metrics_api.service import OVERVIEW_TTL_S, OverviewCache, recent_end
from modelhub.timeutil import iso

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


def create_model(client, as_role, name: str, department: str, task_type: str = "classification") -> dict:
    body = {"name": name, "framework": "sklearn", "task_type": task_type, "department": department, "geography": "EU"}
    response = client.post("/api/models", json=body, headers=as_role("data_scientist"))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def demo(client, as_role):
    models = [
        create_model(client, as_role, "churn", "marketing"),
        create_model(client, as_role, "demand", "supply_chain", "regression"),
        create_model(client, as_role, "attrition", "hr"),
    ]
    catalog = [
        {**m, "versions": [1, 2, 3] if m["name"] == "churn" else 2} for m in models
    ]  # the shapes seed-demo may pass: numbers or a count
    written = write_demo_history(client.app.state.context.metrics, catalog, months=2, now=NOW)
    assert written > 5_000
    return {m["name"]: m for m in models}


def test_bucketed_series_with_filters_and_groups(client, as_role, demo):
    viewer = as_role("viewer")
    params = {
        "series": "prediction.count",
        "start": iso(NOW - timedelta(days=14)),  # noon to noon: 15 daily buckets
        "end": iso(NOW),
        "bucket": "1d",
        "aggregate": "sum",
        "group_by": "model_name",
    }
    response = client.get("/api/metrics", params=params, headers=viewer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["bucket_s"] == 86400 and body["aggregate"] == "sum"
    assert [g["labels"]["model_name"] for g in body["groups"]] == ["attrition", "churn", "demand"]
    assert all(len(g["points"]) == 15 and all(v > 0 for _, v in g["points"]) for g in body["groups"])

    # one model (by id or by name) and a department narrow the same series
    by_id = client.get("/api/metrics", params={**params, "model": demo["churn"]["id"]}, headers=viewer).json()
    by_name = client.get("/api/metrics", params={**params, "model": "churn"}, headers=viewer).json()
    assert (
        [g["labels"]["model_name"] for g in by_id["groups"]]
        == ["churn"]
        == [g["labels"]["model_name"] for g in by_name["groups"]]
    )
    assert by_id["groups"][0]["points"] == by_name["groups"][0]["points"]
    hr = client.get("/api/metrics", params={**params, "department": "hr"}, headers=viewer).json()
    assert [g["labels"]["model_name"] for g in hr["groups"]] == ["attrition"]

    # model quality per version over time, test split only
    quality = client.get(
        "/api/metrics",
        params={
            "series": "model.metric",
            "start": iso(NOW - timedelta(days=60)),
            "end": iso(NOW),
            "bucket": "1w",
            "model": "churn",
            "label": ["metric:accuracy", "split:test"],
            "group_by": "version",
        },
        headers=viewer,
    ).json()
    versions = [g["labels"]["version"] for g in quality["groups"]]
    assert versions == ["1", "2", "3"]
    first, last = (
        sum(v for _, v in g["points"]) / len(g["points"]) for g in (quality["groups"][0], quality["groups"][-1])
    )
    assert 0.5 < first < last < 1  # each version better than the one before


def test_default_bucket_and_bad_arguments(client, as_role, demo):
    viewer = as_role("viewer")
    auto = client.get(
        "/api/metrics",
        params={"series": "execution.duration_s", "start": iso(NOW - timedelta(days=30)), "end": iso(NOW)},
        headers=viewer,
    )
    assert auto.status_code == 200 and auto.json()["bucket_s"] == 6 * 3600  # about 200 buckets
    for params, field in (
        ({"series": "Bad Series!"}, "series"),
        ({"series": "prediction.count", "bucket": "fortnight"}, "bucket"),
        ({"series": "prediction.count", "bucket": "1s", "start": iso(NOW - timedelta(days=30))}, "bucket"),
        ({"series": "prediction.count", "start": iso(NOW), "end": iso(NOW - timedelta(days=1))}, "start"),
        ({"series": "prediction.count", "group_by": "Model Name"}, "group_by"),
        ({"series": "prediction.count", "label": "no-colon"}, "label"),
        ({"series": "prediction.count", "aggregate": "median"}, "aggregate"),
        ({"series": "prediction.count", "end": "0001-01-01T00:00:00Z"}, "end"),
    ):
        response = client.get("/api/metrics", params=params, headers=viewer)
        assert response.status_code in (400, 422), (params, response.text)
        details = response.json()["error"]["details"]
        named = details["field"] if isinstance(details, dict) else details[0]["field"]
        assert named == field, (params, response.text)


def test_overview_summaries(client, as_role, demo):
    response = client.get(
        "/api/dashboards/overview",
        params={"start": iso(NOW - timedelta(days=30)), "end": iso(NOW)},
        headers=as_role("viewer"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    days = body["executions_per_day"]
    assert len(days) == 30
    assert body["executions_total"] == sum(d["success"] + d["failed"] + d["cancelled"] for d in days)
    assert body["executions_total"] >= 3 * 30 * 2  # two daily runs per model at least
    assert 0.8 < body["success_rate"] < 1
    assert body["avg_execution_duration_s"] > 0
    assert body["models_total"] == 3
    assert {d["name"]: d["count"] for d in body["models_by_department"]} == {
        "marketing": 1,
        "supply_chain": 1,
        "hr": 1,
    }
    top = body["top_models_by_predictions"]
    assert sorted(t["name"] for t in top) == ["attrition", "churn", "demand"]
    assert [t["count"] for t in top] == sorted((t["count"] for t in top), reverse=True)
    assert body["predictions_total"] == pytest.approx(sum(t["count"] for t in top))
    store, start = client.app.state.context.metrics, NOW - timedelta(days=30)
    raw_predictions = store.query("prediction.count", start, NOW)
    assert body["predictions_total"] == pytest.approx(sum(p.value for p in raw_predictions))
    raw_durations = [p.value for p in store.query("execution.duration_s", start, NOW)]
    assert body["avg_execution_duration_s"] == pytest.approx(sum(raw_durations) / len(raw_durations), abs=1e-3)
    drift = {d["model_name"]: d for d in body["latest_drift"]}
    assert set(drift) == {"attrition", "churn", "demand"}
    assert all(d["features_tested"] == 3 and 0 <= d["features_drifted"] <= 3 for d in drift.values())

    hr = client.get(
        "/api/dashboards/overview",
        params={"start": iso(NOW - timedelta(days=30)), "end": iso(NOW), "department": "hr"},
        headers=as_role("viewer"),
    ).json()
    assert hr["models_total"] == 1 and [t["name"] for t in hr["top_models_by_predictions"]] == ["attrition"]
    assert 0 < hr["executions_total"] < body["executions_total"]


def test_links_only_when_configured(client, as_role, settings):
    viewer = as_role("viewer")
    assert client.get("/api/dashboards/links", headers=viewer).json() == {
        "grafana_url": None,
        "superset_url": None,
        "dashboards": [],
    }
    settings.grafana_url = "https://grafana.example.com/"
    settings.superset_url = "https://bi.example.com"
    links = client.get("/api/dashboards/links", headers=viewer).json()
    assert links["grafana_url"] == "https://grafana.example.com"
    urls = {d["url"] for d in links["dashboards"]}
    assert "https://grafana.example.com/d/modelhub-overview" in urls
    assert "https://bi.example.com/superset/dashboard/modelhub/" in urls


def test_anonymous_is_refused(client):
    for path in ("/api/metrics?series=prediction.count", "/api/dashboards/overview", "/api/dashboards/links"):
        assert client.get(path).status_code == 401


# -- execution durations written by the executions service ---------------------------------------------
def running_execution(model: dict, number: int, **fields) -> dict:
    return {
        "_id": f"{number:032x}",
        "deployment_id": "d" * 32,
        "deployment_name": "churn scoring",
        "kind": "batch_scoring",
        "dag_id": "mh_" + "d" * 32,
        "run_id": f"manual__{number}",
        "model_id": model["id"],
        "model_name": model["name"],
        "version": 1,
        "alias": None,
        "model_version": 1,
        "dataset_id": None,
        "params": {},
        "overrides": {},
        "status": "running",
        "trigger": "manual",
        "triggered_by": "business",
        "triggered_by_id": None,
        "created_at": "2026-06-15T10:00:00.000000Z",
        "started_at": "2026-06-15T10:00:01.000000Z",
        "updated_at": "2026-06-15T10:00:01.000000Z",
        **fields,
    }


def points(context, series: str) -> list:
    return context.metrics.query(series, NOW - timedelta(days=1), NOW + timedelta(days=1))


def test_finished_execution_writes_its_durations_once(client, as_role):
    context = client.app.state.context
    model = create_model(client, as_role, "churn", "marketing")
    service = ExecutionsService(context)
    doc = context.executions.insert(running_execution(model, 1))
    run = {"state": "running", "start_date": "2026-06-15T10:00:01Z"}
    doc = service._apply_run(doc, run, None)
    assert points(context, "execution.duration_s") == []  # not final yet

    run = {"state": "success", "start_date": "2026-06-15T10:00:01Z", "end_date": "2026-06-15T10:01:31.5Z"}
    tasks = [
        {"task_id": "preprocess", "state": "success", "try_number": 1, "duration": 30.25,
         "start_date": "2026-06-15T10:00:02.000000Z", "end_date": "2026-06-15T10:00:32.250000Z"},
        {"task_id": "score", "state": "success", "try_number": 1, "duration": None,
         "start_date": "2026-06-15T10:00:33.000000Z", "end_date": "2026-06-15T10:01:30.000000Z"},
        {"task_id": "notify", "state": "upstream_failed", "try_number": 0, "duration": None,
         "start_date": None, "end_date": None},
    ]  # fmt: skip
    doc = service._apply_run(doc, run, tasks)
    service._apply_run(doc, run, tasks)  # a later sync of the same run adds nothing

    [execution] = points(context, "execution.duration_s")
    assert execution.value == 90.5
    assert execution.time == datetime(2026, 6, 15, 10, 1, 31, 500000, tzinfo=UTC)
    stored = context.metrics.query(
        "execution.duration_s",
        NOW - timedelta(days=1),
        NOW,
        labels={"status": "success", "department": "marketing", "model_name": "churn", "kind": "batch_scoring"},
    )
    assert len(stored) == 1
    by_task = {
        p.labels["task"]: p.value
        for p in context.metrics.query(
            "task.duration_s", NOW - timedelta(days=1), NOW, 3600, "max", {"execution_id": doc["_id"]}, ["task"]
        )
    }
    assert by_task == {"preprocess": 30.25, "score": 57.0}  # the task that never ran has no duration


def test_cancel_and_failures_are_recorded_and_a_down_store_changes_nothing(client, as_role, tokens, monkeypatch):
    context = client.app.state.context
    model = create_model(client, as_role, "churn", "marketing")
    business_id = context.identity.verifier.verify(tokens["business_user"]).subject
    queued = context.executions.insert(
        running_execution(model, 2, status="queued", run_id=None, started_at=None, triggered_by_id=business_id)
    )
    response = client.post(f"/api/executions/{queued['_id']}/cancel", headers=as_role("business_user"))
    assert response.status_code == 200, response.text
    cancelled = context.metrics.query(
        "execution.duration_s", NOW - timedelta(days=1), datetime.now(UTC) + timedelta(minutes=1),
        labels={"execution_id": queued["_id"], "status": "cancelled", "triggered_by": "business"},
    )  # fmt: skip
    assert len(cancelled) == 1

    def down(batch):
        raise DependencyUnavailable("metrics", "metrics store unavailable")

    monkeypatch.setattr(context.metrics, "write", down)
    doc = context.executions.insert(running_execution(model, 3))
    failed = {"state": "failed", "start_date": "2026-06-15T10:00:01Z", "end_date": "2026-06-15T10:00:11Z"}
    doc = ExecutionsService(context)._apply_run(doc, failed, [])
    assert context.executions.get(doc["_id"])["status"] == "failed"  # the state change stands


def test_overview_is_computed_once_per_cache_period_and_range(client, as_role, demo, monkeypatch):
    store = client.app.state.context.metrics
    calls = []
    query = store.query
    monkeypatch.setattr(store, "query", lambda *args, **kwargs: calls.append(args[0]) or query(*args, **kwargs))
    viewer = as_role("viewer")
    first = client.get("/api/dashboards/overview", headers=viewer)
    assert first.status_code == 200, first.text
    end = datetime.fromisoformat(first.json()["end"].replace("Z", "+00:00"))
    assert end.timestamp() % OVERVIEW_TTL_S == 0 and 0 <= (end - datetime.now(UTC)).total_seconds() <= OVERVIEW_TTL_S
    per_overview = len(calls)
    assert per_overview > 0
    again = client.get("/api/dashboards/overview", params={"end": first.json()["end"]}, headers=viewer)
    assert again.json() == first.json() and len(calls) == per_overview  # same range: served from the cache
    other = client.get(
        "/api/dashboards/overview", params={"end": first.json()["end"], "department": "hr"}, headers=viewer
    )
    assert other.json()["models_total"] == 1 and len(calls) == 2 * per_overview  # other filters: computed


def test_recent_end_rounds_up_to_the_cache_period():
    noon = datetime(2026, 6, 15, 12, tzinfo=UTC)
    assert recent_end(noon + timedelta(seconds=7)) == noon + timedelta(seconds=OVERVIEW_TTL_S)
    assert recent_end(noon) == noon


def test_an_expired_overview_is_recomputed_once_for_everyone_asking_at_that_moment():
    cache, computed = OverviewCache(), []
    release = threading.Event()

    def compute():
        computed.append(1)
        release.wait(5)
        return {"answer": len(computed)}

    with ThreadPoolExecutor(8) as pool:
        answers = [pool.submit(cache.get_or_compute, ("range",), compute) for _ in range(8)]
        time.sleep(0.2)  # all eight are asking now
        release.set()
        assert [a.result(5) for a in answers] == [{"answer": 1}] * 8
    assert len(computed) == 1
    assert cache.get_or_compute(("other range",), lambda: {"answer": "other"}) == {"answer": "other"}
