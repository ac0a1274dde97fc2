"""What delivering a mail does to the invoice (pure, like `invoicing.invoices.service`)."""

from __future__ import annotations

from datetime import datetime

from invoicing.invoices.enums import EventType
from invoicing.invoices.model import Invoice
from invoicing.invoices.service import Actor, Change, NewId, new_event, new_id, touched


def record_mail_sent(
    invoice: Invoice, recipient: str, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    """Append the recipient to `sentMails` and a MAIL_SENT event."""
    sent = touched(invoice, actor, now, sentMails=[*invoice.sentMails, recipient])
    return Change(sent, new_event(actor, now, EventType.MAIL_SENT, f"Invoice mailed to {recipient}", make_id))
