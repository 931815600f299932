"""Executions through the API with Airflow down: stored records stay readable (list filters,
pagination, task states kept once finished, results listed and downloaded with ranges), while
what needs Airflow (logs, cancelling) answers 503; who may cancel; only the service account may
claim and report. Runs against the real Airflow are in tests/integration/test_airflow_deployments.py."""

from __future__ import annotations

import pytest

from modelhub.orchestration import scheduled_execution_id
from modelhub.timeutil import iso

DEPLOYMENT = "d" * 32


def execution(number: int, **fields) -> dict:
    return {
        "_id": f"{number:032x}",
        "deployment_id": DEPLOYMENT,
        "deployment_name": "churn scoring",
        "kind": "batch_scoring",
        "dag_id": f"mh_{DEPLOYMENT}",
        "run_id": f"manual__2026-01-0{number}T00:00:00+00:00",
        "model_id": "m" * 32,
        "model_name": "churn",
        "version": 1,
        "alias": None,
        "model_version": 1,
        "dataset_id": None,
        "params": {},
        "overrides": {},
        "status": "success",
        "trigger": "manual",
        "triggered_by": "business",
        "triggered_by_id": None,
        "created_at": f"2026-01-0{number}T00:00:00.000000Z",
        "started_at": f"2026-01-0{number}T00:00:01.000000Z",
        "ended_at": f"2026-01-0{number}T00:00:04.500000Z",
        "tasks": [{"task_id": "batch_scoring", "state": "success", "try_number": 1}],
        **fields,
    }


@pytest.fixture
def stored(client):
    context = client.app.state.context
    docs = [
        execution(1),
        execution(2, status="failed", triggered_by="datascientist"),
        execution(3, trigger="schedule", triggered_by="schedule", deployment_id="e" * 32),
        execution(4, status="running", ended_at=None, tasks=None),
    ]
    for doc in docs:
        context.executions.insert(doc)
    return docs


def test_list_filters_and_pages(client, as_role, stored):
    viewer = as_role("viewer")

    def ids(**params) -> list[str]:
        response = client.get("/api/executions", params=params, headers=viewer)
        assert response.status_code == 200, response.text
        return [e["id"][-1] for e in response.json()["items"]]

    assert ids() == ["4", "3", "2", "1"]  # newest first
    assert ids(deployment_id=DEPLOYMENT) == ["4", "2", "1"]
    assert ids(status="failed") == ["2"]
    assert ids(status=["success", "running"]) == ["4", "3", "1"]
    assert ids(triggered_by="schedule") == ["3"] == ids(trigger="schedule")
    assert ids(since="2026-01-02T00:00:00Z", until="2026-01-04T00:00:00Z") == ["3", "2"]
    assert ids(model_id="m" * 32) == ["4", "3", "2", "1"]
    page = client.get("/api/executions", params={"limit": 3}, headers=viewer).json()
    assert page["total"] == 4 and page["next_cursor"]
    rest = client.get("/api/executions", params={"limit": 3, "cursor": page["next_cursor"]}, headers=viewer).json()
    assert [e["id"][-1] for e in rest["items"]] == ["1"]
    bad = client.get("/api/executions", params={"status": "exploded"}, headers=viewer)
    assert bad.status_code == 422


def test_finished_executions_read_without_airflow(client, as_role, stored):
    viewer = as_role("viewer")
    done = client.get(f"/api/executions/{stored[0]['_id']}", headers=viewer)
    assert done.status_code == 200
    assert done.json()["tasks"] == [
        {
            "task_id": "batch_scoring",
            "state": "success",
            "try_number": 1,
            "start_date": None,
            "end_date": None,
            "duration": None,
        }
    ]
    assert done.json()["duration_s"] == 3.5
    running = client.get(f"/api/executions/{stored[3]['_id']}", headers=viewer)
    assert running.status_code == 200 and running.json()["status"] == "running"  # the record, Airflow being down
    assert client.get(f"/api/executions/{'0' * 32}", headers=viewer).status_code == 404

    logs = client.get(f"/api/executions/{stored[0]['_id']}/logs", headers=viewer)
    assert logs.status_code == 503 and logs.json()["error"]["details"]["component"] == "orchestrator"


