"""When a job entry is stale: what every job checks before it removes an entry it met.

An entry says when its invoice is due for a job; the invoice store keeps it in step with the
invoice. One that outlived its invoice, or says a time its invoice no longer plans (nothing, or a
later time), would be met by every run and do nothing, so the job that meets it removes it
(`forget`, conditional on the entry and the invoice being as read).
"""

from __future__ import annotations

from datetime import datetime


def is_stale(planned: datetime | None, entry_due: datetime) -> bool:
    """Whether an entry due at `entry_due` is stale for an invoice that plans the job at `planned`
    (None: not at all). The plan is compared as the entry's key writes it, its clock time to the
    second, so a plan the entry says is never taken for a later one."""
    if planned is None:
        return True
    return planned.replace(tzinfo=None, microsecond=0) > entry_due.replace(tzinfo=None)
