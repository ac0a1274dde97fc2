"""Time helpers: UTC only, second precision for anything stored or shown."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso_utc(moment: datetime) -> str:
    """ISO-8601 with a `Z` suffix, the form every timestamp in the API uses."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
