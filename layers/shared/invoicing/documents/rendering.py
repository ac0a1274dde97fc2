"""The current PDF of an invoice: rendered, stored and recorded when it is missing or stale.

Shared by the functions that hand out PDFs (documents: generate and download; delivery worker: attach
to mail). A PDF is named by the fingerprint of the content it shows (invoice, seller, theme, logo), so
"current" means the invoice records a PDF of that fingerprint. Storage comes in through Protocols, as
in `invoicing.invoices.workflow`; the renderer is fpdf2 in the PDF layer (`invoice_pdf`), imported
only when a PDF is rendered, so neither import nor a request that finds its PDF current loads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from invoicing.clock import utc_now
from invoicing.documents import changes
from invoicing.documents.content import InvoiceDocument, invoice_document
from invoicing.documents.theme import DEFAULT_THEME, Theme, parse_theme
from invoicing.invoices import service, workflow
from invoicing.invoices.enums import PUBLISHED_STATUSES, AttachmentType
from invoicing.invoices.model import Attachment, Invoice
from invoicing.tenants.model import Tenant, TenantLookup, require_tenant


class RenderPdf(Protocol):
    def __call__(self, document: InvoiceDocument, logo: bytes | None, *, now: datetime) -> bytes: ...


def render_with_fpdf(document: InvoiceDocument, logo: bytes | None, *, now: datetime) -> bytes:
    """Imports invoice_pdf (PdfLayer) only when called."""
    from invoice_pdf import render_pdf

    return render_pdf(document, logo, now=now)


class PdfFiles(Protocol):
    """Where invoice PDFs and the tenants' PDF themes are kept (S3DocumentStore)."""

    def theme(self, tenant_id: str) -> tuple[bytes | None, bytes | None]:
        """The tenant's theme document and logo, each None if the tenant has none."""
        ...

    def put_invoice_pdf(
        self, tenant_id: str, invoice_id: str, blob_id: str, content: bytes, file_name: str
    ) -> None: ...

    def delete_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> None: ...

    def read_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> bytes | None: ...


@dataclass(frozen=True)
class RenderedPdf:
    invoice: Invoice
    """The invoice as stored after recording the PDF (or unchanged)."""
    pdf: Attachment
    """`invoice.pdf`."""
    content: bytes | None
    """The bytes when just rendered, None when the stored PDF was current."""


@dataclass(frozen=True)
class _Look:
    """What a tenant's PDFs look like apart from the invoice: seller, theme and logo."""

    tenant: Tenant
    theme: Theme
    logo: bytes | None

    def document(self, invoice: Invoice) -> InvoiceDocument:
        logo_sha256 = hashlib.sha256(self.logo).hexdigest() if self.logo is not None else None
        return invoice_document(invoice, self.tenant, self.theme, logo_sha256)


class CurrentPdfs:
    def __init__(
        self,
        invoices: workflow.InvoiceStore,
        tenants: TenantLookup,
        files: PdfFiles,
        render: RenderPdf = render_with_fpdf,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._invoices = invoices
        self._tenants = tenants
        self._files = files
        self._render = render
        self._clock = clock

    def _look(self, tenant_id: str) -> _Look:
        tenant = require_tenant(self._tenants, tenant_id)
        theme_document, logo = self._files.theme(tenant_id)
        theme = parse_theme(theme_document) if theme_document is not None else DEFAULT_THEME
        return _Look(tenant, theme, logo)

    def ensure(self, actor: service.Actor, invoice: Invoice) -> RenderedPdf:
        """The invoice with a PDF of its current content: rendered, stored and recorded if missing or stale.

        Recording re-reads the invoice and refuses (InvoiceChanged) if its content changed while the
        PDF was rendered. A draft's superseded PDF is deleted; a published invoice keeps every PDF it
        was ever shown with.
        """
        look = self._look(invoice.tenantId)
        document = look.document(invoice)
        fingerprint = document.fingerprint()
        if invoice.pdf is not None and changes.is_pdf_current(invoice, fingerprint):
            return RenderedPdf(invoice, invoice.pdf, None)
        now = self._clock()
        content = self._render(document, look.logo, now=now)
        self._files.put_invoice_pdf(actor.tenant_id, invoice.id, fingerprint, content, document.file_name)
        pdf = Attachment(
            blobId=fingerprint,
            created=now,
            extension="pdf",
            fileSize=len(content),
            name=document.file_name,
            type=AttachmentType.PDF,
        )

        def record(current: Invoice) -> service.Change:
            fingerprint_now = look.document(current).fingerprint()
            return changes.record_pdf(current, pdf, current_fingerprint=fingerprint_now, actor=actor, now=now)

        updated = workflow.change_invoice(self._invoices, actor.tenant_id, invoice.id, record)
        if invoice.pdf is not None and invoice.status not in PUBLISHED_STATUSES:
            self._files.delete_invoice_pdf(actor.tenant_id, invoice.id, invoice.pdf.blobId)
        return RenderedPdf(updated, pdf, content)
