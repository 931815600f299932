"""Time-series points (time, series, labels, value) with time-bucketed, label-filtered queries.

One SQLAlchemy Core implementation serves SQLite and PostgreSQL; on PostgreSQL the table
becomes a TimescaleDB hypertable when the extension is installed, and stays a plain indexed
table otherwise. Buckets are aligned on the Unix epoch in both, so both answer alike. The reporting
views Grafana and Superset read are made with the table (views.py).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from modelhub.errors import BadRequest, DependencyUnavailable
from modelhub.stores.metrics import views

AGGREGATES = {
    "avg": sa.func.avg,
    "sum": sa.func.sum,
    "min": sa.func.min,
    "max": sa.func.max,
    "count": sa.func.count,
}


class Timestamp(sa.types.TypeDecorator):
    """timestamptz on PostgreSQL; epoch seconds (REAL) on SQLite, where arithmetic bucketing is simple."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Float())
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp() if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData()
points = sa.Table(
    "metric_points",
    metadata,
    sa.Column("time", Timestamp(), nullable=False),
    sa.Column("series", sa.String(200), nullable=False),
    sa.Column("labels", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    sa.Column("value", sa.Float(), nullable=False),
    sa.Index("ix_metric_points_series_time", "series", "time"),
)


@dataclass(frozen=True)
class MetricPoint:
    series: str
    value: float
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeriesPoint:
    time: datetime
    value: float
    labels: dict[str, Any]


class MetricsStore:
    component = "metrics"

    def __init__(self, uri: str, timeout_s: float = 3.0):
        url = sa.engine.make_url(uri)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        connect_args: dict[str, Any] = {}
        if url.get_backend_name() == "postgresql":
            connect_args = {
                "connect_timeout": max(1, int(timeout_s)),
                "options": f"-c statement_timeout={int(timeout_s * 1000)}",
            }
        elif url.database and url.database != ":memory:":
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            connect_args = {"timeout": timeout_s}
        self.engine = sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        self.dialect = self.engine.dialect.name
        self.timescaledb = False
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def _call(self, work):
        try:
            self._ensure_schema()
            return work()
        except (OperationalError, DBAPIError) as exc:
            raise DependencyUnavailable(self.component, f"metrics store unavailable: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise DependencyUnavailable(self.component, f"metrics store error: {exc}") from exc

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._schema_lock, self.engine.begin() as conn:
            if self._schema_ready:
                return
            if self.dialect == "postgresql":
                self.timescaledb = (
                    conn.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).first()
                    is not None
                )
                if self.timescaledb:
                    conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
            metadata.create_all(conn)
            if self.dialect == "postgresql":
                conn.execute(
                    sa.text("CREATE INDEX IF NOT EXISTS ix_metric_points_labels ON metric_points USING gin (labels)")
                )
                if self.timescaledb:
                    conn.execute(
                        sa.text(
                            "SELECT create_hypertable('metric_points', 'time', if_not_exists => TRUE, "
                            "migrate_data => TRUE)"
                        )
                    )
            views.install(conn, self.dialect, self.timescaledb)
            self._schema_ready = True

    def write(self, batch: Sequence[MetricPoint]) -> int:
        if not batch:
            return 0
        rows = [{"time": p.time, "series": p.series, "labels": dict(p.labels), "value": float(p.value)} for p in batch]

        def work():
            with self.engine.begin() as conn:
                conn.execute(points.insert(), rows)
            return len(rows)

        return self._call(work)

    def _bucket(self, seconds: int):
        if self.dialect == "sqlite":
            epoch = sa.type_coerce(points.c.time, sa.Float)
            return sa.cast(sa.cast(epoch / seconds, sa.Integer) * seconds, sa.Float)
        return sa.func.date_bin(
            sa.text(f"interval '{int(seconds)} seconds'"),
            points.c.time,
            sa.literal(datetime(1970, 1, 1, tzinfo=UTC), sa.DateTime(timezone=True)),
        )

    def query(
        self,
        series: str,
        start: datetime,
        end: datetime,
        bucket_s: int | None = None,
        agg: str = "avg",
        labels: Mapping[str, str] | None = None,
        group_by: Sequence[str] = (),
    ) -> list[SeriesPoint]:
        """Points of one series in [start, end), optionally bucketed and aggregated per label group."""
        if agg not in AGGREGATES:
            raise BadRequest(f"agg must be one of {', '.join(AGGREGATES)}", details={"field": "agg"})
        if bucket_s is not None and bucket_s <= 0:
            raise BadRequest("bucket must be a positive number of seconds", details={"field": "bucket"})
        conditions = [points.c.series == series, points.c.time >= start, points.c.time < end]
        for key, value in (labels or {}).items():
            conditions.append(points.c.labels[key].as_string() == str(value))
        group_columns = [points.c.labels[key].as_string().label(f"label_{i}") for i, key in enumerate(group_by)]
        if bucket_s is None:
            time_column = points.c.time.label("at")
            value_column = points.c.value.label("v")
            statement = sa.select(time_column, value_column, *group_columns).where(*conditions).order_by(points.c.time)
        else:
            bucket = self._bucket(bucket_s).label("at")
            value_column = AGGREGATES[agg](points.c.value).label("v")
            statement = (
                sa.select(bucket, value_column, *group_columns)
                .where(*conditions)
                # by output names: PostgreSQL would see each re-rendered expression as a new one
                .group_by(*(sa.literal_column(c.name) for c in (bucket, *group_columns)))
                .order_by(*(sa.literal_column(c.name) for c in (bucket, *group_columns)))
            )

        def work():
            with self.engine.connect() as conn:
                return conn.execute(statement).all()

        result = []
        for row in self._call(work):
            moment = row.at
            if isinstance(moment, int | float):
                moment = datetime.fromtimestamp(moment, UTC)
            elif moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            group = {key: row[2 + i] for i, key in enumerate(group_by)}
            result.append(SeriesPoint(moment.astimezone(UTC), float(row.v), group))
        return result

    def ping(self) -> None:
        def work():
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))

        self._call(work)

    def close(self) -> None:
        self.engine.dispose()


def open_metrics_store(uri: str, timeout_s: float = 3.0) -> MetricsStore:
    if not uri.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
        raise ValueError(f"MODELHUB_METRICS_URI: unsupported scheme in {uri!r} (use sqlite:/// or postgresql://)")
    return MetricsStore(uri, timeout_s=timeout_s)
