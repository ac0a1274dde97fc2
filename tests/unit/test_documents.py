"""What goes on an invoice PDF, and the rules for attached files."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from invoicing.documents import records
from invoicing.documents.content import invoice_document
from invoicing.documents.files import (
    DOCX,
    JPEG,
    MAX_ATTACHMENTS,
    MAX_FILE_BYTES,
    ODS,
    PDF,
    PNG,
    XLSX,
    UploadedFile,
    check_upload,
    content_disposition,
    sanitize_file_name,
    sniff,
)
from invoicing.documents.multipart import parse_files
from invoicing.documents.theme import DEFAULT_THEME, Theme, parse_theme
from invoicing.errors import InvoiceChanged, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from invoicing.formatting import format_money
from invoicing.invoices import edits, kernel
from invoicing.invoices.enums import AttachmentType, InvoiceStatus
from invoicing.invoices.model import Attachment, Invoice, InvoiceCreate
from invoicing.tenants.model import Tenant

NOW = datetime(2026, 11, 22, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
SELLER = Tenant("acme", 1, "Acme Müller GmbH", "EUR", "billing@acme.test", NOW)


def invoice(**fields: object) -> Invoice:
    body = {
        "currency": "EUR",
        "invoiceDate": "2026-11-22T00:00:00Z",
        "paymentTermDays": 14,
        "customer": {"companyName": "Globex", "firstName": "Zoë", "lastName": "Ødegård"},
        "rows": [
            {
                "description": "Consulting",
                "quantity": 10,
                "quantityType": "HOURS",
                "unitPrice": 120,
                "taxRate": 19,
            },
            {
                "description": "Book",
                "quantity": 3,
                "unitPrice": "19.99",
                "discountPercentage": 10,
                "taxRate": 7,
            },
            {"description": "Setup", "quantity": 1, "unitPrice": "0.005", "taxRate": 19},
        ],
        **fields,
    }
    return edits.create_invoice(InvoiceCreate.model_validate(body), actor=ACTOR, now=NOW).invoice


def zipped(**entries: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


def test_the_document_shows_the_computed_figures_and_tax_per_rate():
    source = invoice(note="Dziękujemy!", shippingAmount="4.90")

    document = invoice_document(source, SELLER, DEFAULT_THEME)

    assert document.title == "Invoice (draft)"
    assert document.seller == ("Acme Müller GmbH", "billing@acme.test")
    assert document.buyer == ("Globex", "Attn. Zoë Ødegård")
    assert [(row.quantity, row.unit, row.discount, row.amount) for row in document.rows] == [
        ("10", "h", "", "€1,200.00"),
        ("3", "", "10 %", "€53.97"),
        ("1", "", "", "€0.01"),
    ]
    assert [(tax.rate, tax.taxable, tax.tax) for tax in document.taxes] == [
        ("0 %", "€4.90", "€0.00"),
        ("7 %", "€53.97", "€3.78"),
        ("19 %", "€1,200.01", "€228.00"),
    ]
    totals = dict(document.totals)
    assert totals["Subtotal"] == format_money(source.linesTotal, "EUR") == "€1,253.98"
    assert totals["Shipping"] == "€4.90"
    assert totals["Total excl. tax"] == format_money(source.totalExcludingTax, "EUR") == "€1,258.88"
    assert totals["Total due"] == format_money(source.total, "EUR")
    assert totals["Balance due"] == totals["Total due"]
    assert document.notes == "Dziękujemy!"


def test_a_buyer_without_customer_block_is_its_contact():
    document = invoice_document(invoice(customer=None, contactEmail="ap@x.test"), SELLER, DEFAULT_THEME)

    assert document.buyer == ("ap@x.test",)


def test_the_fingerprint_follows_content_and_theme_but_not_bookkeeping():
    source = invoice()
    base = invoice_document(source, SELLER, DEFAULT_THEME).fingerprint()
    touched = source.model_copy(update={"version": 7, "updated": NOW.replace(year=2027)})

    assert invoice_document(touched, SELLER, DEFAULT_THEME).fingerprint() == base
    assert invoice_document(source, SELLER, Theme(footerText="IBAN")).fingerprint() != base
    assert invoice_document(invoice(note="changed"), SELLER, DEFAULT_THEME).fingerprint() != base


def test_a_theme_is_data_and_a_bad_one_is_named():
    assert parse_theme(b'{"accentColor": "#AA0000", "footerText": "Acme"}').accentColor == "#AA0000"
    with pytest.raises(ValidationFailed):
        parse_theme(b'{"accentColor": "red"}')


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n", PDF),
        (b"\x89PNG\r\n\x1a\n....", PNG),
        (b"\xff\xd8\xff\xe0....", JPEG),
        (zipped(**{"[Content_Types].xml": b"x", "word__document.xml": b"x"}), DOCX),
        (zipped(**{"[Content_Types].xml": b"x", "xl__workbook.xml": b"x"}), XLSX),
        (zipped(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"), ODS),
        (zipped(**{"evil.exe": b"MZ"}), None),
        (b"MZ\x90\x00", None),
        (b"<html><script>", None),
        (b"", None),
    ],
)
def test_the_type_is_judged_by_content(content, kind):
    assert sniff(content) == kind


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("C:\\Users\\me\\scan.PDF", PDF, "scan.PDF"),
        ('a"b;c\r\n.pdf', PDF, "a_b_c.pdf"),
        ("photo.jpeg", JPEG, "photo.jpeg"),
        ("invoice.pdf.exe", PDF, "invoice.pdf.exe.pdf"),
        ("....", PDF, "attachment.pdf"),
        ("Łódź ÅÄÖ.pdf", PDF, "Łódź ÅÄÖ.pdf"),
        ("x" * 300 + ".pdf", PDF, "x" * 116 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(name, kind, expected):
    assert sanitize_file_name(name, kind) == expected


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    assert content_disposition("Łódź €.pdf") == (
        "attachment; filename=\"_odz _.pdf\"; filename*=UTF-8''%C5%81%C3%B3d%C5%BA%20%E2%82%AC.pdf"
    )


def test_uploads_are_checked_whole_before_anything_is_stored():
    good = UploadedFile("a.png", b"\x89PNG\r\n\x1a\n")

    assert [file.name for file in check_upload([good], attached_already=0)] == ["a.png"]
    with pytest.raises(PayloadTooLarge):
        check_upload([UploadedFile("big.pdf", b"%PDF-" + bytes(MAX_FILE_BYTES))], attached_already=0)
    with pytest.raises(UnsupportedMediaType) as refused:
        check_upload([good, UploadedFile("x.pdf", b"MZ")], attached_already=0)
    assert refused.value.field_errors == {
        "files[1]": ["Allowed: PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, ODT or ODS."]
    }
    with pytest.raises(PayloadTooLarge):
        check_upload([good], attached_already=MAX_ATTACHMENTS)


def test_multipart_files_are_read_with_their_names():
    body = (
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="Gr\xc3\xb6\xc3\x9fe.pdf"\r\n\r\n'
        b'%PDF-\x00\xff\r\n--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--b--\r\n'
    )

    files = parse_files("multipart/form-data; boundary=b", body, "files")

    assert [(file.name, file.content) for file in files] == [("Größe.pdf", b"%PDF-\x00\xff")]
    with pytest.raises(ValidationFailed):
        parse_files("application/json", body, "files")
    with pytest.raises(ValidationFailed):
        parse_files("multipart/form-data; boundary=b", body, "attachments")


def attachment(blob_id: str) -> Attachment:
    return Attachment(
        blobId=blob_id, created=NOW, extension="png", fileSize=1, name="a.png", type=AttachmentType.IMAGE
    )


def test_attachments_are_added_and_removed_with_events():
    added = records.add_attachments(invoice(), [attachment("b1"), attachment("b2")], actor=ACTOR, now=NOW)
    removed = records.remove_attachment(added.invoice, "b1", actor=ACTOR, now=NOW)

    assert [item.blobId for item in removed.invoice.attachments] == ["b2"]
    assert (added.event.type, removed.event.type) == ("ATTACHMENT_ADDED", "ATTACHMENT_REMOVED")
    with pytest.raises(NotFound):
        records.remove_attachment(removed.invoice, "b1", actor=ACTOR, now=NOW)


def test_a_pdf_is_recorded_only_for_the_content_it_was_rendered_from():
    source = invoice()
    fingerprint = invoice_document(source, SELLER, DEFAULT_THEME).fingerprint()
    pdf = Attachment(
        blobId=fingerprint, created=NOW, extension="pdf", fileSize=9, name="i.pdf", type=AttachmentType.PDF
    )

    recorded = records.record_pdf(source, pdf, current_fingerprint=fingerprint, actor=ACTOR, now=NOW)

    assert records.is_pdf_current(recorded.invoice, fingerprint)
    assert recorded.event.type == "PDF_GENERATED"
    assert recorded.invoice.status == InvoiceStatus.DRAFT
    with pytest.raises(InvoiceChanged):
        records.record_pdf(source, pdf, current_fingerprint="other", actor=ACTOR, now=NOW)
