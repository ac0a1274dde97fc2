"""Pure changes that record documents on an invoice: each returns the new invoice and its event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from invoicing.documents.files import check_attachment_count
from invoicing.errors import InvoiceChanged, NotFound
from invoicing.invoices.enums import EventType
from invoicing.invoices.model import Attachment, Event, Invoice
from invoicing.invoices.service import Actor, Change, NewId, new_id


def _changed(
    invoice: Invoice,
    update: Mapping[str, object],
    event_type: EventType,
    description: str,
    actor: Actor,
    now: datetime,
    make_id: NewId,
) -> Change:
    changed = invoice.model_copy(update={**update, "updated": now, "updatedBy": actor.subject})
    event = Event(id=make_id(), type=event_type, date=now, authorId=actor.subject, description=description)
    return Change(changed, event)


def is_pdf_current(invoice: Invoice, fingerprint: str) -> bool:
    """The stored PDF was rendered from exactly this content (its blob id is the fingerprint)."""
    return invoice.pdf is not None and invoice.pdf.blobId == fingerprint


def record_pdf(
    invoice: Invoice,
    pdf: Attachment,
    *,
    current_fingerprint: str,
    actor: Actor,
    now: datetime,
    make_id: NewId = new_id,
) -> Change:
    """Point the invoice at a freshly rendered PDF; refused if the invoice moved on since the render."""
    if pdf.blobId != current_fingerprint:
        raise InvoiceChanged("The invoice changed while its PDF was rendered; request it again.")
    description = f"PDF {pdf.name} generated ({pdf.fileSize} bytes)."
    return _changed(invoice, {"pdf": pdf}, EventType.PDF_GENERATED, description, actor, now, make_id)


def add_attachments(
    invoice: Invoice, attachments: list[Attachment], *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    check_attachment_count(len(invoice.attachments) + len(attachments))
    names = ", ".join(attachment.name for attachment in attachments)
    update = {"attachments": [*invoice.attachments, *attachments]}
    return _changed(invoice, update, EventType.ATTACHMENT_ADDED, f"Attached {names}.", actor, now, make_id)


def find_attachment(invoice: Invoice, blob_id: str) -> Attachment:
    for attachment in invoice.attachments:
        if attachment.blobId == blob_id:
            return attachment
    raise NotFound(f"Invoice {invoice.id} has no attachment {blob_id}.")


def remove_attachment(
    invoice: Invoice, blob_id: str, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    removed = find_attachment(invoice, blob_id)
    update = {"attachments": [item for item in invoice.attachments if item.blobId != blob_id]}
    description = f"Removed attachment {removed.name}."
    return _changed(invoice, update, EventType.ATTACHMENT_REMOVED, description, actor, now, make_id)
