"""`execution.duration_s` and `task.duration_s`, written once when an execution reaches a final state.

The executions service calls `observe(context, before, after)` after each change of an execution
record. The execution's point is written on the change that makes it final (success, failed,
cancelled); its tasks' points when the final record first gets its task states (Airflow may report
them on a later sync than the state). A metrics store that is down costs the points, never the
state change: the execution record is the source of truth, the series is for charts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog

from modelhub.errors import ModelHubError
from modelhub.executions.repository import FINAL
from modelhub.stores.metrics import MetricPoint

log = structlog.get_logger()


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def execution_points(doc: dict[str, Any], department: str) -> list[MetricPoint]:
    ended = _parse(doc.get("ended_at")) or datetime.now(UTC)
    started = _parse(doc.get("started_at")) or _parse(doc.get("created_at")) or ended
    labels = {
        "execution_id": doc["_id"],
        "deployment_id": doc.get("deployment_id") or "",
        "deployment_name": doc.get("deployment_name") or "",
        "kind": doc.get("kind") or "",
        "model_id": doc.get("model_id") or "",
        "model_name": doc.get("model_name") or "",
        "department": department,
        "status": doc["status"],
        "triggered_by": doc.get("triggered_by") or "",
    }
    return [MetricPoint("execution.duration_s", max(0.0, (ended - started).total_seconds()), ended, labels)]


def task_points(doc: dict[str, Any]) -> list[MetricPoint]:
    points = []
    for task in doc.get("tasks") or []:
        start, end = _parse(task.get("start_date")), _parse(task.get("end_date"))
        seconds = task.get("duration")
        if seconds is None and start and end:
            seconds = (end - start).total_seconds()
        if seconds is None or not task.get("task_id"):
            continue  # never ran (upstream failed, skipped before start): no duration to chart
        labels = {
            "execution_id": doc["_id"],
            "deployment_id": doc.get("deployment_id") or "",
            "kind": doc.get("kind") or "",
            "task": task["task_id"],
            "status": task.get("state") or "unknown",
        }
        moment = end or _parse(doc.get("ended_at")) or datetime.now(UTC)
        points.append(MetricPoint("task.duration_s", float(seconds), moment, labels))
    return points


def observe(context, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """Write the points `after` owes now that `before` became `after` (None: a new record)."""
    if after.get("status") not in FINAL:
        return
    points: list[MetricPoint] = []
    if before is None or before.get("status") not in FINAL:
        department = ""
        try:
            model = context.models.find_ref(after.get("model_id") or "")
            department = (model or {}).get("department") or ""
        except ModelHubError as exc:
            log.info("execution metric without department", execution_id=after["_id"], reason=exc.message)
        points += execution_points(after, department)
    if after.get("tasks") and (before is None or not before.get("tasks")):
        points += task_points(after)
    if not points:
        return
    try:
        context.metrics.write(points)
    except ModelHubError as exc:
        log.warning("execution metrics not written", execution_id=after["_id"], reason=exc.message)
