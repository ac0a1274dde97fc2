"""What an invoice records of its documents (PDFs and attachments): pure changes, each returning the
new invoice and its event, and the lookups they rely on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from invoicing.documents.files import check_attachment_count
from invoicing.errors import Conflict, InvoiceChanged, NotFound
from invoicing.invoices.enums import ISSUED_STATUSES, EventType, InvoiceStatus, PdfRendition
from invoicing.invoices.kernel import Actor, Change, NewId, new_id
from invoicing.invoices.model import Attachment, Event, Invoice


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


class PdfAlreadyKept(Exception):
    """Another request recorded this rendition first: its PDF stands, this render is discarded."""

    def __init__(self, invoice: Invoice, pdf: Attachment) -> None:
        super().__init__(f"invoice {invoice.id} already has its {pdf.rendition} PDF")
        self.invoice = invoice
        self.pdf = pdf


def ensure_rendition_allowed(invoice: Invoice, rendition: PdfRendition) -> None:
    """A preview is a draft's; an original needs an issued invoice; a paid copy, a paid one."""
    issued = invoice.status in ISSUED_STATUSES
    if rendition is PdfRendition.PREVIEW and issued:
        raise Conflict(f"Invoice {invoice.id} is issued: its PDF is the original it was issued with.")
    if rendition is PdfRendition.ORIGINAL and not issued:
        raise Conflict(
            f"Invoice {invoice.id} is {invoice.status.value}: only an issued invoice has an original; "
            "a draft has a preview."
        )
    if rendition is PdfRendition.PAID and invoice.status is not InvoiceStatus.PAID:
        raise Conflict(
            f"Invoice {invoice.id} is {invoice.status.value}: only a paid invoice has a paid copy."
        )


def stored_pdf(invoice: Invoice, rendition: PdfRendition) -> Attachment | None:
    """The recorded PDF of that rendition, if any (an original is only ever an ORIGINAL one)."""
    if rendition is PdfRendition.PAID:
        return invoice.paidPdf
    pdf = invoice.pdf
    if rendition is PdfRendition.ORIGINAL:
        return pdf if pdf is not None and pdf.rendition is PdfRendition.ORIGINAL else None
    return pdf


def record_kept_pdf(
    invoice: Invoice, pdf: Attachment, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    """Record an original or a paid copy, once: PdfAlreadyKept if the invoice has one already."""
    rendition = pdf.rendition or PdfRendition.ORIGINAL
    existing = stored_pdf(invoice, rendition)
    if existing is not None:
        raise PdfAlreadyKept(invoice, existing)
    if rendition is PdfRendition.PAID:
        description = f"Paid copy {pdf.name} generated ({pdf.fileSize} bytes)."
        return _changed(invoice, {"paidPdf": pdf}, EventType.PDF_GENERATED, description, actor, now, make_id)
    description = f"Original PDF {pdf.name} issued ({pdf.fileSize} bytes); it is kept unchanged."
    return _changed(invoice, {"pdf": pdf}, EventType.PDF_GENERATED, description, actor, now, make_id)


def find_pdf(invoice: Invoice, blob_id: str) -> Attachment | None:
    """The invoice's own PDF (preview, original or paid copy) of that blob id, if it is one."""
    for pdf in (invoice.pdf, invoice.paidPdf):
        if pdf is not None and pdf.blobId == blob_id:
            return pdf
    return None


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
