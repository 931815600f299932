"""Reads over the metrics store for the web UI: one bucketed series, and the overview's summaries.

Everything goes through `MetricsStore.query` (the same SQL on SQLite and PostgreSQL), bucketed by day
at most, and grouped by a few labels: the answers stay small whatever the number of points.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from cachetools import TTLCache

from modelhub.context import AppContext
from modelhub.errors import BadRequest

SERIES_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
LABEL_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_BUCKETS = 5000
DAY = 86400
# Grafana dashboards shipped in grafana/dashboards/ (uid -> title) and the Superset dashboard's slug.
GRAFANA_DASHBOARDS = {
    "modelhub-overview": "Platform overview",
    "modelhub-quality": "Model quality",
    "modelhub-predictions": "Predictions",
    "modelhub-drift": "Drift",
}
SUPERSET_DASHBOARD = ("modelhub", "ModelHub reports")
# The overview is the home page of every user: the same few aggregate queries over weeks of points.
# Its answers are kept this long, per range and filters, and a range ending "now" ends at the next
# multiple of this period, so everyone opening the home page within it shares one computation.
OVERVIEW_TTL_S = 15


class OverviewCache:
    """Answers per (range, filters) for a period. When one expires, every home page open at that
    moment asks for the new one: one request computes it while the others wait for its answer,
    instead of all of them running the same queries at once."""

    def __init__(self, ttl_s: float = OVERVIEW_TTL_S, size: int = 256):
        self.entries: TTLCache = TTLCache(maxsize=size, ttl=ttl_s)
        self.lock = threading.Lock()  # TTLCache is not thread-safe; FastAPI runs reads in threads
        self.computing: dict[tuple, threading.Lock] = {}

    def get_or_compute(self, key: tuple, compute):
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                return found
            flight = self.computing.setdefault(key, threading.Lock())
        with flight:
            with self.lock:
                found = self.entries.get(key)
            if found is None:
                try:
                    found = compute()
                    with self.lock:
                        self.entries[key] = found
                finally:
                    with self.lock:
                        self.computing.pop(key, None)
        return found


def recent_end(now: datetime | None = None) -> datetime:
    """Now, rounded up to the overview's cache period."""
    seconds = (now or datetime.now(UTC)).timestamp()
    return datetime.fromtimestamp(math.ceil(seconds / OVERVIEW_TTL_S) * OVERVIEW_TTL_S, UTC)


def parse_bucket(value: str | None, start: datetime, end: datetime) -> int:
    """Seconds from `300`, `5m`, `1h`, `1d`, `1w`; empty: about 200 buckets over the range."""
    if not value:
        span = (end - start).total_seconds()
        for seconds in (60, 300, 900, 3600, 3 * 3600, 6 * 3600, DAY, 7 * DAY):
            if span / seconds <= 200:
                return seconds
        return 30 * DAY
    match = re.fullmatch(r"(\d{1,9})([smhdw]?)", value.strip())
    if not match or int(match.group(1)) == 0:
        raise BadRequest("bucket must be seconds or a duration like 5m, 1h, 1d", details={"field": "bucket"})
    seconds = int(match.group(1)) * UNITS[match.group(2) or "s"]
    if (end - start).total_seconds() / seconds > MAX_BUCKETS:
        raise BadRequest(
            f"too many buckets (more than {MAX_BUCKETS}): widen bucket or narrow the range", details={"field": "bucket"}
        )
    return seconds


def time_range(start: datetime | None, end: datetime | None, default_days: int) -> tuple[datetime, datetime]:
    end = end or datetime.now(UTC)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    if start is None:
        try:
            start = end - timedelta(days=default_days)
        except OverflowError:  # an end in the first days of year 1
            raise BadRequest(
                f"end must be at least {default_days} days after year 1", details={"field": "end"}
            ) from None
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    if start >= end:
        raise BadRequest("start must be before end", details={"field": "start"})
    if end - start > timedelta(days=3 * 366):
        raise BadRequest("the range may span at most three years", details={"field": "start"})
    return start, end


