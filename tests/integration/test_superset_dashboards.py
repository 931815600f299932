"""ModelHub's Superset bundle, imported into a real Superset 6 (own venv, SQLite metadata) with
`superset import-dashboards` through superset/import_bundle.py, connected to the test run's
PostgreSQL holding demo history: every chart's data query answers rows through Superset's REST API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from modelhub.dashboards.demo_history import write_demo_history
from modelhub.stores.metrics import open_metrics_store
from tests.conftest import RUN_DIR, unique_name
from tests.harness.base import REPO_ROOT

pytestmark = pytest.mark.servers

BUNDLE = REPO_ROOT / "superset" / "bundle"
MODELS = [
    {"id": f"{i:032x}", "name": name, "department": department, "geography": "EU", "task_type": task, "versions": 2}
    for i, (name, department, task) in enumerate(
        [("churn", "marketing", "classification"), ("demand", "supply_chain", "regression"), ("attrition", "hr", "x")]
    )
]


def bundle_docs(folder: str) -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted((BUNDLE / folder).rglob("*.yaml"))]


@pytest.fixture(scope="module")
def superset(request, postgres):
    from tests.harness.superset import SupersetServer

    dsn = postgres.dsn_for(postgres.create_database(unique_name("superset_")))
    store = open_metrics_store(dsn)
    write_demo_history(store, MODELS, months=2, now=datetime.now(UTC))
    store.close()
    server = SupersetServer(RUN_DIR / "superset")
    server.start()
    request.addfinalizer(server.stop)
    server.import_bundle(dsn)
    server.metrics_dsn = dsn
    return server


def test_bundle_files_are_consistent():
    datasets = {d["uuid"]: d for d in bundle_docs("datasets")}
    [database] = bundle_docs("databases")
    assert all(d["database_uuid"] == database["uuid"] for d in datasets.values())
    charts = bundle_docs("charts")
    assert charts and all(c["dataset_uuid"] in datasets and c["query_context"] for c in charts)
    [dashboard] = bundle_docs("dashboards")
    placed = {
        v["meta"]["uuid"] for v in dashboard["position"].values() if isinstance(v, dict) and v.get("type") == "CHART"
    }
    assert placed == {c["uuid"] for c in charts}
    assert "@" in database["sqlalchemy_uri"] and ":" not in database["sqlalchemy_uri"].split("//")[1].split("@")[0]


def test_every_chart_returns_rows(superset):
    charts = superset.api("GET", "/api/v1/chart/", params={"q": "(page_size:100)"})
    assert charts.status_code == 200, charts.text
    by_name = {c["slice_name"]: c["id"] for c in charts.json()["result"]}
    assert set(by_name) == {c["slice_name"] for c in bundle_docs("charts")}
    for name, chart_id in sorted(by_name.items()):
        response = superset.api("GET", f"/api/v1/chart/{chart_id}/data/")
        assert response.status_code == 200, f"{name}: {response.status_code} {response.text[:2000]}"
        [result] = response.json()["result"]
        assert result.get("error") is None, f"{name}: {result.get('error')}"
        assert result["rowcount"] > 0 and result["data"], f"{name}: no rows\n{result.get('query')}"


def test_dashboard_holds_every_chart_and_the_database_points_at_the_metrics_store(superset, postgres):
    dashboard = superset.api("GET", "/api/v1/dashboard/modelhub")
    assert dashboard.status_code == 200, dashboard.text
    assert dashboard.json()["result"]["dashboard_title"] == "ModelHub reports"
    charts = superset.api("GET", "/api/v1/dashboard/modelhub/charts").json()["result"]
    assert len(charts) == len(bundle_docs("charts"))
    databases = superset.api("GET", "/api/v1/database/").json()["result"]
    [metrics] = [d for d in databases if d["database_name"] == "ModelHub metrics"]
    detail = superset.api("GET", f"/api/v1/database/{metrics['id']}/connection").json()["result"]
    assert f"127.0.0.1:{postgres.port}" in detail["sqlalchemy_uri"]
    assert postgres.password not in detail["sqlalchemy_uri"]  # Superset keeps the password apart


def test_reimport_is_idempotent(superset):
    """Re-running the import script (e.g. after a password change) adds nothing and keeps charts working."""
    before = superset.api("GET", "/api/v1/chart/", params={"q": "(page_size:100)"}).json()
    superset.import_bundle(superset.metrics_dsn)
    after = superset.api("GET", "/api/v1/chart/", params={"q": "(page_size:100)"}).json()
    assert after["count"] == before["count"]
    chart_id = after["result"][0]["id"]
    assert superset.api("GET", f"/api/v1/chart/{chart_id}/data/").json()["result"][0]["rowcount"] > 0
