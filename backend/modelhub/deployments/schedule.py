"""Schedules: a 5-field cron expression or a preset, in an IANA timezone, checked with croniter
(the library and version Airflow's CronTriggerTimetable uses, so both read a schedule alike)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

from modelhub.errors import ValidationFailed

PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
FIELDS = "minute hour day-of-month month day-of-week"


def to_cron(schedule: str, field: str = "schedule") -> str:
    """The cron expression of a schedule; 422 saying why it is not one."""
    text = " ".join(schedule.split())
    if text.startswith("@"):
        if text.lower() in PRESETS:
            return PRESETS[text.lower()]
        raise ValidationFailed(
            f"{field}: unknown preset {text!r}; use a cron expression or one of {', '.join(PRESETS)}",
            details={"field": field},
        )
    parts = text.split(" ")
    if len(parts) != 5:
        raise ValidationFailed(
            f"{field}: a cron expression has 5 fields ({FIELDS}); {text!r} has {len(parts)}",
            details={"field": field},
        )
    try:
        croniter(text).get_next(datetime)
    except CroniterBadDateError:
        raise ValidationFailed(
            f"{field}: {text!r} never matches a date (for example February 30)", details={"field": field}
        ) from None
    except Exception as exc:  # noqa: BLE001 - croniter raises several kinds for odd input; all mean "invalid"
        reason = str(exc).replace(f"[{text}] ", "")
        raise ValidationFailed(
            f"{field}: {text!r} is not a valid cron expression ({FIELDS}): {reason}", details={"field": field}
        ) from None
    return text


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise ValidationFailed(
            f"{field}: unknown timezone {name!r}; use an IANA name such as UTC or Europe/Paris",
            details={"field": field},
        ) from None


def next_runs(cron: str, timezone: str, count: int, after: datetime | None = None) -> list[datetime]:
    tz = zone(timezone)
    start = (after or datetime.now(tz)).astimezone(tz)
    iterator = croniter(cron, start)
    return [iterator.get_next(datetime) for _ in range(count)]