class MetricsReader:
    def __init__(self, context: AppContext, overview_cache: OverviewCache | None = None):
        self.context = context
        self.store = context.metrics
        self.overview_cache = overview_cache

    def filters(self, model: str | None, department: str | None) -> dict[str, str]:
        """Label filters; a model is matched by id when the catalog knows it, by name otherwise."""
        labels: dict[str, str] = {}
        if model:
            found = self.context.models.find_ref(model)
            if found is not None:
                labels["model_id"] = found["_id"]
            else:
                labels["model_name"] = model
        if department:
            labels["department"] = department
        return labels

    def series(
        self,
        series: str,
        start: datetime,
        end: datetime,
        bucket: str | None,
        aggregate: str,
        labels: dict[str, str],
        group_by: list[str],
    ) -> dict[str, Any]:
        if not SERIES_RE.match(series):
            raise BadRequest(
                "series names are dotted lowercase words, e.g. prediction.count", details={"field": "series"}
            )
        for key in [*group_by, *labels]:
            if not LABEL_RE.match(key):
                raise BadRequest(f"invalid label name {key!r}", details={"field": "group_by"})
        bucket_s = parse_bucket(bucket, start, end)
        rows = self.store.query(series, start, end, bucket_s, aggregate, labels, group_by)
        groups: dict[tuple, list] = defaultdict(list)
        for row in rows:
            key = tuple(None if row.labels[k] is None else str(row.labels[k]) for k in group_by)
            groups[key].append((row.time, row.value))
        return {
            "series": series,
            "start": start,
            "end": end,
            "bucket_s": bucket_s,
            "aggregate": aggregate,
            "filters": labels,
            "groups": [
                {"labels": dict(zip(group_by, key, strict=True)), "points": points}
                for key, points in sorted(groups.items(), key=lambda item: tuple(v or "" for v in item[0]))
            ],
        }

    def overview(self, start: datetime, end: datetime, labels: dict[str, str]) -> dict[str, Any]:
        if self.overview_cache is None:
            return self._overview(start, end, labels)
        key = (start, end, tuple(sorted(labels.items())))
        return self.overview_cache.get_or_compute(key, lambda: self._overview(start, end, labels))

    def _overview(self, start: datetime, end: datetime, labels: dict[str, str]) -> dict[str, Any]:
        q = self.store.query
        # Totals over the range come from one bucket that spans it (buckets are aligned on the epoch,
        # so it may take two): a few rows per group instead of one per day and group.
        whole = int((end - start).total_seconds()) + 1
        per_day: dict[datetime, dict[str, Any]] = {}
        durations = 0.0
        for row in q("execution.duration_s", start, end, DAY, "count", labels, ["status"]):
            entry = per_day.setdefault(row.time, {"day": row.time})
            status = row.labels["status"]
            if status in ("success", "failed", "cancelled"):
                entry[status] = entry.get(status, 0) + int(row.value)
        for row in q("execution.duration_s", start, end, whole, "sum", labels, []):
            durations += row.value
        counts = defaultdict(int)
        for entry in per_day.values():
            for status in ("success", "failed", "cancelled"):
                counts[status] += entry.get(status, 0)
        total = sum(counts.values())

        predictions: dict[str, float] = defaultdict(float)
        for row in q("prediction.count", start, end, whole, "sum", labels, ["model_name"]):
            predictions[row.labels["model_name"] or ""] += row.value
        top = sorted(predictions.items(), key=lambda item: (-item[1], item[0]))[:5]

        drift: dict[str, dict[datetime, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        drift_start = max(start, end - timedelta(days=7))
        for row in q("drift.statistic", drift_start, end, DAY, "count", labels, ["model_name", "drifted"]):
            cell = drift[row.labels["model_name"] or ""][row.time]
            cell[0] += int(row.value)
            if row.labels["drifted"] == "true":
                cell[1] += int(row.value)
        latest = []
        for name, days in drift.items():
            day = max(days)
            latest.append(
                {"model_name": name, "day": day, "features_tested": days[day][0], "features_drifted": days[day][1]}
            )
        latest.sort(key=lambda d: (-d["features_drifted"], d["model_name"]))

        catalog: dict[str, Any] = {}
        if "model_id" in labels:
            catalog["_id"] = labels["model_id"]
        if "department" in labels:
            catalog["department"] = labels["department"]
        by_department = self.context.models.facet_counts("department", catalog)
        return {
            "start": start,
            "end": end,
            "executions_per_day": [per_day[day] for day in sorted(per_day)],
            "executions_total": total,
            "success_rate": round(counts["success"] / total, 4) if total else None,
            "avg_execution_duration_s": round(durations / total, 3) if total else None,
            "models_total": sum(by_department.values()),
            "models_by_department": [
                {"name": str(name), "count": count}
                for name, count in sorted(by_department.items(), key=lambda item: (-item[1], str(item[0])))
            ],
            "predictions_total": sum(predictions.values()),
            "top_models_by_predictions": [{"name": name, "count": count} for name, count in top],
            "latest_drift": latest[:20],
        }

    def links(self) -> dict[str, Any]:
        settings = self.context.settings
        grafana = settings.grafana_url.rstrip("/") or None
        superset = settings.superset_url.rstrip("/") or None
        dashboards = []
        if grafana:
            dashboards += [
                {"tool": "grafana", "title": title, "url": f"{grafana}/d/{uid}"}
                for uid, title in GRAFANA_DASHBOARDS.items()
            ]
        if superset:
            slug, title = SUPERSET_DASHBOARD
            dashboards.append({"tool": "superset", "title": title, "url": f"{superset}/superset/dashboard/{slug}/"})
        return {"grafana_url": grafana, "superset_url": superset, "dashboards": dashboards}
