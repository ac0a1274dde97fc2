"""One invoice's overdue step (pure): the move to OVERDUE, the reminder step reached, the late fee.

`overdue_step` answers the change the overdue job makes to an invoice as it is now, or None when
there is nothing to do (not due yet, paid, cancelled, or its step already taken). Every change
carries at least one event, so two job runs that both saw the invoice at one version cannot both
write it: the store's version condition lets one win, and the other finds the step taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from invoicing.invoices.edits import touched
from invoicing.invoices.enums import EventType, InvoiceStatus
from invoicing.invoices.kernel import Actor, new_event
from invoicing.invoices.model import Event, Invoice, ReminderStep
from invoicing.overdue.cadence import BECOMES_OVERDUE, is_past_due, plan_reminders
from invoicing.overdue.late_fee import late_fee_row_id, with_late_fee
from invoicing.overdue.policy import ReminderSettings


@dataclass(frozen=True)
class OverdueStep:
    invoice: Invoice
    events: tuple[Event, ...]
    moved: bool
    #: the cadence step reached now (mailed when reminders are on), if any
    reached: ReminderStep | None
    fee_added: bool


def reminder_request_key(invoice: Invoice, step: ReminderStep) -> str:
    """What makes a step's reminder one mail, however often the job asks for it."""
    return f"overdue-reminder:{invoice.id}:{step.daysAfterDue}d"


def due_reminder(invoice: Invoice, policy: ReminderSettings, now: datetime) -> ReminderStep | None:
    """The step whose reminder is to be mailed now, if reminders are on and one fell due."""
    if not policy.enabled or invoice.dueDate is None or not _in_scope(invoice, now):
        return None
    return plan_reminders(invoice.dueDate, policy.cadenceDays, invoice.lastReminder, now).due


def _in_scope(invoice: Invoice, now: datetime) -> bool:
    return invoice.status is InvoiceStatus.OVERDUE or is_past_due(invoice, now)


def overdue_step(
    invoice: Invoice, policy: ReminderSettings, now: datetime, *, actor: Actor, reminded: bool
) -> OverdueStep | None:
    """The job's change to `invoice` at `now` (`reminded`: the due step's reminder was queued)."""
    if invoice.dueDate is None or not _in_scope(invoice, now):
        return None
    moved = invoice.status in BECOMES_OVERDUE
    plan = plan_reminders(invoice.dueDate, policy.cadenceDays, invoice.lastReminder, now)
    if not moved and plan.due is None and plan.next == invoice.nextReminder:
        return None
    update: dict[str, object] = {"status": InvoiceStatus.OVERDUE, "nextReminder": plan.next}
    if plan.due is not None:
        update["lastReminder"] = plan.due
        if reminded and invoice.overdueNotifiedAt is None:
            update["overdueNotifiedAt"] = now
    changed = touched(invoice, actor, now, **update)
    fee_added = False
    if plan.due is not None and policy.lateFee is not None:
        with_fee = with_late_fee(changed, policy.lateFee, plan.due)
        fee_added = with_fee is not changed
        changed = with_fee
    events = _events(invoice, changed, plan.due, moved=moved, reminded=reminded, actor=actor, now=now)
    return OverdueStep(changed, events, moved, plan.due, fee_added)


def _events(
    before: Invoice,
    after: Invoice,
    reached: ReminderStep | None,
    *,
    moved: bool,
    reminded: bool,
    actor: Actor,
    now: datetime,
) -> tuple[Event, ...]:
    """The change's events, their ids derived from the version changed (a rerun names the same)."""
    version = before.version
    events: list[Event] = []
    if moved:
        text = f"Overdue: the due date {before.dueDate:%Y-%m-%d} passed; {before.status.value} -> OVERDUE."
        events.append(new_event(actor, now, EventType.STATUS_CHANGED, text, lambda: f"overdue-{version}"))
    if reached is not None:
        mailed = "its reminder queued" if reminded else "no reminder mailed"
        days = reached.daysAfterDue
        text = f"Reminder step {reached.step} ({days} days after the due date) reached: {mailed}."
        fee = next((row for row in after.rows if row.id == late_fee_row_id(reached)), None)
        if fee is not None and len(after.rows) > len(before.rows):
            text += f" Late fee of {fee.unitPrice} {after.currency} added."
        events.append(
            new_event(actor, now, EventType.REMINDER_STEP, text, lambda: f"reminder-step-{version}")
        )
    if not events:
        planned = after.nextReminder
        text = (
            f"Next reminder: step {planned.step} on {planned.at:%Y-%m-%d}."
            if planned
            else "No reminder planned."
        )
        events.append(
            new_event(actor, now, EventType.REMINDER_STEP, text, lambda: f"reminder-plan-{version}")
        )
    return tuple(events)
