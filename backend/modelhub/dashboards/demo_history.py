"""Months of plausible metric history, so every chart (web UI, Grafana, Superset) is alive on first start.

`modelhub seed-demo` calls `write_demo_history(store, models)` once, on an empty store. Every series of
the agreed interface gets points with the agreed labels (docs/dashboards.md):

- executions: a weekly evaluation per model; for "scheduled" models also a daily batch scoring and
  monitoring run and a weekly training; ~90 % succeed, some fail, a few are cancelled; durations per
  kind with noise, per-task durations, rows and step durations of the training and scoring steps;
- model quality: an evaluation per week on the version in service, each new version a bit better,
  slowly decaying until the next one (validation and test splits);
- predictions: online per model with a daily and weekly rhythm, plus a nightly batch for scheduled
  models, and latency;
- drift: for scheduled (monitored) models one check per day per feature (ks/psi for numbers, chi2 for
  categories), drifting in the weeks before a new version.

The volume stays bounded for large catalogs (seed-demo has ~300 models): up to 40 models every model
is scheduled and predictions come every two hours; beyond, about 40 models are scheduled and the
prediction interval widens (up to a day), so a catalog of 300 models gets ~0.2 M points, not ~1.7 M.
Deterministic for a given `now` and model list (seeded per model), so tests can count on it.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from modelhub.stores.metrics import MetricPoint, MetricsStore

CLASSIFICATION_METRICS = {"accuracy": 0.86, "precision": 0.82, "recall": 0.78, "f1": 0.80, "roc_auc": 0.90}
REGRESSION_METRICS = {"rmse": 12.0, "mae": 8.5, "r2": 0.78}
LOWER_IS_BETTER = {"rmse", "mae", "log_loss"}
TASKS = {
    "training": (("preprocess", 45.0), ("train", 240.0), ("register", 6.0)),
    "evaluation": (("preprocess", 30.0), ("evaluate", 40.0)),
    "batch_scoring": (("preprocess", 35.0), ("score", 60.0)),
    "monitoring": (("monitoring", 25.0),),
}
STEPS = {"training": ("read", "preprocess", "train"), "batch_scoring": ("score",)}
FEATURES = (("tenure_months", "ks"), ("monthly_spend", "psi"), ("region", "chi2"))
SCHEDULED_MODELS = 40  # how many models run daily deployments in a large catalog
INTERVALS_H = (2, 3, 4, 6, 8, 12, 24)  # prediction points per interval; divisors of a day
CALLERS = ("web-portal", "crm-sync", "analyst-notebook")
BATCH = 5000  # points per write


def _versions(model: Mapping[str, Any]) -> list[str]:
    """`versions` may be a count, a list of numbers or a list of version documents."""
    given = model.get("versions") or 1
    if isinstance(given, int):
        return [str(v) for v in range(1, given + 1)]
    out = []
    for item in given:
        number = item.get("version") if isinstance(item, Mapping) else item
        out.append(str(number))
    return out or ["1"]


def _rng(model: Mapping[str, Any], now: datetime) -> random.Random:
    seed = hashlib.sha256(f"{model.get('id')}|{model.get('name')}|{now.date()}".encode()).hexdigest()
    return random.Random(int(seed[:16], 16))


def _regression(model: Mapping[str, Any]) -> bool:
    task = str(model.get("task_type") or "").lower()
    return any(word in task for word in ("regress", "forecast"))


class _Writer:
    def __init__(self, store: MetricsStore):
        self.store = store
        self.pending: list[MetricPoint] = []
        self.written = 0

    def add(self, series: str, value: float, time: datetime, labels: Mapping[str, Any]) -> None:
        self.pending.append(MetricPoint(series, float(value), time, {k: str(v) for k, v in labels.items()}))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.written += self.store.write(self.pending)
            self.pending = []


def write_demo_history(
    store: MetricsStore, models: Sequence[Mapping[str, Any]], months: int = 4, now: datetime | None = None
) -> int:
    """Write `months` of history for every model (dicts with id, name, department, geography,
    task_type, versions); returns the number of points written."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=30 * months)
    writer = _Writer(store)
    share = min(1.0, SCHEDULED_MODELS / max(1, len(models)))
    interval_h = next(h for h in (*INTERVALS_H, 24) if h >= 2 * len(models) / SCHEDULED_MODELS)
    for model in models:
        rng = _rng(model, now)
        scheduled = share >= 1 or rng.random() < share
        versions = _versions(model)
        # Each version takes over at an even share of the period (the first one before it starts).
        span = (now - start) / len(versions)
        releases = [start + span * i for i in range(len(versions))]
        _executions(writer, rng, model, scheduled, start, now)
        _quality(writer, rng, model, versions, releases, start, now)
        _predictions(writer, rng, model, versions, releases, start, now, scheduled, interval_h)
        if scheduled:
            _drift(writer, rng, model, versions, releases, start, now)
    writer.flush()
    return writer.written