def test_results_are_listed_and_downloaded(client, as_role, stored):
    viewer = as_role("viewer")
    objects = client.app.state.context.objects
    prefix = f"executions/{stored[0]['_id']}/results/"
    data = b"id,prediction\n" + b"".join(b"row-%d,1\n" % i for i in range(100))
    objects.put_bytes(prefix + "predictions.csv", data, content_type="text/csv")
    objects.put_bytes(prefix + "plots/roc.png", b"\x89PNG fake", content_type="image/png")
    objects.put_bytes(f"executions/{stored[1]['_id']}/results/other.csv", b"x")

    listed = client.get(f"/api/executions/{stored[0]['_id']}/results", headers=viewer)
    assert listed.status_code == 200
    assert {(r["name"], r["size"]) for r in listed.json()} == {("predictions.csv", len(data)), ("plots/roc.png", 9)}
    whole = client.get(f"/api/executions/{stored[0]['_id']}/results/predictions.csv", headers=viewer)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"].startswith("text/csv")
    assert 'filename="predictions.csv"' in whole.headers["content-disposition"]
    part = client.get(
        f"/api/executions/{stored[0]['_id']}/results/predictions.csv", headers={**viewer, "Range": "bytes=0-12"}
    )
    assert part.status_code == 206 and part.content == data[:13]
    nested = client.get(f"/api/executions/{stored[0]['_id']}/results/plots/roc.png", headers=viewer)
    assert nested.content == b"\x89PNG fake"
    for name in ("missing.csv", "..%2F..%2Fother.csv"):
        assert client.get(f"/api/executions/{stored[0]['_id']}/results/{name}", headers=viewer).status_code in (
            400,
            404,
        )
    assert client.get(f"/api/executions/{stored[0]['_id']}/results", headers={}).status_code == 401


def test_who_may_cancel(client, as_role, tokens, stored):
    context = client.app.state.context
    business_id = context.identity.verifier.verify(tokens["business_user"]).subject
    mine = execution(5, status="running", ended_at=None, triggered_by_id=business_id, tasks=None)
    context.executions.insert(mine)
    others = stored[3]  # running, started by someone else

    assert client.post(f"/api/executions/{others['_id']}/cancel", headers=as_role("viewer")).status_code == 403
    refused = client.post(f"/api/executions/{others['_id']}/cancel", headers=as_role("business_user"))
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["required_permission"] == "cancel_any_execution"
    # allowed, but Airflow is down: 503 and nothing changes
    for role, doc in (("business_user", mine), ("admin", others)):
        response = client.post(f"/api/executions/{doc['_id']}/cancel", headers=as_role(role))
        assert response.status_code == 503, response.text
        assert context.executions.get(doc["_id"])["status"] == "running"
    finished = client.post(f"/api/executions/{stored[0]['_id']}/cancel", headers=as_role("admin"))
    assert finished.status_code == 409


def test_only_the_service_account_claims_and_reports(client, as_role, stored):
    claim = {"deployment_id": DEPLOYMENT, "dag_id": f"mh_{DEPLOYMENT}", "run_id": stored[3]["run_id"]}
    for role in ("admin", "data_scientist"):
        response = client.post(f"/api/executions/{stored[3]['_id']}/claim", json=claim, headers=as_role(role))
        assert response.status_code == 403 and "service account" in response.json()["error"]["message"]
        report = client.post(
            f"/api/executions/{stored[3]['_id']}/report", json={"outcome": "success"}, headers=as_role(role)
        )
        assert report.status_code == 403
    assert (
        client.post(f"/api/executions/{stored[3]['_id']}/claim", json=claim, headers=as_role("business_user"))
    ).status_code == 403

    context = client.app.state.context
    token = client.post(
        "/api/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "modelhub-pipelines",
            "client_secret": context.identity.service_secret,
        },
    ).json()["access_token"]
    service = {"Authorization": f"Bearer {token}"}
    # a run ModelHub has not seen yet is checked with Airflow first: down here
    unknown = scheduled_execution_id(f"mh_{DEPLOYMENT}", "scheduled__2026-01-09T00:00:00+00:00")
    adopt = client.post(
        f"/api/executions/{unknown}/claim",
        json={**claim, "run_id": "scheduled__2026-01-09T00:00:00+00:00"},
        headers=service,
    )
    assert adopt.status_code == 503
    # a known one whose deployment is gone cannot start
    gone = client.post(f"/api/executions/{stored[3]['_id']}/claim", json=claim, headers=service)
    assert gone.status_code == 409 and "deleted" in gone.json()["error"]["message"]
    reported = client.post(
        f"/api/executions/{stored[3]['_id']}/report",
        json={"outcome": "success", "rows": 3, "results": [{"name": "predictions.csv", "rows": 3}]},
        headers=service,
    )
    assert reported.status_code == 200, reported.text
    assert reported.json()["rows"] == 3 and reported.json()["results"][0]["name"] == "predictions.csv"
    audit = context.audit.search(entity_id=stored[3]["_id"]).items
    assert [e["action"] for e in audit] == ["execution.report"] and audit[0]["actor"].startswith("service-account")
    assert iso() > audit[0]["at"]
