"""The prediction log: one row per answered request in the metrics store's `prediction_log`
table, plus `prediction.count` / `prediction.latency_ms` points, written off the request path.

A request only appends an event to a bounded in-memory queue (never blocks: a full queue drops the
event and counts it; no lock, no thread woken per request). A background thread drains it every
`serving_log_interval_s`, or as soon as `serving_log_batch` events wait, and writes one transaction
per batch. The worker that answered already hashed the body and encoded the sampled records and
predictions as JSON, so this process only inserts text. `close()` (the app's shutdown) drains
everything left.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import JSONB

from modelhub.errors import ModelHubError
from modelhub.stores.metrics import MetricsStore
from modelhub.stores.metrics.store import Timestamp
from modelhub.stores.metrics.store import points as metric_points

log = structlog.get_logger()


class EncodedJSON(sa.types.TypeDecorator):
    """A JSON column (JSONB on PostgreSQL) written from JSON text as is; read back as values."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else sa.JSON())

    def bind_processor(self, dialect):
        return None  # the text goes to the driver unchanged (psycopg binds it with a ::JSONB cast)


metadata = sa.MetaData()
prediction_log = sa.Table(
    "prediction_log",
    metadata,
    sa.Column("time", Timestamp(), nullable=False),
    sa.Column("model_id", sa.String(64), nullable=False),
    sa.Column("model_name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("caller", sa.String(200), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("latency_ms", sa.Float(), nullable=False),
    sa.Column("n_records", sa.Integer(), nullable=False),
    sa.Column("inputs_hash", sa.String(64), nullable=False),
    sa.Column("inputs", EncodedJSON, nullable=False),  # the first `serving_log_sample_records` records
    sa.Column("outputs", EncodedJSON, nullable=False),  # their predictions
    sa.Index("ix_prediction_log_model_time", "model_id", "time"),
)


@dataclass
class PredictionEvent:
    model_id: str
    model_name: str
    department: str
    version: int
    caller: str
    latency_ms: float
    n_records: int
    inputs_hash: str  # sha256 of the request body as sent
    inputs: str  # JSON: the first `serving_log_sample_records` records
    outputs: str  # JSON: their predictions
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    source: str = "online"


class PredictionLog:
    def __init__(self, store: MetricsStore, max_queue: int, batch: int, interval_s: float) -> None:
        self.store = store
        self.pending: deque[PredictionEvent] = deque()  # appends and pops are atomic: no lock per request
        self.max_queue = max_queue
        self.batch = batch
        self.interval_s = interval_s
        self.dropped = 0  # events refused by a full queue
        self.written = 0
        self.failed = 0  # events lost because the store refused a batch (after retries)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._schema_ready = False
        self._lock = threading.Lock()
        self._drain_lock = threading.Lock()

    # -- the request side ------------------------------------------------------------------------
    def submit(self, event: PredictionEvent) -> bool:
        if self._thread is None:
            self.start()
        if len(self.pending) >= self.max_queue:  # concurrent submitters may pass it by one each
            with self._lock:
                self.dropped += 1
            return False
        self.pending.append(event)
        if len(self.pending) == self.batch:
            self._wake.set()
        return True

    def stats(self) -> dict[str, int]:
        return {"queued": len(self.pending), "written": self.written, "dropped": self.dropped, "failed": self.failed}

    # -- the background side ---------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="modelhub-prediction-log", daemon=True)
                self._thread.start()

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop after writing every queued event (the app's clean shutdown)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._drain_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            self._drain_all()

    def _take(self) -> list[PredictionEvent]:
        # the one consumer (under the drain lock): the queue can only grow meanwhile
        return [self.pending.popleft() for _ in range(min(self.batch, len(self.pending)))]

    def _drain_all(self) -> None:
        with self._drain_lock:  # close() and the thread may both get here; one drains
            while events := self._take():
                self._write(events)

    def ensure_table(self) -> None:
        if not self._schema_ready:
            metadata.create_all(self.store.engine)
            self._schema_ready = True

    @staticmethod
    def _rows(events: list[PredictionEvent]) -> list[dict[str, Any]]:
        return [
            {
                "time": e.time,
                "model_id": e.model_id,
                "model_name": e.model_name,
                "version": e.version,
                "caller": e.caller,
                "source": e.source,
                "latency_ms": e.latency_ms,
                "n_records": e.n_records,
                "inputs_hash": e.inputs_hash,
                "inputs": e.inputs,
                "outputs": e.outputs,
            }
            for e in events
        ]

    @staticmethod
    def _points(events: list[PredictionEvent]) -> list[dict[str, Any]]:
        """One count and one mean latency per (model, version, caller) and flush."""
        groups: dict[tuple, list[PredictionEvent]] = defaultdict(list)
        for e in events:
            groups[(e.model_id, e.model_name, e.department, e.version, e.caller, e.source)].append(e)
        points = []
        for (model_id, name, department, version, caller, source), group in groups.items():
            labels = {
                "model_id": model_id,
                "model_name": name,
                "department": department,
                "version": str(version),
                "caller": caller,
                "source": source,
            }
            at = max(e.time for e in group)
            mean = sum(e.latency_ms for e in group) / len(group)
            for series, value in (
                ("prediction.count", sum(e.n_records for e in group)),
                ("prediction.latency_ms", mean),
            ):
                points.append({"time": at, "series": series, "labels": labels, "value": float(value)})
        return points

    def _write(self, events: list[PredictionEvent]) -> None:
        rows = self._rows(events)
        points = self._points(events)
        for attempt in range(3):
            try:
                self.store._ensure_schema()  # metric_points exists (the store creates it on first use)
                self.ensure_table()
                with self.store.engine.begin() as conn:  # rows and points in one transaction: no doubles on retry
                    conn.execute(prediction_log.insert(), rows)
                    conn.execute(metric_points.insert(), points)
                self.written += len(events)
                return
            except (sa.exc.SQLAlchemyError, ModelHubError) as exc:
                log.warning("prediction log write failed", error=str(exc)[:300], attempt=attempt + 1)
                time.sleep(0.2 * (attempt + 1))
        self.failed += len(events)


def recent_inputs(
    store: MetricsStore,
    model_id: str,
    version: int | None,
    since: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Logged requests, newest first (their sampled inputs and outputs)."""
    metadata.create_all(store.engine)
    conditions = [prediction_log.c.model_id == model_id]
    if version is not None:
        conditions.append(prediction_log.c.version == version)
    if since is not None:
        conditions.append(prediction_log.c.time >= since)
    statement = sa.select(prediction_log).where(*conditions).order_by(prediction_log.c.time.desc()).limit(limit)

    def work():
        with store.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]

    return store._call(work)
