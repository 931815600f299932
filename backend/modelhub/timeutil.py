"""Timestamps are stored as fixed-width ISO-8601 UTC strings: they sort and compare the same way
in every metadata backend."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    moment = (moment or utcnow()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
