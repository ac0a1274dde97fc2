"""The trail of events each mail leaves on its invoice (pure, like `invoicing.invoices.edits`).

The events' ids derive from the outbox message id, so recording the same step twice (a retried
request, a redelivered queue message or notification) changes nothing: MAIL_QUEUED when the API
accepts it, MAIL_SENT or REMINDER_SENT when SES took it, then DELIVERED, BOUNCED or COMPLAINED from
SES's notifications, DELIVERY_FAILED when it could not be sent, or MAIL_CANCELLED when the invoice
no longer allowed it by the time the worker took it (paid, cancelled).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from invoicing.invoices.edits import touched
from invoicing.invoices.enums import EventType, NotificationChannel
from invoicing.invoices.kernel import Actor, Change, new_event
from invoicing.invoices.model import Event, Invoice, Reminder
from invoicing.mail.message import MailKind, OutboxMessage

_WHAT = {
    MailKind.INVOICE: "Invoice mail",
    MailKind.COPY: "Copy of the invoice",
    MailKind.REMINDER: "Reminder",
    MailKind.NOTIFICATION: "E-mail notification",
    MailKind.SMS: "Text message",
}
#: seed 003's notifications: their events name the channel and the recipient
_CHANNELS = {MailKind.NOTIFICATION: NotificationChannel.EMAIL, MailKind.SMS: NotificationChannel.SMS}


def _noted(event: Event, message: OutboxMessage) -> Event:
    channel = _CHANNELS.get(message.kind)
    if channel is None:
        return event
    return event.model_copy(update={"channel": channel, "recipient": message.recipient})


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
    event_type = EventType.MAIL_QUEUED
    if message.kind is MailKind.REMINDER:
        update["reminders"] = [*invoice.reminders, Reminder(createdBy=actor.subject, sentOn=now)]
    elif message.kind is MailKind.SMS:
        event_type = EventType.SMS_QUEUED
    else:
        update["sentMails"] = [*invoice.sentMails, message.recipient]
    description = f"{_WHAT[message.kind]} to {message.recipient} queued for delivery."
    event = new_event(actor, now, event_type, description, lambda: queued_event_id(message))
    return Change(touched(invoice, actor, now, **update), _noted(event, message))


_SENT_EVENTS = {MailKind.REMINDER: EventType.REMINDER_SENT, MailKind.SMS: EventType.SMS_SENT}


def record_mail_sent(
    invoice: Invoice, message: OutboxMessage, ses_message_id: str, *, actor: Actor, now: datetime
) -> Change:
    event_type = _SENT_EVENTS.get(message.kind, EventType.MAIL_SENT)
    service = "SNS" if message.kind is MailKind.SMS else "SES"
    description = f"{_WHAT[message.kind]} sent to {message.recipient} ({service} message {ses_message_id})."
    event = new_event(actor, now, event_type, description, lambda: sent_event_id(message.message_id))
    return Change(touched(invoice, actor, now), _noted(event, message))


def record_delivery_failed(
    invoice: Invoice, message: OutboxMessage, reason: str, *, actor: Actor, now: datetime
) -> Change:
    description = f"{_WHAT[message.kind]} to {message.recipient} was not delivered: {reason}"
    event = new_event(
        actor, now, EventType.DELIVERY_FAILED, description, lambda: failed_event_id(message.message_id)
    )
    return Change(touched(invoice, actor, now), _noted(event, message))


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
    return Change(touched(invoice, actor, now), _noted(event, message))


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
