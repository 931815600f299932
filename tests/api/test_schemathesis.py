"""Property-based run over the whole OpenAPI description: no generated request may cause a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from modelhub.app import create_app
from modelhub.config import Settings
from modelhub.context import AppContext


@pytest.fixture(scope="module")
def app_context(tmp_path_factory) -> AppContext:
    data_dir = tmp_path_factory.mktemp("schemathesis")
    app_settings = Settings(
        _env_file=None,
        data_dir=data_dir,
        dags_dir=data_dir / "dags",
        airflow_url="http://127.0.0.1:9",  # no Airflow: its routes must still never answer 5xx but 503
        orchestrator_sync_interval_s=0,
        dag_visible_wait_s=0,
    )
    context = AppContext.from_settings(app_settings)
    context.identity.seed_demo_users()
    return context


@pytest.fixture(scope="module")
def api_schema(app_context):
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(context=app_context))


@pytest.fixture(scope="module")
def admin_headers(app_context) -> dict[str, str]:
    user = app_context.identity.users.authenticate("admin", "admin123")
    token = app_context.identity.issuer.issue(user["id"], "admin", ["admin"])["access_token"]
    return {"Authorization": f"Bearer {token}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])
