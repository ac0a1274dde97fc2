"""The PDFs of an invoice: rendered, stored and recorded when they are missing.

Shared by the functions that hand out PDFs (documents: generate and download; delivery worker: attach
to mail). Three renditions (`PdfRendition`):
- a draft's PREVIEW, stamped DRAFT, named by the fingerprint of the content it shows (invoice, seller,
  theme, logo) and replaced when the draft changes;
- a published invoice's ORIGINAL: the invoice as issued (no payments yet), rendered the first time it
  is asked for and kept byte for byte from then on, whatever changes later (payments, notes, theme);
  when the seller and buyer data suffice for EN 16931 it is a Factur-X PDF carrying its CII XML;
- the PAID copy of a paid invoice: the same document with what was paid, stamped PAID, rendered once.
Storage comes in through Protocols, as in `invoicing.invoices.workflow`; the renderer is fpdf2 in the
PDF layer (`invoice_pdf`), imported only when a PDF is rendered, so neither import nor a request that
finds its PDF stored loads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from invoicing.clock import utc_now
from invoicing.documents import records
from invoicing.documents.content import InvoiceDocument, invoice_document
from invoicing.documents.theme import DEFAULT_THEME, Theme, parse_theme
from invoicing.errors import Unprocessable
from invoicing.invoices import kernel, workflow
from invoicing.invoices.enums import ISSUED_STATUSES, AttachmentType, InvoiceStatus, PdfRendition
from invoicing.invoices.model import Attachment, Invoice, Seller
from invoicing.tenants.model import Tenant, TenantLookup, require_tenant
from invoicing.tenants.settings import SettingsStore, current_seller


class RenderPdf(Protocol):
    def __call__(self, document: InvoiceDocument, logo: bytes | None, *, now: datetime) -> bytes: ...


def render_with_fpdf(document: InvoiceDocument, logo: bytes | None, *, now: datetime) -> bytes:
    """Imports invoice_pdf (PdfLayer) only when called."""
    from invoice_pdf import render_pdf

    return render_pdf(document, logo, now=now)


class EmbedXml(Protocol):
    def __call__(self, pdf: bytes, cii: bytes) -> bytes: ...


def embed_with_facturx(pdf: bytes, cii: bytes) -> bytes:
    """Imports invoice_pdf (PdfLayer) only when called."""
    from invoice_pdf import embed_cii

    return embed_cii(pdf, cii)


def factur_x_xml(invoice: Invoice) -> bytes | None:
    """The issued invoice's CII XML, or None when its seller or buyer data is too thin for EN 16931
    (the original is then a plain PDF)."""
    from invoicing.einvoice.cii import to_cii
    from invoicing.einvoice.mapping import einvoice_of

    try:
        return to_cii(einvoice_of(invoice))
    except Unprocessable:
        return None


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
    """The PDF asked for: `invoice.pdf`, or `invoice.paidPdf` for the paid copy."""
    content: bytes | None
    """The bytes when just rendered, None when the stored PDF was current."""


DRAFT_STAMP = "DRAFT"
PAID_STAMP = "PAID"


@dataclass(frozen=True)
class _Look:
    """What a tenant's PDFs look like apart from the invoice: seller, theme and logo."""

    tenant: Tenant
    theme: Theme
    logo: bytes | None
    #: the seller a draft would be issued by now (the tenant's settings), for its preview
    draft_seller: Seller | None = None

    def document(self, invoice: Invoice) -> InvoiceDocument:
        logo_sha256 = hashlib.sha256(self.logo).hexdigest() if self.logo is not None else None
        return invoice_document(invoice, self.tenant, self.theme, logo_sha256)

    def preview(self, draft: Invoice) -> InvoiceDocument:
        """A draft as it would be issued now: with today's seller, stamped DRAFT."""
        seller = self.draft_seller or draft.seller
        return replace(self.document(draft.model_copy(update={"seller": seller})), stamp=DRAFT_STAMP)


def rendition_for(invoice: Invoice) -> PdfRendition:
    """What a PDF request gets by default: a draft's preview, else the original."""
    return PdfRendition.ORIGINAL if invoice.status in ISSUED_STATUSES else PdfRendition.PREVIEW


def as_issued(invoice: Invoice) -> Invoice:
    """The published invoice as it was issued: what it showed before anything was paid."""
    return invoice.model_copy(
        update={
            "status": InvoiceStatus.SENT,
            "paid": Decimal(0),
            "paidExcludingTax": Decimal(0),
            "datePaid": None,
            "transactions": [],
        }
    )


