"""Attachments as a use case: every file checked before any is stored, nothing left behind when the
invoice refuses them, links to the invoice's own files only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from invoicing.documents.attachments import Attachments
from invoicing.documents.files import MAX_ATTACHMENTS, UploadedFile
from invoicing.errors import ConcurrentChange, NotFound, PayloadTooLarge, UnsupportedMediaType
from invoicing.invoices import edits, kernel
from invoicing.invoices.enums import AttachmentType, EventType, PdfRendition
from invoicing.invoices.model import Attachment, Event, Invoice, InvoiceCreate, RowInput
from invoicing.links import DownloadLink

NOW = datetime(2026, 11, 22, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PDF = b"%PDF-1.7\n"


class InMemoryInvoices:
    """One invoice; `meddle` replaces it before the next save, as a concurrent request would."""

    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice
        self.meddle: Invoice | None = None

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        return self.invoice

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number: object = None) -> Invoice:
        if self.meddle is not None:
            self.invoice, self.meddle = self.meddle, None
            raise ConcurrentChange("changed meanwhile")
        self.invoice = invoice.model_copy(
            update={"version": previous.version + len(events), "events": [*previous.events, *events]}
        )
        return self.invoice

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return 0


class InMemoryFiles:
    def __init__(self) -> None:
        self.attachments: dict[tuple[str, str, str], tuple[bytes, str, str]] = {}
        self.deleted: list[str] = []

    def put_attachment(
        self,
        tenant_id: str,
        invoice_id: str,
        blob_id: str,
        content: bytes,
        *,
        content_type: str,
        file_name: str,
    ) -> None:
        self.attachments[tenant_id, invoice_id, blob_id] = (content, content_type, file_name)

    def attachment_link(self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime) -> DownloadLink:
        if (tenant_id, invoice_id, blob_id) not in self.attachments:
            raise NotFound("gone")
        return DownloadLink(f"https://files/{blob_id}", now + timedelta(minutes=5))

    def delete_attachment(self, tenant_id: str, invoice_id: str, blob_id: str) -> None:
        self.attachments.pop((tenant_id, invoice_id, blob_id), None)
        self.deleted.append(blob_id)

    def invoice_pdf_link(self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime) -> DownloadLink:
        return DownloadLink(f"https://pdfs/{blob_id}", now + timedelta(minutes=5))


def draft() -> Invoice:
    create = InvoiceCreate(
        currency="EUR", rows=[RowInput(description="Consulting", quantity=Decimal(1), unitPrice=Decimal(50))]
    )
    return edits.create_invoice(create, actor=ACTOR, now=NOW).invoice


def stored_attachment(blob_id: str) -> Attachment:
    return Attachment(
        blobId=blob_id, created=NOW, extension="png", fileSize=1, name="a.png", type=AttachmentType.IMAGE
    )


@pytest.fixture
def world() -> tuple[Attachments, InMemoryInvoices, InMemoryFiles]:
    invoices, files = InMemoryInvoices(draft()), InMemoryFiles()
    ids = iter(f"blob-{number}" for number in range(1, 100))
    return Attachments(invoices, files, clock=lambda: NOW, make_id=lambda: next(ids)), invoices, files


def test_an_upload_stores_every_file_and_records_them_with_one_event(world):
    attachments, invoices, files = world

    changed = attachments.upload(
        ACTOR, invoices.invoice.id, lambda: [UploadedFile("scan.png", PNG), UploadedFile("../terms", PDF)]
    )

    assert [(item.blobId, item.name, item.type) for item in changed.attachments] == [
        ("blob-1", "scan.png", AttachmentType.IMAGE),
        ("blob-2", "terms.pdf", AttachmentType.PDF),
    ]
    assert files.attachments == {
        ("acme", changed.id, "blob-1"): (PNG, "image/png", "scan.png"),
        ("acme", changed.id, "blob-2"): (PDF, "application/pdf", "terms.pdf"),
    }
    assert changed.events[-1].type is EventType.ATTACHMENT_ADDED


def test_a_refused_file_refuses_the_upload_before_anything_is_stored(world):
    attachments, invoices, files = world

    with pytest.raises(UnsupportedMediaType):
        attachments.upload(
            ACTOR, invoices.invoice.id, lambda: [UploadedFile("a.png", PNG), UploadedFile("run.exe", b"MZ")]
        )

    assert files.attachments == {}
    assert invoices.invoice.attachments == []


def test_files_the_invoice_refuses_after_they_were_stored_are_deleted_again(world):
    attachments, invoices, files = world
    full = [stored_attachment(f"other-{number}") for number in range(MAX_ATTACHMENTS)]
    invoices.meddle = invoices.invoice.model_copy(update={"attachments": full})

    with pytest.raises(PayloadTooLarge):
        attachments.upload(ACTOR, invoices.invoice.id, lambda: [UploadedFile("a.png", PNG)])

    assert files.attachments == {}
    assert files.deleted == ["blob-1"]


def test_a_blob_id_links_to_the_invoices_pdf_or_attachment_and_nothing_else(world):
    attachments, invoices, _ = world
    uploaded = attachments.upload(ACTOR, invoices.invoice.id, lambda: [UploadedFile("a.png", PNG)])
    pdf = stored_attachment("preview-1").model_copy(
        update={"type": AttachmentType.PDF, "rendition": PdfRendition.PREVIEW}
    )
    invoices.invoice = uploaded.model_copy(update={"pdf": pdf})

    to_pdf = attachments.link("acme", uploaded.id, "preview-1")
    to_file = attachments.link("acme", uploaded.id, "blob-1")

    assert (to_pdf.attachment, to_pdf.link.url) == (pdf, "https://pdfs/preview-1")
    assert (to_file.attachment.name, to_file.link.url) == ("a.png", "https://files/blob-1")
    assert to_file.link.expires_at == NOW + timedelta(minutes=5)
    with pytest.raises(NotFound):
        attachments.link("acme", uploaded.id, "no-such-blob")


def test_removing_an_attachment_records_it_then_deletes_its_file(world):
    attachments, invoices, files = world
    uploaded = attachments.upload(ACTOR, invoices.invoice.id, lambda: [UploadedFile("a.png", PNG)])

    attachments.remove(ACTOR, uploaded.id, "blob-1")

    assert invoices.invoice.attachments == []
    assert invoices.invoice.events[-1].type is EventType.ATTACHMENT_REMOVED
    assert files.deleted == ["blob-1"]
    with pytest.raises(NotFound):
        attachments.remove(ACTOR, uploaded.id, "blob-1")


def test_the_request_is_read_only_once_the_invoice_is_found(world):
    attachments, invoices, files = world

    def missing(tenant_id: str, invoice_id: str) -> Invoice:
        raise NotFound(f"Invoice {invoice_id} does not exist.")

    def unread() -> list[UploadedFile]:
        raise AssertionError("the body was read")

    invoices.get = missing

    with pytest.raises(NotFound):
        attachments.upload(ACTOR, "no-such-invoice", unread)
    assert files.attachments == {}
