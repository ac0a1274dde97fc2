"""A published invoice's public link and how long it lives (pure).

A link is a random id (`secrets`, 128 bits) kept on the invoice; the token and the short code the
customer holds are keyed hashes of it (`keys.LinkKeys`). It lives while the invoice is owed and for
`KEPT_AFTER_SETTLED` after it is paid or cancelled; issuing a new one revokes the old.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from invoicing.errors import Conflict
from invoicing.invoices.enums import UNPUBLISHED_STATUSES, InvoiceStatus
from invoicing.invoices.kernel import Change
from invoicing.invoices.model import Invoice, PublicLink

#: how long the page stays reachable once nothing is owed any more (a receipt to look up)
KEPT_AFTER_SETTLED = timedelta(days=90)
LINK_ID_BYTES = 16
_SETTLED = {InvoiceStatus.PAID, InvoiceStatus.CANCELLED}


def new_link(now: datetime) -> PublicLink:
    return PublicLink(id=secrets.token_urlsafe(LINK_ID_BYTES), issuedAt=now)


def with_new_link(change: Change, now: datetime) -> Change:
    """`change` (a publish) with the invoice's first public link."""
    return Change(change.invoice.model_copy(update={"publicLink": new_link(now)}), change.event)


def reissued(invoice: Invoice, now: datetime) -> Invoice:
    """The invoice with a new link (the old one is revoked); Conflict for an unpublished invoice."""
    if invoice.status in UNPUBLISHED_STATUSES or invoice.status is InvoiceStatus.ISSUED:
        raise Conflict(
            f"Invoice {invoice.id} is {invoice.status.value}: only a published invoice has a public link."
        )
    return invoice.model_copy(update={"publicLink": new_link(now)})


def expires_at(invoice: Invoice) -> datetime | None:
    """When the invoice's link stops working: none while it is owed."""
    if invoice.status not in _SETTLED:
        return None
    settled = (
        invoice.datePaid if invoice.status is InvoiceStatus.PAID and invoice.datePaid else invoice.updated
    )
    return settled + KEPT_AFTER_SETTLED


def is_live(invoice: Invoice, link_id: str, now: datetime) -> bool:
    """The link `link_id` opens `invoice` at `now`: its current link, published, not expired."""
    link = invoice.publicLink
    if link is None or not secrets.compare_digest(link.id, link_id):
        return False
    if invoice.status in UNPUBLISHED_STATUSES or invoice.status is InvoiceStatus.ISSUED:
        return False
    expiry = expires_at(invoice)
    return expiry is None or now < expiry
