"""An invoice's PDF as the routes hand it out: rendered when missing, inline when it fits a response,
else by link; a stored PDF whose object is gone is NotFound."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from invoicing.documents.downloads import InvoicePdfs
from invoicing.documents.rendering import CurrentPdfs
from invoicing.errors import NotFound
from invoicing.links import DownloadLink
from tests.fakes import InMemoryTenantRepository
from tests.unit.test_rendering import ACTOR, LATER, SELLER, InMemoryFiles, InMemoryInvoices, Renderer, draft


class LinkedFiles(InMemoryFiles):
    def invoice_pdf_link(self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime) -> DownloadLink:
        return DownloadLink(f"https://pdfs/{blob_id}", now + timedelta(minutes=5))


def downloads(max_inline_bytes: int = 4_000_000) -> tuple[InvoicePdfs, InMemoryInvoices, LinkedFiles]:
    tenants = InMemoryTenantRepository()
    tenants.tenants["acme"] = SELLER
    invoices, files = InMemoryInvoices(draft()), LinkedFiles()
    current = CurrentPdfs(invoices, tenants, files, render=Renderer(), clock=lambda: LATER)
    pdfs = InvoicePdfs(invoices, current, files, max_inline_bytes=max_inline_bytes, clock=lambda: LATER)
    return pdfs, invoices, files


def test_a_missing_pdf_is_rendered_and_answered_with_its_bytes():
    pdfs, invoices, _ = downloads()

    download = pdfs.download(ACTOR, invoices.invoice.id)

    assert download.rendered.content is not None
    assert download.content == download.rendered.content
    assert download.link is None
    assert invoices.invoice.pdf == download.rendered.pdf


def test_a_stored_pdf_is_read_back_without_rendering():
    pdfs, invoices, _ = downloads()
    first = pdfs.generate(ACTOR, invoices.invoice.id)

    download = pdfs.download(ACTOR, invoices.invoice.id)

    assert download.rendered.content is None
    assert download.content == first.content


def test_a_pdf_too_large_for_a_response_is_answered_with_a_link():
    pdfs, invoices, _ = downloads(max_inline_bytes=1)

    download = pdfs.download(ACTOR, invoices.invoice.id)

    assert download.content is None
    assert download.link == DownloadLink(
        f"https://pdfs/{download.rendered.pdf.blobId}", LATER + timedelta(minutes=5)
    )


def test_a_stored_pdf_whose_object_is_gone_is_not_found():
    pdfs, invoices, files = downloads()
    pdfs.generate(ACTOR, invoices.invoice.id)
    files.pdfs.clear()

    with pytest.raises(NotFound):
        pdfs.download(ACTOR, invoices.invoice.id)
