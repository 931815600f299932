"""Deployments through the API with Airflow down (the real Airflow is in tests/integration): CRUD
with optimistic concurrency, validation that says why, filters and pagination, schedule preview,
specs written atomically in their shard, pause/resume kept while Airflow is down, audit."""

from __future__ import annotations

import itertools
import json
from datetime import datetime

import pytest

from tests.api.conftest import error_field
from tests.scoring import register


@pytest.fixture
def scientist(as_role):
    return as_role("data_scientist")


@pytest.fixture
def registered(client, scientist):
    return register(client, scientist, "churn")


def body(registered, **fields) -> dict:
    return {
        "name": "churn scoring",
        "model_id": registered.model["name"],
        "version": 1,
        "kind": "batch_scoring",
        "dataset_id": registered.dataset["id"],
        **fields,
    }


def create(client, headers, registered, **fields) -> dict:
    response = client.post("/api/deployments", json=body(registered, **fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def specs_root(client):
    return client.app.state.context.dag_specs


def test_create_writes_a_spec_in_its_shard(client, scientist, registered):
    created = client.post(
        "/api/deployments",
        json=body(registered, schedule="@daily", timezone="Europe/Paris", params={"id_column": "id"}),
        headers=scientist,
    )
    assert created.status_code == 201, created.text
    deployment = created.json()
    assert created.headers["etag"] == f'"{deployment["revision"]}"'
    assert deployment["paused"] is True and deployment["status"] == "paused"
    assert deployment["dag_id"] == f"mh_{deployment['id']}" and deployment["model_id"] == registered.model["id"]
    assert deployment["schedule"] == "@daily" and deployment["cron"] == "0 0 * * *"
    assert deployment["sync"]["state"] == "pending"  # Airflow has not confirmed it (it is down here)
    assert deployment["created_by"] == "datascientist"

    specs = specs_root(client)
    shard = specs.shard_of(deployment["id"])
    path = specs.spec_path(deployment["id"])
    assert path == specs.root / "specs" / f"shard_{shard:02d}" / f"{deployment['id']}.json"
    spec = json.loads(path.read_text())
    assert spec["dag_id"] == deployment["dag_id"] and spec["cron"] == "0 0 * * *"
    assert spec["timezone"] == "Europe/Paris" and spec["kind"] == "batch_scoring" and spec["spec_rev"] == 1
    assert "params" not in spec  # jobs fetch parameters when they start: editing them leaves Airflow alone
    shard_file = specs.shard_file(shard).read_text()
    assert "build_shard(__file__, globals())" in shard_file
    assert "airflow" in shard_file and "DAG" in shard_file  # what Airflow's safe mode looks for
    assert (specs.root / ".airflowignore").read_text().strip().endswith("specs/")
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_every_kind_has_a_job_and_a_parameters_schema(client, scientist):
    # training and evaluation: tests/api/test_deployments_training.py; monitoring: test_monitoring.py
    kinds = {k["kind"]: k for k in client.get("/api/deployments/kinds", headers=scientist).json()}
    assert set(kinds) == {"batch_scoring", "training", "evaluation", "monitoring"}
    for kind in kinds.values():
        assert kind["available"] and kind["params_schema"]["type"] == "object", kind


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"schedule": "61 * * * *"}, "schedule", "is not a valid cron expression"),
        ({"schedule": "* * *"}, "schedule", "has 3"),
        ({"schedule": "0 0 30 2 *"}, "schedule", "never matches a date"),
        ({"schedule": "@fortnightly"}, "schedule", "unknown preset"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "unknown timezone"),
        ({"params": {"batch_size": 0}}, "params.batch_size", "less than the minimum"),
        ({"params": {"colour": "red"}}, "params.colour", "unknown parameter"),
        ({"params": {"features": "f1"}}, "params.features", "is not of type 'array'"),
        ({"version": 9}, "version", "has no version 9"),
        ({"version": None, "alias": "champion"}, "alias", "has no alias 'champion'"),
        ({"alias": "latest"}, "alias", "not both"),
        ({"dataset_id": None}, "dataset_id", "needs a dataset"),
        ({"dataset_id": "0" * 32}, "dataset_id", "no dataset"),
        ({"model_id": "no-such-model"}, "model_id", "no model"),
    ],
)
def test_invalid_input_answers_422_saying_why(client, scientist, registered, fields, field, says):
    response = client.post("/api/deployments", json=body(registered, **fields), headers=scientist)
    assert response.status_code == 422, response.text
    assert says in response.json()["error"]["message"]
    assert error_field(response) == field
    assert client.get("/api/deployments", headers=scientist).json()["total"] == 0
    assert not list(specs_root(client).all_ids())


