"""What mail does to an invoice (pure, like `invoicing.invoices.edits`).

Each mail leaves a trail of events whose ids derive from the outbox message id, so recording the
same step twice (a retried request, a redelivered queue message or notification) changes nothing:
MAIL_QUEUED when the API accepts it, MAIL_SENT or REMINDER_SENT when SES took it, then DELIVERED,
BOUNCED or COMPLAINED from SES's notifications, DELIVERY_FAILED when it could not be sent, or
MAIL_CANCELLED when the invoice no longer allowed it by the time the worker took it (paid, cancelled).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from invoicing.errors import Unprocessable
from invoicing.invoices.edits import touched
from invoicing.invoices.enums import PUBLISHED_STATUSES, EventType, InvoiceStatus
from invoicing.invoices.kernel import Actor, Change, new_event
from invoicing.invoices.model import Invoice, Reminder
from invoicing.mail.message import MailKind, OutboxMessage

#: statuses a reminder makes sense for: published and not (fully) paid
REMINDABLE_STATUSES = frozenset({InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE})

_WHAT = {
    MailKind.INVOICE: "Invoice mail",
    MailKind.COPY: "Copy of the invoice",
    MailKind.REMINDER: "Reminder",
}


class AddressSuppressed(Unprocessable):
    """The address hard-bounced or complained before; it is not mailed until the invoice's changes."""

    customer_message = "This e-mail address cannot receive mail. Use another address."

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(
            f"{address} is not mailed again: {reason}. Change the address to send.",
            field_errors={"contactEmail": [f"{address} is suppressed: {reason}."]},
        )


def invoice_recipient(invoice: Invoice) -> str:
    """Where the invoice's own mail goes: its contact, else its customer's address."""
    recipient = invoice.contactEmail or (invoice.customer.email if invoice.customer else None)
    if not recipient:
        raise Unprocessable(
            f"Invoice {invoice.id} has no contactEmail (nor a customer e-mail) to send it to.",
            field_errors={"contactEmail": ["Set the address the invoice is mailed to."]},
        )
    return recipient


def why_not_mailable(invoice: Invoice, kind: MailKind) -> str | None:
    """Why mail of `kind` may not go out for the invoice as it is now, or None when it may.

    Mail goes out for published invoices only (never a cancelled one); reminders only while
    something is left to pay. The API checks it when it accepts a mail, and the delivery worker
    again just before sending, since the invoice may have been paid or cancelled meanwhile."""
    if kind is MailKind.REMINDER and invoice.status not in REMINDABLE_STATUSES:
        return "reminders go out for sent, unpaid invoices only"
    if invoice.status not in PUBLISHED_STATUSES or invoice.invoiceNumber is None:
        return "only published invoices are mailed"
    return None


def ensure_mailable(invoice: Invoice, kind: MailKind) -> None:
    reason = why_not_mailable(invoice, kind)
    if reason is not None:
        raise Unprocessable(f"Invoice {invoice.id} is {invoice.status}: {reason}.")


def queued_event_id(message: OutboxMessage) -> str:
    return f"{message.message_id}-queued"


def sent_event_id(message_id: str) -> str:
    return f"{message_id}-sent"


def failed_event_id(message_id: str) -> str:
    return f"{message_id}-failed"


def cancelled_event_id(message_id: str) -> str:
    return f"{message_id}-cancelled"


def notification_event_id(message_id: str, event_type: EventType, recipient: str) -> str:
    digest = hashlib.sha256(f"{event_type}\x1f{recipient.lower()}".encode()).hexdigest()[:12]
    return f"{message_id}-{event_type.lower()}-{digest}"


def record_mail_queued(invoice: Invoice, message: OutboxMessage, *, actor: Actor, now: datetime) -> Change:
    """The API accepted the mail: invoice mail and copies join `sentMails`, reminders `reminders`."""
    update: dict[str, object] = {}
    if message.kind is MailKind.REMINDER:
        update["reminders"] = [*invoice.reminders, Reminder(createdBy=actor.subject, sentOn=now)]
    else:
        update["sentMails"] = [*invoice.sentMails, message.recipient]
    description = f"{_WHAT[message.kind]} to {message.recipient} queued for delivery."
    event = new_event(actor, now, EventType.MAIL_QUEUED, description, lambda: queued_event_id(message))
    return Change(touched(invoice, actor, now, **update), event)


def record_mail_sent(
    invoice: Invoice, message: OutboxMessage, ses_message_id: str, *, actor: Actor, now: datetime
) -> Change:
    event_type = EventType.REMINDER_SENT if message.kind is MailKind.REMINDER else EventType.MAIL_SENT
    description = f"{_WHAT[message.kind]} sent to {message.recipient} (SES message {ses_message_id})."
    event = new_event(actor, now, event_type, description, lambda: sent_event_id(message.message_id))
    return Change(touched(invoice, actor, now), event)


def record_delivery_failed(
    invoice: Invoice, message: OutboxMessage, reason: str, *, actor: Actor, now: datetime
) -> Change:
    description = f"{_WHAT[message.kind]} to {message.recipient} was not delivered: {reason}"
    event = new_event(
        actor, now, EventType.DELIVERY_FAILED, description, lambda: failed_event_id(message.message_id)
    )
    return Change(touched(invoice, actor, now), event)


def record_mail_cancelled(
    invoice: Invoice, message: OutboxMessage, reason: str, *, actor: Actor, now: datetime
) -> Change:
    """The worker gave the mail up before sending: the invoice no longer allows it (`reason`)."""
    description = (
        f"{_WHAT[message.kind]} to {message.recipient} was not sent: "
        f"the invoice is {invoice.status} ({reason})."
    )
    event = new_event(
        actor, now, EventType.MAIL_CANCELLED, description, lambda: cancelled_event_id(message.message_id)
    )
    return Change(touched(invoice, actor, now), event)


def record_mail_notification(
    invoice: Invoice,
    message_id: str,
    event_type: EventType,
    recipient: str,
    detail: str,
    *,
    actor: Actor,
    now: datetime,
) -> Change:
    """SES reported what became of a mail: DELIVERED, BOUNCED or COMPLAINED."""
    description = f"Mail to {recipient}: {detail}"
    event = new_event(
        actor, now, event_type, description, lambda: notification_event_id(message_id, event_type, recipient)
    )
    return Change(touched(invoice, actor, now), event)