class CurrentPdfs:
    def __init__(
        self,
        invoices: workflow.InvoiceStore,
        tenants: TenantLookup,
        files: PdfFiles,
        render: RenderPdf = render_with_fpdf,
        embed: EmbedXml = embed_with_facturx,
        clock: Callable[[], datetime] = utc_now,
        settings: SettingsStore | None = None,
        make_id: kernel.NewId = kernel.new_id,
    ) -> None:
        self._invoices = invoices
        self._tenants = tenants
        self._files = files
        self._render = render
        self._embed = embed
        self._clock = clock
        self._settings = settings
        self._make_id = make_id

    def _look(self, tenant_id: str, *, for_draft: bool) -> _Look:
        tenant = require_tenant(self._tenants, tenant_id)
        theme_document, logo = self._files.theme(tenant_id)
        theme = parse_theme(theme_document) if theme_document is not None else DEFAULT_THEME
        seller = current_seller(self._settings, tenant) if for_draft and self._settings is not None else None
        return _Look(tenant, theme, logo, seller)

    def ensure(
        self, actor: kernel.Actor, invoice: Invoice, rendition: PdfRendition | None = None
    ) -> RenderedPdf:
        """The invoice with its PDF of `rendition` (by default a draft's preview or a published
        invoice's original), rendered, stored and recorded if missing (a preview also when stale).

        Recording re-reads the invoice: a preview is refused (InvoiceChanged) if the draft changed
        while it was rendered; an original or paid copy that another request recorded first wins, and
        this render is discarded. A superseded preview is deleted; an original is never replaced.
        """
        wanted = rendition or rendition_for(invoice)
        records.ensure_rendition_allowed(invoice, wanted)
        look = self._look(invoice.tenantId, for_draft=wanted is PdfRendition.PREVIEW)
        stored = records.stored_pdf(invoice, wanted)
        if wanted is PdfRendition.PREVIEW:
            document = look.preview(invoice)
            if stored is not None and records.is_pdf_current(invoice, document.fingerprint()):
                return RenderedPdf(invoice, stored, None)
            return self._render_preview(actor, invoice, look, document)
        if stored is not None:
            return RenderedPdf(invoice, stored, None)
        if wanted is PdfRendition.ORIGINAL:
            document = look.document(as_issued(invoice))
        else:
            document = replace(look.document(invoice), stamp=PAID_STAMP)
        return self._render_kept(actor, invoice, look, document, wanted)

    def _store(
        self,
        actor: kernel.Actor,
        invoice: Invoice,
        look: _Look,
        document: InvoiceDocument,
        blob_id: str,
        rendition: PdfRendition,
    ) -> tuple[Attachment, bytes]:
        now = self._clock()
        content = self._render(document, look.logo, now=now)
        if rendition is PdfRendition.ORIGINAL:
            cii = factur_x_xml(as_issued(invoice))
            if cii is not None:
                content = self._embed(content, cii)
        self._files.put_invoice_pdf(actor.tenant_id, invoice.id, blob_id, content, document.file_name)
        pdf = Attachment(
            blobId=blob_id,
            created=now,
            extension="pdf",
            fileSize=len(content),
            name=document.file_name,
            type=AttachmentType.PDF,
            rendition=rendition,
        )
        return pdf, content

    def _render_preview(
        self, actor: kernel.Actor, invoice: Invoice, look: _Look, document: InvoiceDocument
    ) -> RenderedPdf:
        fingerprint = document.fingerprint()
        pdf, content = self._store(actor, invoice, look, document, fingerprint, PdfRendition.PREVIEW)

        def record(current: Invoice) -> kernel.Change:
            fingerprint_now = look.preview(current).fingerprint()
            return records.record_pdf(
                current, pdf, current_fingerprint=fingerprint_now, actor=actor, now=pdf.created
            )

        updated = workflow.change_invoice(self._invoices, actor.tenant_id, invoice.id, record)
        if invoice.pdf is not None and invoice.pdf.blobId != fingerprint:
            self._files.delete_invoice_pdf(actor.tenant_id, invoice.id, invoice.pdf.blobId)
        return RenderedPdf(updated, pdf, content)

    def _render_kept(
        self,
        actor: kernel.Actor,
        invoice: Invoice,
        look: _Look,
        document: InvoiceDocument,
        rendition: PdfRendition,
    ) -> RenderedPdf:
        blob_id = f"{rendition.value.lower()}-{self._make_id()}"
        pdf, content = self._store(actor, invoice, look, document, blob_id, rendition)

        def record(current: Invoice) -> kernel.Change:
            return records.record_kept_pdf(current, pdf, actor=actor, now=pdf.created)

        try:
            updated = workflow.change_invoice(self._invoices, actor.tenant_id, invoice.id, record, retry=True)
        except records.PdfAlreadyKept as kept:
            self._files.delete_invoice_pdf(actor.tenant_id, invoice.id, blob_id)
            return RenderedPdf(kept.invoice, kept.pdf, None)
        superseded = invoice.pdf
        if (
            rendition is PdfRendition.ORIGINAL
            and superseded is not None
            and superseded.rendition is PdfRendition.PREVIEW
        ):
            self._files.delete_invoice_pdf(actor.tenant_id, invoice.id, superseded.blobId)
        return RenderedPdf(updated, pdf, content)
