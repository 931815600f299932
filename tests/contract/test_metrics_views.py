"""The reporting views over metric_points (what Grafana and Superset read), on SQLite and PostgreSQL:
labels flattened into columns, daily views grouping alike on both, and the schema step idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from modelhub.stores.metrics import MetricPoint, open_metrics_store
from modelhub.stores.metrics.views import DAILY_VIEWS, VIEWS

pytestmark = pytest.mark.servers

DAY1 = datetime(2026, 3, 1, tzinfo=UTC)


def execution(hours: float, status: str, seconds: float, department: str = "sales") -> MetricPoint:
    return MetricPoint(
        "execution.duration_s",
        seconds,
        DAY1 + timedelta(hours=hours),
        {
            "execution_id": f"e{hours}",
            "deployment_id": "d1",
            "deployment_name": "churn scoring",
            "kind": "batch_scoring",
            "model_id": "m1",
            "model_name": "churn",
            "department": department,
            "status": status,
            "triggered_by": "schedule",
        },
    )


@pytest.fixture
def store(metrics_store):
    labels = {"model_id": "m1", "model_name": "churn", "department": "sales", "version": "2", "source": "online"}
    metrics_store.write(
        [
            execution(1, "success", 10),
            execution(2, "success", 20),
            execution(3, "failed", 5),
            execution(25, "success", 30),  # the next day
            MetricPoint("prediction.count", 100, DAY1 + timedelta(hours=1), {**labels, "caller": "crm"}),
            MetricPoint("prediction.count", 50, DAY1 + timedelta(hours=2), {**labels, "caller": "crm"}),
            MetricPoint("prediction.latency_ms", 12, DAY1 + timedelta(hours=1), {**labels, "caller": "crm"}),
            MetricPoint("prediction.latency_ms", 18, DAY1 + timedelta(hours=2), {**labels, "caller": "crm"}),
            MetricPoint(
                "drift.statistic",
                0.3,
                DAY1 + timedelta(hours=6),
                {**labels, "deployment_id": "d2", "feature": "age", "test": "psi", "drifted": "true"},
            ),
            MetricPoint(
                "drift.statistic",
                0.01,
                DAY1 + timedelta(hours=6),
                {**labels, "deployment_id": "d2", "feature": "income", "test": "ks", "drifted": "false"},
            ),
        ]
    )
    return metrics_store


def rows(store, sql: str) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql)).mappings()]


def columns(store, view: str) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.text(f"SELECT * FROM {view} LIMIT 0")).keys())


def test_every_view_exists_with_its_columns(store):
    for view in VIEWS:
        assert columns(store, view.name) == ["time", *view.labels, *(c for c, _ in view.values)]
    for view in DAILY_VIEWS:
        assert columns(store, view.name) == ["day", *view.labels, *(c for c, _ in view.aggregates)]


def test_labels_become_columns(store):
    executions = rows(store, "SELECT status, department, duration_s FROM v_executions ORDER BY time")
    assert [(r["status"], r["department"], r["duration_s"]) for r in executions] == [
        ("success", "sales", 10),
        ("success", "sales", 20),
        ("failed", "sales", 5),
        ("success", "sales", 30),
    ]
    predictions = rows(store, "SELECT sum(predictions) AS n, avg(latency_ms) AS ms FROM v_predictions")
    assert predictions == [{"n": 150, "ms": 15}]
    drift = rows(store, "SELECT feature, drifted, statistic FROM v_drift WHERE drifted = 'true'")
    assert drift == [{"feature": "age", "drifted": "true", "statistic": 0.3}]


def test_daily_views_group_by_day(store):
    daily = rows(
        store,
        "SELECT status, executions, total_duration_s, max_duration_s FROM v_executions_daily ORDER BY day, status",
    )
    assert daily == [
        {"status": "failed", "executions": 1, "total_duration_s": 5, "max_duration_s": 5},
        {"status": "success", "executions": 2, "total_duration_s": 30, "max_duration_s": 20},
        {"status": "success", "executions": 1, "total_duration_s": 30, "max_duration_s": 30},
    ]
    [predictions] = rows(store, "SELECT predictions, avg_latency_ms, max_latency_ms FROM v_predictions_daily")
    assert predictions == {"predictions": 150, "avg_latency_ms": 15, "max_latency_ms": 18}
    [drift] = rows(store, "SELECT sum(tests) AS tests, sum(drifted) AS drifted FROM v_drift_daily")
    assert drift == {"tests": 2, "drifted": 1}
    days = {r["day"] for r in rows(store, "SELECT day FROM v_executions_daily")}
    start = DAY1.timestamp() if store.dialect == "sqlite" else DAY1
    assert days == (
        {start, start + 86400} if store.dialect == "sqlite" else {DAY1, DAY1 + timedelta(days=1)}
    )  # midnight UTC


def test_schema_setup_is_idempotent_and_keeps_data(store):
    again = open_metrics_store(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        again.write([execution(4, "cancelled", 2)])
        assert len(rows(again, "SELECT * FROM v_executions")) == 5
    finally:
        again.close()


def test_dashboard_filters_are_indexed(store):
    if store.dialect == "postgresql":
        sql = "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'metric_points'"
        expected = {"ix_metric_points_department", "ix_metric_points_model_name", "ix_metric_points_model_id"}
        expected.add("ix_metric_points_labels")  # GIN, for containment (labels @> ...) filters
    else:  # the embedded store: series and time only (label indexes would slow every insert)
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metric_points'"
        expected = {"ix_metric_points_series_time"}
    assert expected <= {r["name"] for r in rows(store, sql)}


def test_timescaledb_daily_queries_match_the_plain_ones(postgres):
    """TimescaleDB is not installable here: its continuous aggregates' SELECTs run against a stand-in
    time_bucket() on plain PostgreSQL and must answer as the plain daily views do."""
    from modelhub.stores.metrics.views import daily_sql
    from tests.conftest import unique_name

    store = open_metrics_store(postgres.dsn_for(postgres.create_database(unique_name("timescale_"))))
    try:
        store.write([execution(1, "success", 10), execution(3, "failed", 5), execution(25, "success", 30)])
        with store.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "CREATE FUNCTION time_bucket(width interval, ts timestamptz) RETURNS timestamptz "
                    "LANGUAGE sql IMMUTABLE AS $$ SELECT date_bin(width, ts, TIMESTAMPTZ '1970-01-01 00:00:00+00') $$"
                )
            )
        for view in DAILY_VIEWS:
            timescale = rows(store, f"SELECT * FROM ({daily_sql(view, 'postgresql', True)}) q ORDER BY 1, 2, 3, 4")
            plain = rows(store, f"SELECT * FROM {view.name} ORDER BY 1, 2, 3, 4")
            assert timescale == plain, view.name
    finally:
        store.close()


def test_a_refused_continuous_aggregate_falls_back_to_the_plain_view(postgres):
    """Should a TimescaleDB refuse a continuous aggregate, the schema step still completes (here the
    extension is absent, so every one is refused) and the daily views answer."""
    from modelhub.stores.metrics import views
    from tests.conftest import unique_name

    store = open_metrics_store(postgres.dsn_for(postgres.create_database(unique_name("fallback_"))))
    try:
        store.write([execution(1, "success", 10)])
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM metric_schema"))  # as if the schema were older
            views.install(conn, "postgresql", timescaledb=True)
        assert rows(store, "SELECT executions FROM v_executions_daily") == [{"executions": 1}]
        assert rows(store, "SELECT version FROM metric_schema") == [{"version": views.SCHEMA_VERSION}]
    finally:
        store.close()
