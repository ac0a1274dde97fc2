"""When a scheduled invoice is sent: the time asked for, else its invoice date, which it then follows.

Kept apart from `sending` so that the invoice edits (`invoicing.invoices.edits.update_invoice`) can
apply the rule without importing the scheduling transitions.
"""

from __future__ import annotations

from datetime import datetime

from invoicing.errors import Unprocessable
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.model import Invoice


def send_time(requested: datetime | None, invoice: Invoice, now: datetime) -> datetime:
    """The requested time, else the invoice date; it must lie in the future (422)."""
    at = requested or invoice.invoiceDate
    if at is None:
        raise Unprocessable(
            f"Invoice {invoice.id} has no invoiceDate to be sent on: send sendAt, or set its invoiceDate.",
            field_errors={"sendAt": ["Required when the invoice has no invoiceDate."]},
        )
    if at <= now:
        raise Unprocessable(
            f"The send time {at.isoformat()} is not in the future.",
            field_errors={"sendAt": ["Must be in the future."]},
        )
    return at


def follow_invoice_date(invoice: Invoice, now: datetime) -> Invoice:
    """A SCHEDULED invoice sent on its invoice date moves with it (an update of the date): the new
    date must lie in the future too (422)."""
    if invoice.status is not InvoiceStatus.SCHEDULED or not invoice.scheduledSendFollowsInvoiceDate:
        return invoice
    if invoice.invoiceDate == invoice.scheduledSendAt:
        return invoice
    if invoice.invoiceDate is None or invoice.invoiceDate <= now:
        raise Unprocessable(
            f"Invoice {invoice.id} is scheduled to be sent on its invoice date, which must stay in the "
            "future: unschedule it first, or choose a later date.",
            field_errors={"invoiceDate": ["A scheduled invoice's send date: must be in the future."]},
        )
    return invoice.model_copy(update={"scheduledSendAt": invoice.invoiceDate})
