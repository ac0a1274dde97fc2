"""What every job shares: the moment it runs for, taken from its event, and a report of what it did.

A job never reads the wall clock: its schedule's event carries the time (Scheduler's
`<aws.scheduler.scheduled-time>` in the target's Input, or an EventBridge Scheduled Event's `time`),
so `make jobs AT=...` and the tests run it for any moment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from invoicing.errors import ValidationFailed


def run_time(event: dict[str, Any]) -> datetime:
    """The event's `time`, ISO 8601 (a time without an offset is UTC)."""
    text = event.get("time")
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationFailed(
            "A job's event names the time it runs for in `time` (ISO 8601).",
            field_errors={"time": [f"Not an ISO 8601 time: {text!r}."]},
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class JobReport:
    """Items by outcome, and the items that failed (each failure leaves the others to run)."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def fail(self, item: str) -> None:
        self.counts["failed"] += 1
        self.failures.append(item)

    def result(self, *outcomes: str) -> dict[str, Any]:
        """A flat answer: every outcome named (0 when none), `failed`, and the failed items."""
        counts = {outcome: self.counts[outcome] for outcome in (*outcomes, "failed")}
        counts.update(self.counts)
        return {**counts, "failures": list(self.failures)}
