"""When an invoice is overdue, which reminder step is due, and when the overdue job next looks at it.

An invoice is overdue once its due date has passed (`dueDate < now`) while it is SENT or
PARTIALLY_PAID. Its reminder steps are the tenant's cadence from the due date on: step n falls due
at `dueDate + cadenceDays[n]`. Catch-up: of the steps that fell due since the invoice's last one,
only the latest is acted on, once; a step at or before the last one never is. So a job that was
down for a week sends one reminder, never a burst, and a job run twice sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from invoicing.invoices.enums import DUE_STATUSES, InvoiceStatus
from invoicing.invoices.model import Invoice, ReminderStep

#: what the overdue job moves to OVERDUE once the due date has passed
BECOMES_OVERDUE = DUE_STATUSES


def is_past_due(invoice: Invoice, now: datetime) -> bool:
    return invoice.status in BECOMES_OVERDUE and invoice.dueDate is not None and invoice.dueDate < now


def cadence_steps(due_date: datetime, cadence_days: Sequence[int]) -> list[ReminderStep]:
    return [
        ReminderStep(step=index, daysAfterDue=days, at=due_date + timedelta(days=days))
        for index, days in enumerate(cadence_days, start=1)
    ]


@dataclass(frozen=True)
class ReminderPlan:
    #: the step to act on now: the latest that fell due after the last one, if any
    due: ReminderStep | None
    #: the first step after now, if the cadence has one left
    next: ReminderStep | None


def plan_reminders(
    due_date: datetime, cadence_days: Sequence[int], last: ReminderStep | None, now: datetime
) -> ReminderPlan:
    """The catch-up rule: only steps after `last` count; of those fallen due, the latest."""
    after = last.daysAfterDue if last is not None else -1
    steps = [step for step in cadence_steps(due_date, cadence_days) if step.daysAfterDue > after]
    fallen = [step for step in steps if step.at <= now]
    upcoming = [step for step in steps if step.at > now]
    return ReminderPlan(fallen[-1] if fallen else None, upcoming[0] if upcoming else None)


def overdue_job_due_at(invoice: Invoice) -> datetime | None:
    """When the overdue job is next due to look at the invoice (None: never again as it is).

    SENT or PARTIALLY_PAID: at its due date (to move it to OVERDUE). OVERDUE: at its next reminder
    step; an OVERDUE invoice the job never planned (reopened by a removed payment) at once."""
    if invoice.status in BECOMES_OVERDUE:
        return invoice.dueDate
    if invoice.status is not InvoiceStatus.OVERDUE:
        return None
    if invoice.nextReminder is not None:
        return invoice.nextReminder.at
    return invoice.dueDate if invoice.lastReminder is None else None