def _version_at(versions: list[str], releases: list[datetime], moment: datetime) -> tuple[int, str]:
    index = max(i for i, released in enumerate(releases) if released <= moment) if moment >= releases[0] else 0
    return index, versions[index]


def _days(start: datetime, now: datetime) -> Iterable[datetime]:
    day = start.replace(hour=0)
    while day < now:
        yield day
        day += timedelta(days=1)


def _base(model: Mapping[str, Any]) -> dict[str, str]:
    return {
        "model_id": str(model.get("id", "")),
        "model_name": str(model.get("name", "")),
        "department": str(model.get("department", "")),
    }


def _executions(writer, rng, model, scheduled, start, now) -> None:
    name = str(model.get("name", "model"))
    for day in _days(start, now):
        runs = [("batch_scoring", 2), ("monitoring", 6)] if scheduled else []
        if day.weekday() == 0 and scheduled:
            runs.append(("training", 1))
        if day.weekday() == 2:
            runs.append(("evaluation", 3))
        for kind, hour in runs:
            begin = day + timedelta(hours=hour, minutes=rng.randrange(0, 50))
            if begin >= now:
                continue
            roll = rng.random()
            status = "success" if roll < 0.9 else "failed" if roll < 0.97 else "cancelled"
            deployment_id = hashlib.sha256(f"{model.get('id')}:{kind}".encode()).hexdigest()[:32]
            execution_id = hashlib.sha256(f"{deployment_id}:{begin.isoformat()}".encode()).hexdigest()[:32]
            by_schedule = rng.random() < 0.8
            total = 0.0
            tasks = TASKS[kind]
            failing = rng.randrange(len(tasks)) if status != "success" else len(tasks)
            moment = begin
            for position, (task, typical) in enumerate(tasks):
                if position > failing:
                    break
                seconds = max(1.0, rng.gauss(typical, typical * 0.15))
                if position == failing:
                    seconds *= rng.uniform(0.1, 0.8)
                task_status = "success" if position < failing else status
                moment += timedelta(seconds=seconds)
                total += seconds
                writer.add(
                    "task.duration_s",
                    round(seconds, 3),
                    moment,
                    {
                        "execution_id": execution_id,
                        "deployment_id": deployment_id,
                        "kind": kind,
                        "task": task,
                        "status": task_status,
                    },
                )
            if status == "success" and kind in STEPS:
                rows = int(rng.uniform(40_000, 250_000))
                for step in STEPS[kind]:
                    labels = {"execution_id": execution_id, "deployment_id": deployment_id, "kind": kind, "step": step}
                    writer.add("job.rows", rows, moment, labels)
                    writer.add("job.step_duration_s", round(rng.uniform(2, 60), 3), moment, labels)
                    rows = int(rows * rng.uniform(0.9, 1.0))
            total += rng.uniform(2, 8)  # scheduling overhead between tasks
            writer.add(
                "execution.duration_s",
                round(total, 3),
                begin + timedelta(seconds=total),
                {
                    "execution_id": execution_id,
                    "deployment_id": deployment_id,
                    "deployment_name": f"{name} {kind.replace('_', ' ')}",
                    "kind": kind,
                    **_base(model),
                    "status": status,
                    "triggered_by": "schedule" if by_schedule else rng.choice(("datascientist", "business", "admin")),
                },
            )


