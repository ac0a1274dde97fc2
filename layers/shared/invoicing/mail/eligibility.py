"""Whether an invoice may be mailed now, and to whom (pure).

The API checks it when it accepts a mail, and the delivery worker again just before sending, since
the invoice may have been paid or cancelled meanwhile.
"""

from __future__ import annotations

from invoicing.errors import Unprocessable
from invoicing.invoices.enums import OWED_STATUSES, PUBLISHED_STATUSES
from invoicing.invoices.model import Invoice
from invoicing.mail.message import MailKind


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
    something is left to pay."""
    if kind is MailKind.REMINDER and invoice.status not in OWED_STATUSES:
        return "reminders go out for sent, unpaid invoices only"
    if invoice.status not in PUBLISHED_STATUSES or invoice.invoiceNumber is None:
        return "only published invoices are mailed"
    return None


def ensure_mailable(invoice: Invoice, kind: MailKind) -> None:
    reason = why_not_mailable(invoice, kind)
    if reason is not None:
        raise Unprocessable(f"Invoice {invoice.id} is {invoice.status}: {reason}.")
