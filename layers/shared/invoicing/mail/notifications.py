"""SES notifications of what became of a mail, read into what the invoice records.

SES publishes them (event publishing through the configuration set, or identity notifications) to
SNS as JSON: `eventType` (or `notificationType`) Delivery, Bounce or Complaint, and `mail.tags`
carrying the tenant, invoice and mail id the worker sent with the mail. A notification without
those tags is not about an invoice mail and is ignored. Tags are only what the sender wrote, and
the SES identity and configuration set are shared: a notification counts only when SES's message
id is the one the outbox recorded for the mail its tags name (`is_of_recorded_mail`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from invoicing.invoices.enums import EventType

#: the message tags the delivery worker sends with every mail
TENANT_TAG, INVOICE_TAG, MAIL_TAG = "tenant", "invoice", "mail"


@dataclass(frozen=True)
class MailOutcome:
    recipient: str
    event_type: EventType
    detail: str
    #: why the address must not be mailed again, for hard bounces and complaints
    suppress_reason: str | None = None


@dataclass(frozen=True)
class MailNotification:
    tenant_id: str
    invoice_id: str
    mail_id: str
    ses_message_id: str
    outcomes: tuple[MailOutcome, ...]


def is_of_recorded_mail(notification: MailNotification, recorded_ses_message_id: str | None) -> bool:
    """The notification is about the mail its tags name: SES's id for it is the one we recorded."""
    return bool(recorded_ses_message_id) and notification.ses_message_id == recorded_ses_message_id


def _tag(tags: dict[str, Any], name: str) -> str | None:
    values = tags.get(name)
    if isinstance(values, list) and values and isinstance(values[0], str):
        return values[0]
    return None


def _delivery(body: dict[str, Any]) -> list[MailOutcome]:
    delivery = body.get("delivery", {})
    response = delivery.get("smtpResponse", "accepted by the receiving server")
    return [
        MailOutcome(recipient, EventType.DELIVERED, f"delivered ({response}).")
        for recipient in delivery.get("recipients", [])
    ]


def _bounce(body: dict[str, Any]) -> list[MailOutcome]:
    bounce = body.get("bounce", {})
    bounce_type, sub_type = bounce.get("bounceType", "Undetermined"), bounce.get("bounceSubType", "")
    permanent = bounce_type == "Permanent"
    outcomes = []
    for recipient in bounce.get("bouncedRecipients", []):
        address = recipient.get("emailAddress", "")
        diagnostic = recipient.get("diagnosticCode") or sub_type
        kind = "hard bounce" if permanent else f"{bounce_type.lower()} bounce"
        outcomes.append(
            MailOutcome(
                address,
                EventType.BOUNCED,
                f"{kind} ({diagnostic})." if diagnostic else f"{kind}.",
                f"hard bounce on {bounce.get('timestamp', 'an earlier mail')}" if permanent else None,
            )
        )
    return outcomes


def _complaint(body: dict[str, Any]) -> list[MailOutcome]:
    complaint = body.get("complaint", {})
    feedback = complaint.get("complaintFeedbackType", "not given")
    return [
        MailOutcome(
            recipient.get("emailAddress", ""),
            EventType.COMPLAINED,
            f"the recipient marked it as spam (feedback type {feedback}).",
            f"complaint on {complaint.get('timestamp', 'an earlier mail')}",
        )
        for recipient in complaint.get("complainedRecipients", [])
    ]


_READERS = {"Delivery": _delivery, "Bounce": _bounce, "Complaint": _complaint}


def parse_ses_notification(message: str) -> MailNotification | None:
    """The invoice mail a notification is about and its outcomes; None when it is not about one."""
    try:
        body = json.loads(message)
    except json.JSONDecodeError:
        return None
    if not isinstance(body, dict):
        return None
    reader = _READERS.get(body.get("eventType") or body.get("notificationType") or "")
    mail = body.get("mail", {})
    tags = mail.get("tags", {}) if isinstance(mail, dict) else {}
    tenant_id, invoice_id, mail_id = (_tag(tags, name) for name in (TENANT_TAG, INVOICE_TAG, MAIL_TAG))
    if reader is None or tenant_id is None or invoice_id is None or mail_id is None:
        return None
    outcomes = tuple(outcome for outcome in reader(body) if outcome.recipient)
    return MailNotification(tenant_id, invoice_id, mail_id, str(mail.get("messageId", "")), outcomes)