def _quality(writer, rng, model, versions, releases, start, now) -> None:
    metrics = REGRESSION_METRICS if _regression(model) else {**CLASSIFICATION_METRICS, "log_loss": 0.38}
    moment = start.replace(hour=4) + timedelta(days=(2 - start.weekday()) % 7)  # Wednesdays
    dataset_id = hashlib.sha256(f"{model.get('id')}:dataset".encode()).hexdigest()[:32]
    while moment < now:
        index, version = _version_at(versions, releases, moment)
        age_days = (moment - releases[index]).total_seconds() / 86400 if moment >= releases[0] else 0
        better = 1 + 0.02 * index  # each version a bit better
        decay = 1 - min(0.08, 0.0015 * age_days)  # and slowly worse until the next one
        execution_id = hashlib.sha256(f"{model.get('id')}:eval:{moment.isoformat()}".encode()).hexdigest()[:32]
        for split, offset in (("validation", 1.0), ("test", 0.985)):
            for metric, base in metrics.items():
                quality = better * decay * offset * rng.uniform(0.985, 1.015)
                if metric in LOWER_IS_BETTER:
                    value = base / quality
                elif metric == "r2" or base <= 1:
                    value = min(0.999, base * quality)
                else:
                    value = base * quality
                writer.add(
                    "model.metric",
                    round(value, 5),
                    moment,
                    {
                        **_base(model),
                        "geography": str(model.get("geography", "")),
                        "version": version,
                        "metric": metric,
                        "split": split,
                        "execution_id": execution_id,
                        "dataset_id": dataset_id,
                    },
                )
        moment += timedelta(days=7)


def _predictions(writer, rng, model, versions, releases, start, now, scheduled, interval_h) -> None:
    volume = rng.uniform(40, 400)  # online requests per hour at the busiest time
    latency = rng.uniform(8, 30)
    moment = start
    while moment < now:
        _, version = _version_at(versions, releases, moment)
        weekday = moment.weekday() < 5
        middle = moment.hour + interval_h / 2  # the interval's middle hour sets its share of the day
        daily = 0.55 + 0.45 * math.sin(math.pi * max(0, min(1, (middle - 6) / 14)))
        sources = ("online", "batch") if scheduled and moment.hour <= 2 < moment.hour + interval_h else ("online",)
        for source in sources:
            online = volume * interval_h * daily * (1.0 if weekday else 0.35)
            base = online if source == "online" else volume * 30
            count = max(0, int(rng.gauss(base, base * 0.1)))
            if count == 0:
                continue
            labels = {
                **_base(model),
                "version": version,
                "caller": rng.choice(CALLERS) if source == "online" else "batch_scoring",
                "source": source,
            }
            writer.add("prediction.count", count, moment, labels)
            per_request = latency * (1 + 0.4 * daily) * rng.uniform(0.85, 1.2)
            writer.add(
                "prediction.latency_ms",
                round(per_request if source == "online" else per_request * 3, 3),
                moment,
                labels,
            )
        moment += timedelta(hours=interval_h)


def _drift(writer, rng, model, versions, releases, start, now) -> None:
    deployment_id = hashlib.sha256(f"{model.get('id')}:monitoring".encode()).hexdigest()[:32]
    thresholds = {"ks": 0.1, "psi": 0.2, "chi2": 0.05}
    for day in _days(start, now):
        moment = day + timedelta(hours=6, minutes=30)
        if moment >= now:
            continue
        index, version = _version_at(versions, releases, moment)
        following = releases[index + 1] if index + 1 < len(releases) else now + timedelta(days=30)
        pressure = max(0.0, 1 - (following - moment).total_seconds() / (21 * 86400))  # rises before a retrain
        for feature, test in FEATURES:
            if test == "chi2":  # a p-value: small means drifted
                statistic = max(0.0005, min(1.0, rng.uniform(0.08, 0.9) * (1 - 0.95 * pressure)))
                drifted = statistic < thresholds[test]
            else:
                statistic = abs(rng.gauss(thresholds[test] * (0.35 + 1.1 * pressure), thresholds[test] * 0.15))
                drifted = statistic > thresholds[test]
            writer.add(
                "drift.statistic",
                round(statistic, 5),
                moment,
                {
                    **_base(model),
                    "version": version,
                    "deployment_id": deployment_id,
                    "feature": feature,
                    "test": test,
                    "drifted": "true" if drifted else "false",
                },
            )