def test_alias_defaults_to_latest_and_names_are_unique(client, scientist, registered):
    deployment = create(client, scientist, registered, version=None)
    assert deployment["alias"] == "latest" and deployment["version"] is None
    again = client.post("/api/deployments", json=body(registered, name="CHURN SCORING"), headers=scientist)
    assert again.status_code == 409 and error_field(again) == "name"


def test_edit_with_optimistic_concurrency_rewrites_the_spec(client, scientist, registered):
    deployment = create(client, scientist, registered)
    path = specs_root(client).spec_path(deployment["id"])
    shard_file = specs_root(client).shard_file(specs_root(client).shard_of(deployment["id"]))
    before_mtime = shard_file.stat().st_mtime_ns

    edited = client.patch(
        f"/api/deployments/{deployment['id']}",
        json={"schedule": "*/15 * * * *", "timezone": "America/New_York", "revision": deployment["revision"]},
        headers=scientist,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["revision"] == deployment["revision"] + 1
    spec = json.loads(path.read_text())
    assert spec["cron"] == "*/15 * * * *" and spec["timezone"] == "America/New_York" and spec["spec_rev"] == 2
    assert shard_file.stat().st_mtime_ns > before_mtime  # only this shard is re-parsed

    stale = client.patch(
        f"/api/deployments/{deployment['id']}", json={"description": "x"}, headers={**scientist, "If-Match": '"1"'}
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    params = client.patch(
        f"/api/deployments/{deployment['id']}",
        json={"params": {"include_probabilities": True}},
        headers={**scientist, "If-Match": edited.headers["etag"]},
    )
    assert params.status_code == 200 and params.json()["params"] == {"include_probabilities": True}
    assert json.loads(path.read_text())["spec_rev"] == 2  # parameters are not in the spec
    bad = client.patch(f"/api/deployments/{deployment['id']}", json={"schedule": "every day"}, headers=scientist)
    assert bad.status_code == 422 and error_field(bad) == "schedule"
    unscheduled = client.patch(f"/api/deployments/{deployment['id']}", json={"schedule": None}, headers=scientist)
    assert unscheduled.json()["schedule"] is None and json.loads(path.read_text())["cron"] is None


def test_list_filters_and_pages(client, scientist, registered):
    other = register(client, scientist, "fraud")
    create(client, scientist, registered, name="churn daily", schedule="@daily")
    create(client, scientist, registered, name="churn adhoc")
    create(client, scientist, other, name="fraud hourly", schedule="@hourly")

    def names(**params) -> list[str]:
        response = client.get("/api/deployments", params=params, headers=scientist)
        assert response.status_code == 200, response.text
        return [d["name"] for d in response.json()["items"]]

    assert names() == ["churn adhoc", "churn daily", "fraud hourly"]
    assert names(model="fraud") == ["fraud hourly"] == names(model=other.model["id"])
    assert names(scheduled="true") == ["churn daily", "fraud hourly"]
    assert names(scheduled="false") == ["churn adhoc"]
    assert names(q="DAILY") == ["churn daily"]
    assert names(kind="batch_scoring", status="paused", sort="-name") == ["fraud hourly", "churn daily", "churn adhoc"]
    assert names(status="active") == []
    first = client.get("/api/deployments", params={"limit": 2}, headers=scientist).json()
    assert first["total"] == 3 and len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get("/api/deployments", params={"limit": 2, "cursor": first["next_cursor"]}, headers=scientist)
    assert [d["name"] for d in rest.json()["items"]] == ["fraud hourly"] and rest.json()["next_cursor"] is None


def test_schedule_preview(client, scientist, registered):
    deployment = create(client, scientist, registered, schedule="0 9 * * 1-5", timezone="Europe/Paris")
    preview = client.get(f"/api/deployments/{deployment['id']}/schedule-preview?count=7", headers=scientist)
    assert preview.status_code == 200
    runs = [datetime.fromisoformat(t) for t in preview.json()["next_runs"]]
    assert len(runs) == 7 and runs == sorted(runs)
    assert all(r.hour == 9 and r.minute == 0 and r.weekday() < 5 for r in runs)
    assert all(r.utcoffset().total_seconds() in (3600, 7200) for r in runs)  # in Paris time
    assert preview.json()["paused"] is True

    adhoc = client.get(
        "/api/deployments/schedule-preview", params={"schedule": "@hourly", "count": 3}, headers=scientist
    )
    hours = [datetime.fromisoformat(t) for t in adhoc.json()["next_runs"]]
    assert adhoc.json()["cron"] == "0 * * * *"
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(hours)] == [3600, 3600]
    invalid = client.get("/api/deployments/schedule-preview", params={"schedule": "0 25 * * *"}, headers=scientist)
    assert invalid.status_code == 422 and "not a valid cron expression" in invalid.json()["error"]["message"]
    none = client.get(f"/api/deployments/{create(client, scientist, registered, name='x1')['id']}/schedule-preview")
    assert none.status_code == 401


def test_pause_and_resume_with_airflow_down_keep_the_saved_state(client, scientist, registered):
    deployment = create(client, scientist, registered, schedule="@hourly")
    resumed = client.post(f"/api/deployments/{deployment['id']}/resume", headers=scientist)
    assert resumed.status_code == 503
    assert resumed.json()["error"] == {
        "code": "dependency_unavailable",
        "message": resumed.json()["error"]["message"],
        "details": {"component": "orchestrator"},
    }
    assert resumed.json()["error"]["message"].startswith("orchestrator unavailable")
    saved = client.get(f"/api/deployments/{deployment['id']}", headers=scientist).json()
    assert saved["paused"] is False and saved["status"] == "active"
    assert saved["sync"]["state"] == "pending" and saved["sync"]["error"].startswith("orchestrator unavailable")
    spec = json.loads(specs_root(client).spec_path(deployment["id"]).read_text())
    assert spec["start_date"] > deployment["created_at"] and spec["spec_rev"] == 2  # runs count from the resume

    assert client.post(f"/api/deployments/{deployment['id']}/pause", headers=scientist).status_code == 503
    assert client.get(f"/api/deployments/{deployment['id']}", headers=scientist).json()["paused"] is True
    assert client.post(f"/api/deployments/{deployment['id']}/pause", headers=as_viewer(client)).status_code == 403

    audit = client.get(
        "/api/audit", params={"entity_id": deployment["id"]}, headers={"Authorization": admin_token(client)}
    ).json()
    assert [e["action"] for e in audit["items"]] == ["deployment.pause", "deployment.resume", "deployment.create"]
    assert audit["items"][0]["before"] == {"paused": False, "status": "active"}
    assert audit["items"][0]["after"] == {"paused": True, "status": "paused"}


def test_triggering_with_airflow_down_answers_503_and_leaves_no_execution(client, as_role, registered):
    scientist, business = as_role("data_scientist"), as_role("business_user")
    deployment = create(client, scientist, registered)
    url = f"/api/deployments/{deployment['id']}/executions"
    paused = client.post(url, json={}, headers=business)
    assert paused.status_code == 409 and "paused" in paused.json()["error"]["message"]
    client.post(f"/api/deployments/{deployment['id']}/resume", headers=scientist)

    bad = client.post(url, json={"params": {"batch_size": "big"}}, headers=business)
    assert bad.status_code == 422 and error_field(bad) == "params.batch_size"
    assert client.post(url, json={}, headers=as_role("viewer")).status_code == 403
    down = client.post(url, json={"params": {"batch_size": 10}}, headers=business)
    assert down.status_code == 503 and down.json()["error"]["message"].startswith("orchestrator unavailable")
    assert client.get("/api/executions", headers=business).json() == {"items": [], "total": 0, "next_cursor": None}


def test_delete_removes_the_spec_and_queues_the_dag_deletion(client, as_role, registered):
    scientist = as_role("data_scientist")
    deployment = create(client, scientist, registered)
    context = client.app.state.context
    specs = specs_root(client)
    shard_file = specs.shard_file(specs.shard_of(deployment["id"]))
    before = shard_file.stat().st_mtime_ns

    # a model in use cannot be deleted (the registry counts deployments)
    assert client.delete(f"/api/models/{registered.model['id']}", headers=as_role("admin")).status_code == 409

    # an execution still running blocks the deletion
    context.executions.insert(
        {"_id": "a" * 32, "deployment_id": deployment["id"], "status": "running", "created_at": "2026-01-01"}
    )
    busy = client.delete(f"/api/deployments/{deployment['id']}", headers=scientist)
    assert busy.status_code == 409 and busy.json()["error"]["details"]["active_executions"] == ["a" * 32]
    context.executions.update({"_id": "a" * 32}, {"status": "success"})

    assert client.delete(f"/api/deployments/{deployment['id']}", headers=scientist).status_code == 204
    assert client.get(f"/api/deployments/{deployment['id']}", headers=scientist).status_code == 404
    assert not specs.spec_path(deployment["id"]).exists()
    assert shard_file.stat().st_mtime_ns > before
    pending = context.deployments.sync_state(deployment["id"])
    assert pending["delete"] is True and pending["state"] == "pending" and pending["dag_id"] == deployment["dag_id"]
    assert context.executions.find("a" * 32) is not None  # history stays
    assert client.delete(f"/api/models/{registered.model['id']}", headers=as_role("admin")).status_code == 204


def as_viewer(client) -> dict[str, str]:
    token = client.post("/api/auth/token", data={"username": "viewer", "password": "password123"}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def admin_token(client) -> str:
    token = client.post("/api/auth/token", data={"username": "admin", "password": "admin123"}).json()
    return f"Bearer {token['access_token']}"
