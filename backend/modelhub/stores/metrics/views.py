"""Reporting views over `metric_points`, the one write path: what Grafana, Superset and the API read.

`metric_points(time, series, labels, value)` keeps writers simple (one insert for any series); readers
want columns. Each view below selects one family of series and flattens the agreed label keys
(/tmp coordination file, docs/dashboards.md) into text columns, so a dashboard writes
`WHERE department IN (…)` instead of JSON operators. Daily views pre-group the busiest charts: plain
views on SQLite and PostgreSQL, TimescaleDB continuous aggregates (same names and columns) when the
extension is installed, refreshed by a policy and read in real time (`materialized_only = false`).

Time columns are the table's own: `timestamptz` on PostgreSQL, Unix epoch seconds (REAL) on SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import DBAPIError

log = structlog.get_logger()

# Bumped when a view's columns change: PostgreSQL's CREATE OR REPLACE VIEW cannot drop or rename columns.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class View:
    name: str
    series: tuple[str, ...]
    labels: tuple[str, ...]
    # output column -> series whose value it carries (None: every selected series)
    values: tuple[tuple[str, str | None], ...]


VIEWS = (
    View(
        "v_executions",
        ("execution.duration_s",),
        (
            "execution_id",
            "deployment_id",
            "deployment_name",
            "kind",
            "model_id",
            "model_name",
            "department",
            "status",
            "triggered_by",
        ),
        (("duration_s", None),),
    ),
    View(
        "v_task_durations",
        ("task.duration_s",),
        ("execution_id", "deployment_id", "kind", "task", "status"),
        (("duration_s", None),),
    ),
    View(
        "v_job_steps",
        ("job.rows", "job.step_duration_s"),
        ("execution_id", "deployment_id", "kind", "step"),
        (("rows", "job.rows"), ("duration_s", "job.step_duration_s")),
    ),
    View(
        "v_model_quality",
        ("model.metric",),
        (
            "model_id",
            "model_name",
            "department",
            "geography",
            "version",
            "metric",
            "split",
            "execution_id",
            "dataset_id",
        ),
        (("value", None),),
    ),
    View(
        "v_predictions",
        ("prediction.count", "prediction.latency_ms"),
        ("model_id", "model_name", "department", "version", "caller", "source"),
        (("predictions", "prediction.count"), ("latency_ms", "prediction.latency_ms")),
    ),
    View(
        "v_drift",
        ("drift.statistic",),
        ("model_id", "model_name", "department", "version", "deployment_id", "feature", "test", "drifted"),
        (("statistic", None),),
    ),
)


@dataclass(frozen=True)
class DailyView:
    name: str
    series: tuple[str, ...]
    labels: tuple[str, ...]
    # output column -> SQL aggregate over `value` ({v}) / labels ({label:key})
    aggregates: tuple[tuple[str, str], ...]


def _when(series: str, then: str) -> str:
    return f"CASE WHEN series = '{series}' THEN {then} END"


DAILY_VIEWS = (
    DailyView(
        "v_executions_daily",
        ("execution.duration_s",),
        ("kind", "model_id", "model_name", "department", "status"),
        (
            ("executions", "count(*)"),
            ("total_duration_s", "sum(value)"),
            ("avg_duration_s", "avg(value)"),
            ("max_duration_s", "max(value)"),
        ),
    ),
    DailyView(
        "v_predictions_daily",
        ("prediction.count", "prediction.latency_ms"),
        ("model_id", "model_name", "department", "version", "source"),
        (
            ("predictions", f"sum({_when('prediction.count', 'value')})"),
            ("avg_latency_ms", f"avg({_when('prediction.latency_ms', 'value')})"),
            ("max_latency_ms", f"max({_when('prediction.latency_ms', 'value')})"),
        ),
    ),
    DailyView(
        "v_model_quality_daily",
        ("model.metric",),
        ("model_id", "model_name", "department", "geography", "version", "metric", "split"),
        (("value", "avg(value)"), ("evaluations", "count(*)")),
    ),
    DailyView(
        "v_drift_daily",
        ("drift.statistic",),
        ("model_id", "model_name", "department", "feature", "test"),
        (
            ("tests", "count(*)"),
            ("drifted", "sum(CASE WHEN {label:drifted} = 'true' THEN 1 ELSE 0 END)"),
            ("max_statistic", "max(value)"),
        ),
    ),
)

# Filters every dashboard uses: expression indexes (PostgreSQL) so `labels->>'…' = …` per series is an
# index scan. Not on SQLite: the embedded store is small, and each index costs every insert a JSON parse.
INDEXED_LABELS = ("model_id", "model_name", "department")


def label(dialect: str, key: str) -> str:
    if dialect == "postgresql":
        return f"(labels ->> '{key}')"
    return f"json_extract(labels, '$.{key}')"


def _series_filter(series: tuple[str, ...]) -> str:
    return "series IN (" + ", ".join(f"'{s}'" for s in series) + ")"


def view_sql(view: View, dialect: str) -> str:
    columns = ["time"] + [f"{label(dialect, key)} AS {key}" for key in view.labels]
    for column, series in view.values:
        columns.append(f"value AS {column}" if series is None else f"{_when(series, 'value')} AS {column}")
    return f"SELECT {', '.join(columns)} FROM metric_points WHERE {_series_filter(view.series)}"


def daily_sql(view: DailyView, dialect: str, timescaledb: bool = False) -> str:
    if dialect == "postgresql":
        day = "time_bucket(INTERVAL '1 day', time)" if timescaledb else "date_trunc('day', time, 'UTC')"
    else:
        day = "CAST(CAST(time / 86400 AS INTEGER) * 86400 AS REAL)"
    labels = [f"{label(dialect, key)} AS {key}" for key in view.labels]
    aggregates = []
    for column, expression in view.aggregates:
        for key in ("drifted",):
            expression = expression.replace("{label:" + key + "}", label(dialect, key))
        aggregates.append(f"{expression} AS {column}")
    # By expression, not ordinal: TimescaleDB's continuous aggregates want the grouped expressions.
    group = ", ".join([day, *(label(dialect, key) for key in view.labels)])
    return (
        f"SELECT {day} AS day, {', '.join(labels)}, {', '.join(aggregates)} "
        f"FROM metric_points WHERE {_series_filter(view.series)} GROUP BY {group}"
    )


def install(conn: sa.Connection, dialect: str, timescaledb: bool) -> None:
    """Create (or bring up to date) the indexes and reporting views; idempotent, one transaction."""
    run = lambda sql: conn.execute(sa.text(sql))  # noqa: E731
    if dialect == "postgresql":
        # Several app workers may start together: one of them at a time changes the schema.
        run("SELECT pg_advisory_xact_lock(7405113021)")
        run("CREATE TABLE IF NOT EXISTS metric_schema (version integer NOT NULL)")
        current = conn.execute(sa.text("SELECT max(version) FROM metric_schema")).scalar()
        if current == SCHEMA_VERSION:
            return
        for key in INDEXED_LABELS:
            run(
                f"CREATE INDEX IF NOT EXISTS ix_metric_points_{key} ON metric_points "
                f"(series, {label(dialect, key)}, time)"
            )
        for view in (*DAILY_VIEWS, *VIEWS):
            _drop(conn, view.name)
        for view in VIEWS:
            run(f"CREATE VIEW {view.name} AS {view_sql(view, dialect)}")
        for view in DAILY_VIEWS:
            if timescaledb and _continuous_aggregate(conn, view):
                continue
            run(f"CREATE VIEW {view.name} AS {daily_sql(view, dialect)}")
        run("DELETE FROM metric_schema")
        run(f"INSERT INTO metric_schema (version) VALUES ({SCHEMA_VERSION})")
        return
    for view in (*VIEWS, *DAILY_VIEWS):
        run(f"DROP VIEW IF EXISTS {view.name}")
        sql = view_sql(view, dialect) if isinstance(view, View) else daily_sql(view, dialect)
        run(f"CREATE VIEW {view.name} AS {sql}")


def _continuous_aggregate(conn: sa.Connection, view: DailyView) -> bool:
    """The daily view as a TimescaleDB continuous aggregate, refreshed every 30 minutes and read in
    real time. In a savepoint: should this TimescaleDB refuse the definition (not testable on the
    machines this was written on), the caller falls back to the plain view and the store still works."""
    try:
        with conn.begin_nested():
            conn.execute(
                sa.text(
                    f"CREATE MATERIALIZED VIEW {view.name} WITH (timescaledb.continuous, "
                    f"timescaledb.materialized_only = false) AS {daily_sql(view, 'postgresql', True)} WITH NO DATA"
                )
            )
            conn.execute(
                sa.text(
                    f"SELECT add_continuous_aggregate_policy('{view.name}', start_offset => NULL, "
                    "end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes', "
                    "if_not_exists => TRUE)"
                )
            )
    except DBAPIError as exc:
        log.warning("continuous aggregate refused; using a plain view", view=view.name, error=str(exc.orig))
        return False
    return True


def _drop(conn: sa.Connection, name: str) -> None:
    kind = conn.execute(
        sa.text("SELECT relkind FROM pg_class WHERE relname = :name AND relnamespace = current_schema()::regnamespace"),
        {"name": name},
    ).scalar()
    if kind == "v":
        conn.execute(sa.text(f"DROP VIEW {name}"))
    elif kind == "m":
        conn.execute(sa.text(f"DROP MATERIALIZED VIEW {name}"))
