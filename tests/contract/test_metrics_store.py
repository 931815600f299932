"""One contract for every metrics backend (SQLite and a real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from modelhub.errors import BadRequest
from modelhub.stores.metrics import MetricPoint

pytestmark = pytest.mark.servers

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def latency(metrics_store):
    batch = [
        MetricPoint(
            "prediction_latency_ms",
            float(i),
            T0 + timedelta(minutes=10 * i),
            {"model": "churn" if i % 2 else "forecast", "department": "sales"},
        )
        for i in range(36)  # six hours, one point every ten minutes
    ]
    assert metrics_store.write(batch) == 36
    metrics_store.write([MetricPoint("executions", 1.0, T0, {"status": "success"})])
    return metrics_store


def test_raw_points_in_range(latency):
    rows = latency.query("prediction_latency_ms", T0, T0 + timedelta(hours=1))
    assert [r.value for r in rows] == [0, 1, 2, 3, 4, 5]
    assert rows[0].time == T0 and rows[0].time.tzinfo is not None


def test_hourly_buckets_with_aggregates(latency):
    end = T0 + timedelta(hours=6)
    avg = latency.query("prediction_latency_ms", T0, end, bucket_s=3600, agg="avg")
    assert [r.time for r in avg] == [T0 + timedelta(hours=h) for h in range(6)]
    assert [r.value for r in avg] == [2.5, 8.5, 14.5, 20.5, 26.5, 32.5]
    assert [r.value for r in latency.query("prediction_latency_ms", T0, end, 3600, "count")] == [6] * 6
    assert latency.query("prediction_latency_ms", T0, end, 7200, "max")[0].value == 11
    assert latency.query("prediction_latency_ms", T0, end, 86400, "sum")[0].value == sum(range(36))


def test_label_filter_and_group_by(latency):
    end = T0 + timedelta(hours=2)
    churn = latency.query("prediction_latency_ms", T0, end, labels={"model": "churn"})
    assert [r.value for r in churn] == [1, 3, 5, 7, 9, 11]
    grouped = latency.query("prediction_latency_ms", T0, end, 3600, "count", group_by=["model"])
    assert [(r.time.hour, r.labels["model"], r.value) for r in grouped] == [
        (0, "churn", 3),
        (0, "forecast", 3),
        (1, "churn", 3),
        (1, "forecast", 3),
    ]
    assert latency.query("prediction_latency_ms", T0, end, labels={"model": "nope"}) == []


def test_series_are_separate(latency):
    rows = latency.query("executions", T0 - timedelta(days=1), T0 + timedelta(days=1), 86400, "count")
    assert [r.value for r in rows] == [1]


def test_bad_arguments(latency):
    with pytest.raises(BadRequest):
        latency.query("prediction_latency_ms", T0, T0 + timedelta(hours=1), 3600, "median")
    with pytest.raises(BadRequest):
        latency.query("prediction_latency_ms", T0, T0 + timedelta(hours=1), 0)


def test_naive_times_are_utc(metrics_store):
    metrics_store.write([MetricPoint("naive", 1.0, datetime(2026, 3, 1, 12, 0))])
    rows = metrics_store.query("naive", T0, T0 + timedelta(days=1))
    assert rows[0].time == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
