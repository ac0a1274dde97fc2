"""What scheduling does to an invoice (pure, like `invoicing.invoices.edits`).

    DRAFT --schedule--> SCHEDULED --unschedule--> DRAFT
                            |
                            +--the send fires--> SENT (numbered, mailed)

A scheduled invoice keeps `scheduledSendAt` until its send is complete (published, mail queued), so
the SEND job's entry in the `DueJobs` index (`send_due`) outlives a send that stopped halfway, and
the sweep finishes it. Each step of a send records an event whose id derives from the invoice and
the send time: a duplicate or late firing finds it and does nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from invoicing.errors import Conflict, Unprocessable
from invoicing.invoices.edits import touched
from invoicing.invoices.enums import EventType, InvoiceStatus
from invoicing.invoices.kernel import Actor, Change, NewId, new_event, new_id
from invoicing.invoices.model import Attachment, Invoice

#: the kind of the scheduled send's entries in the `DueJobs` index
SEND_JOB = "SEND"
#: who the audit trail names for what the scheduler does
SCHEDULER_SUBJECT = "scheduler"


def send_due(invoice: Invoice) -> datetime | None:
    """When the invoice's scheduled send is due: its `scheduledSendAt`, from scheduling until the
    send is complete; none for a cancelled invoice (a deleted one has no entry at all)."""
    if invoice.status is InvoiceStatus.CANCELLED:
        return None
    return invoice.scheduledSendAt


def stamp(moment: datetime) -> str:
    """A send time as it appears in ids and names: to the second, UTC."""
    return f"{moment:%Y%m%dT%H%M%S}Z"


def fired_event_id(invoice_id: str, at: datetime) -> str:
    return f"scheduled-send-{invoice_id}-{stamp(at)}-fired"


def completed_event_id(invoice_id: str, at: datetime) -> str:
    return f"scheduled-send-{invoice_id}-{stamp(at)}-completed"


def mail_request_key(invoice_id: str, at: datetime) -> str:
    """What makes the scheduled send's mail one mail, however often the send runs."""
    return f"scheduled-send:{invoice_id}:{stamp(at)}"


def schedule(
    invoice: Invoice,
    at: datetime,
    *,
    follows_invoice_date: bool,
    client_pdf: Attachment | None,
    actor: Actor,
    now: datetime,
    make_id: NewId = new_id,
) -> Change:
    """DRAFT -> SCHEDULED, to be sent at `at` (no number until then)."""
    if invoice.status is not InvoiceStatus.DRAFT:
        raise Conflict(
            f"Only draft invoices can be scheduled; invoice {invoice.invoiceNumber or invoice.id} "
            f"is {invoice.status.value}."
        )
    if not invoice.rows:
        raise Conflict(f"Invoice {invoice.id} has no rows; add at least one before scheduling it.")
    if not (invoice.contactEmail or (invoice.customer and invoice.customer.email)):
        raise Unprocessable(
            f"Invoice {invoice.id} has no contactEmail (nor a customer e-mail) to be sent to.",
            field_errors={"contactEmail": ["Set the address the invoice is mailed to."]},
        )
    scheduled = touched(
        invoice,
        actor,
        now,
        status=InvoiceStatus.SCHEDULED,
        scheduledSendAt=at,
        scheduledSendFollowsInvoiceDate=follows_invoice_date,
        scheduledPdf=client_pdf,
    )
    description = f"Scheduled to be sent at {at.isoformat()}: DRAFT -> SCHEDULED."
    return Change(scheduled, new_event(actor, now, EventType.STATUS_CHANGED, description, make_id))


def _without_send(invoice: Invoice, actor: Actor, now: datetime, **update: object) -> Invoice:
    return touched(
        invoice,
        actor,
        now,
        scheduledSendAt=None,
        scheduledSendFollowsInvoiceDate=False,
        scheduledPdf=None,
        **update,
    )


def unschedule(invoice: Invoice, *, actor: Actor, now: datetime, make_id: NewId = new_id) -> Change:
    """SCHEDULED -> DRAFT: nothing is sent."""
    if invoice.status is not InvoiceStatus.SCHEDULED:
        raise Conflict(
            f"Only scheduled invoices can be unscheduled; invoice {invoice.invoiceNumber or invoice.id} "
            f"is {invoice.status.value}."
        )
    draft = _without_send(invoice, actor, now, status=InvoiceStatus.DRAFT)
    description = "Unscheduled: SCHEDULED -> DRAFT."
    return Change(draft, new_event(actor, now, EventType.STATUS_CHANGED, description, make_id))


class NotDue(Conflict):
    """The send that fired is not (or no longer) the invoice's: unscheduled, moved, or not yet due."""


def fire(invoice: Invoice, at: datetime, *, actor: Actor, now: datetime) -> Change:
    """The send of `at` starts: only while the invoice is SCHEDULED for exactly `at`, and `at` has
    come. Publishing follows in the same transaction (`workflow.publish_invoice`'s `prepare`); the
    invoice answered lists the event already, so that publishing sees a send under way
    (`plan_after_publishing`) and keeps its plan until the send completes."""
    if invoice.status is not InvoiceStatus.SCHEDULED or invoice.scheduledSendAt != at:
        raise NotDue(f"Invoice {invoice.id} is no longer scheduled for {at.isoformat()}.")
    if at > now:
        raise NotDue(f"Invoice {invoice.id} is scheduled for {at.isoformat()}, later than {now.isoformat()}.")
    description = f"The send scheduled for {at.isoformat()} fired."
    event = new_event(
        actor, now, EventType.STATUS_CHANGED, description, lambda: fired_event_id(invoice.id, at)
    )
    return Change(touched(invoice, actor, now, events=[*invoice.events, event]), event)


def plan_after_publishing(invoice: Invoice) -> Invoice:
    """A SCHEDULED invoice published otherwise than by its send (send, mark-as-sent, publish) has
    no send planned any more, so its plan and its `DueJobs` entry go; its own send keeps them until
    it completes."""
    at = invoice.scheduledSendAt
    if at is None or invoice.has_event(fired_event_id(invoice.id, at)):
        return invoice
    return invoice.model_copy(
        update={"scheduledSendAt": None, "scheduledSendFollowsInvoiceDate": False, "scheduledPdf": None}
    )


def complete(invoice: Invoice, at: datetime, outcome: str, *, actor: Actor, now: datetime) -> Change:
    """The send of `at` is over (`outcome`: its mail queued, or why none could be): nothing is
    planned any more, so its `DueJobs` entry goes."""
    event = new_event(
        actor,
        now,
        EventType.UPDATE,
        f"The send scheduled for {at.isoformat()} is complete: {outcome}.",
        lambda: completed_event_id(invoice.id, at),
    )
    return Change(_without_send(invoice, actor, now), event)


def give_up(invoice: Invoice, at: datetime, reason: str, *, actor: Actor, now: datetime) -> Change:
    """The send of `at` cannot publish the invoice (`reason`, e.g. its rows were all removed): it is
    a draft again, and its trail says why, rather than a send failing at every sweep."""
    if invoice.status is not InvoiceStatus.SCHEDULED or invoice.scheduledSendAt != at:
        raise NotDue(f"Invoice {invoice.id} is no longer scheduled for {at.isoformat()}.")
    draft = _without_send(invoice, actor, now, status=InvoiceStatus.DRAFT)
    description = f"The send scheduled for {at.isoformat()} failed: {reason} SCHEDULED -> DRAFT."
    return Change(draft, new_event(actor, now, EventType.STATUS_CHANGED, description, new_id))
