"""The current PDF of an invoice: rendered, stored and recorded only when missing or stale."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.documents.content import InvoiceDocument, invoice_document
from invoicing.documents.rendering import CurrentPdfs, render_with_fpdf
from invoicing.documents.theme import DEFAULT_THEME
from invoicing.errors import Conflict, InvoiceChanged, NotFound
from invoicing.invoices import edits, kernel
from invoicing.invoices.enums import AttachmentType, EventType, InvoiceStatus, PdfRendition
from invoicing.invoices.model import (
    Address,
    Customer,
    Event,
    Invoice,
    InvoiceCreate,
    RowInput,
    Seller,
    SellerAddress,
)
from invoicing.tenants.model import Tenant
from tests.fakes import InMemoryTenantRepository

NOW = datetime(2026, 11, 22, tzinfo=UTC)
LATER = datetime(2026, 11, 23, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
SELLER = Tenant("acme", 1, "Acme Müller GmbH", "EUR", "billing@acme.test", NOW)


class InMemoryInvoices:
    """One invoice; `meddle` changes it on the next read, as a concurrent request would."""

    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice
        self.meddle: Invoice | None = None

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        if self.meddle is not None:
            self.invoice, self.meddle = self.meddle, None
        return self.invoice

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number: object = None) -> Invoice:
        self.invoice = invoice.model_copy(
            update={"version": previous.version + len(events), "events": [*previous.events, *events]}
        )
        return self.invoice

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return 0


class InMemoryFiles:
    def __init__(self) -> None:
        self.pdfs: dict[tuple[str, str, str], tuple[bytes, str]] = {}
        self.theme_document: bytes | None = None
        self.logo: bytes | None = None

    def theme(self, tenant_id: str) -> tuple[bytes | None, bytes | None]:
        return self.theme_document, self.logo

    def put_invoice_pdf(
        self, tenant_id: str, invoice_id: str, blob_id: str, content: bytes, file_name: str
    ) -> None:
        self.pdfs[tenant_id, invoice_id, blob_id] = (content, file_name)

    def delete_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> None:
        del self.pdfs[tenant_id, invoice_id, blob_id]

    def read_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> bytes | None:
        stored = self.pdfs.get((tenant_id, invoice_id, blob_id))
        return stored[0] if stored is not None else None


class Renderer:
    def __init__(self) -> None:
        self.calls: list[tuple[InvoiceDocument, bytes | None, datetime]] = []

    def __call__(self, document: InvoiceDocument, logo: bytes | None, *, now: datetime) -> bytes:
        self.calls.append((document, logo, now))
        return f"%PDF {document.fingerprint()}".encode()


def draft() -> Invoice:
    create = InvoiceCreate(
        currency="EUR", rows=[RowInput(description="Consulting", quantity=Decimal(2), unitPrice=Decimal(50))]
    )
    return edits.create_invoice(create, actor=ACTOR, now=NOW).invoice


@pytest.fixture
def world():
    tenants = InMemoryTenantRepository()
    tenants.tenants["acme"] = SELLER
    invoices, files, render = InMemoryInvoices(draft()), InMemoryFiles(), Renderer()
    current = CurrentPdfs(invoices, tenants, files, render=render, clock=lambda: LATER)
    return current, invoices, files, render


def test_a_missing_pdf_is_rendered_stored_and_recorded(world):
    current, invoices, files, render = world

    rendered = current.ensure(ACTOR, invoices.invoice)

    assert rendered.content is not None
    assert rendered.pdf == rendered.invoice.pdf == invoices.invoice.pdf
    assert rendered.pdf.type is AttachmentType.PDF
    assert rendered.pdf.created == LATER
    assert rendered.pdf.fileSize == len(rendered.content)
    assert rendered.invoice.events[-1].type is EventType.PDF_GENERATED
    assert files.pdfs == {
        ("acme", invoices.invoice.id, rendered.pdf.blobId): (rendered.content, rendered.pdf.name)
    }
    assert [now for _, _, now in render.calls] == [LATER]


def test_a_current_pdf_is_neither_rendered_nor_recorded_again(world):
    current, invoices, _, render = world
    first = current.ensure(ACTOR, invoices.invoice)

    again = current.ensure(ACTOR, first.invoice)

    assert again.content is None
    assert again.invoice == first.invoice
    assert again.pdf == first.pdf
    assert len(render.calls) == 1


def test_a_stale_draft_pdf_is_replaced_and_the_old_one_deleted(world):
    current, invoices, files, _ = world
    first = current.ensure(ACTOR, invoices.invoice)
    invoices.invoice = first.invoice.model_copy(update={"note": "Thank you!"})

    fresh = current.ensure(ACTOR, invoices.invoice)

    assert fresh.content is not None
    assert fresh.pdf.blobId != first.pdf.blobId
    assert list(files.pdfs) == [("acme", invoices.invoice.id, fresh.pdf.blobId)]


def test_an_issued_invoice_keeps_its_original_whatever_changes_after(world):
    current, invoices, files, render = world
    preview = current.ensure(ACTOR, invoices.invoice)
    invoices.invoice = preview.invoice.model_copy(
        update={"status": InvoiceStatus.SENT, "invoiceNumber": "INV-1"}
    )
    original = current.ensure(ACTOR, invoices.invoice)
    invoices.invoice = original.invoice.model_copy(
        update={"note": "Thank you!", "status": InvoiceStatus.PAID, "paid": original.invoice.total}
    )
    files.theme_document = b'{"accentColor": "#0B6E4F"}'

    again = current.ensure(ACTOR, invoices.invoice)

    assert original.pdf.rendition is PdfRendition.ORIGINAL
    assert again.content is None
    assert again.pdf == original.pdf
    assert list(files.pdfs) == [("acme", invoices.invoice.id, original.pdf.blobId)]
    issued_document = render.calls[-1][0]
    assert issued_document.stamp is None
    assert ("Paid", "€0.00") in issued_document.totals


def test_a_draft_preview_is_stamped_draft(world):
    current, invoices, _, render = world

    current.ensure(ACTOR, invoices.invoice)

    assert render.calls[-1][0].stamp == "DRAFT"


def test_the_paid_copy_is_rendered_once_beside_the_original(world):
    current, invoices, files, render = world
    invoices.invoice = invoices.invoice.model_copy(
        update={"status": InvoiceStatus.SENT, "invoiceNumber": "INV-1"}
    )
    original = current.ensure(ACTOR, invoices.invoice)
    invoices.invoice = original.invoice.model_copy(
        update={"status": InvoiceStatus.PAID, "paid": original.invoice.total}
    )

    paid = current.ensure(ACTOR, invoices.invoice, PdfRendition.PAID)
    again = current.ensure(ACTOR, paid.invoice, PdfRendition.PAID)

    assert paid.invoice.paidPdf == paid.pdf == again.pdf
    assert paid.invoice.pdf == original.pdf
    assert render.calls[-1][0].stamp == "PAID"
    assert len(render.calls) == 2
    assert len(files.pdfs) == 2


def test_a_paid_copy_of_an_unpaid_invoice_is_refused(world):
    current, invoices, _, render = world
    invoices.invoice = invoices.invoice.model_copy(update={"status": InvoiceStatus.SENT})

    with pytest.raises(Conflict):
        current.ensure(ACTOR, invoices.invoice, PdfRendition.PAID)

    assert render.calls == []


def test_an_original_recorded_meanwhile_wins_and_this_render_is_discarded(world):
    current, invoices, files, _ = world
    sent = invoices.invoice.model_copy(update={"status": InvoiceStatus.SENT, "invoiceNumber": "INV-1"})
    invoices.invoice = sent
    winner = current.ensure(ACTOR, sent)
    invoices.invoice = winner.invoice

    late = current.ensure(ACTOR, sent)

    assert late.pdf == winner.pdf
    assert list(files.pdfs) == [("acme", sent.id, winner.pdf.blobId)]


def test_a_theme_and_logo_change_the_pdf(world):
    current, invoices, files, render = world
    plain = current.ensure(ACTOR, invoices.invoice)
    files.theme_document, files.logo = b'{"accentColor": "#0B6E4F"}', b"\x89PNG logo"

    styled = current.ensure(ACTOR, plain.invoice)

    assert styled.pdf.blobId != plain.pdf.blobId
    document, logo, _ = render.calls[-1]
    assert document.theme.accentColor == "#0B6E4F"
    assert logo == b"\x89PNG logo"


def test_an_invoice_changed_during_the_render_is_not_recorded(world):
    current, invoices, _, _ = world
    source = invoices.invoice
    invoices.meddle = source.model_copy(update={"note": "changed meanwhile"})

    with pytest.raises(InvoiceChanged):
        current.ensure(ACTOR, source)

    assert invoices.invoice.pdf is None


def test_an_unknown_tenant_is_not_found(world):
    current, invoices, _, render = world

    with pytest.raises(NotFound):
        current.ensure(ACTOR, invoices.invoice.model_copy(update={"tenantId": "ghost"}))

    assert render.calls == []


def test_fpdf_renders_the_document():
    document = invoice_document(draft(), SELLER, DEFAULT_THEME)

    content = render_with_fpdf(document, None, now=NOW)

    assert content.startswith(b"%PDF-")


def test_the_pdf_layer_is_imported_only_to_render():
    probe = (
        "import sys, invoicing.documents.rendering; "
        "print(sorted(name for name in ('fpdf', 'invoice_pdf', 'PIL') if name in sys.modules))"
    )
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    completed = subprocess.run(
        [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True, timeout=60
    )

    assert completed.stdout.strip() == "[]"


def test_only_the_original_of_a_complete_invoice_carries_its_cii(world):
    _, invoices, files, render = world
    embedded: list[bytes] = []

    def embed(pdf: bytes, cii: bytes) -> bytes:
        embedded.append(cii)
        return pdf + b" factur-x"

    tenants = InMemoryTenantRepository()
    tenants.tenants["acme"] = SELLER
    current = CurrentPdfs(invoices, tenants, files, render=render, embed=embed, clock=lambda: LATER)
    complete = invoices.invoice.model_copy(
        update={
            "status": InvoiceStatus.SENT,
            "invoiceNumber": "INV-7",
            "invoiceDate": NOW,
            "seller": Seller(
                legalName="Acme Müller GmbH",
                address=SellerAddress(city="Berlin", country="DE"),
                vatId="DE136695976",
            ),
            "customer": Customer(companyName="Globex", billingAddress=Address(city="Paris", country="FR")),
        }
    )
    invoices.invoice = complete

    original = current.ensure(ACTOR, complete)
    invoices.invoice = original.invoice.model_copy(
        update={"status": InvoiceStatus.PAID, "paid": complete.total}
    )
    paid = current.ensure(ACTOR, invoices.invoice, PdfRendition.PAID)

    assert original.content is not None
    assert original.content.endswith(b" factur-x")
    assert paid.content is not None
    assert not paid.content.endswith(b" factur-x")
    assert len(embedded) == 1
    assert b"<ram:ID>INV-7</ram:ID>" in embedded[0]
