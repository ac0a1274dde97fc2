"""How long a failed send waits before its next attempt: exponential, capped."""

from __future__ import annotations

#: SQS allows a visibility timeout of up to 12 hours; a quarter of an hour keeps mail timely
MAX_RETRY_DELAY_SECONDS = 900


def retry_delay(attempt: int, base_seconds: int) -> int:
    """Seconds before attempt `attempt + 1`: base, 2 x base, 4 x base, ... at most 15 minutes."""
    return int(min(MAX_RETRY_DELAY_SECONDS, base_seconds * 2 ** max(attempt - 1, 0)))
