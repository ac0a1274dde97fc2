"""An invoice's PDF and e-invoice as the documents routes hand them out.

A PDF is rendered first when it is missing (`CurrentPdfs`); it is answered inline when it fits a
response, else by a pre-signed link. The e-invoice writers (lxml) are imported on the first
e-invoice only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from invoicing.clock import utc_now
from invoicing.documents.content import pdf_file_name
from invoicing.documents.rendering import CurrentPdfs, RenderedPdf
from invoicing.errors import NotFound
from invoicing.invoices import kernel
from invoicing.invoices.enums import PdfRendition
from invoicing.invoices.model import Invoice
from invoicing.links import DownloadLink

if TYPE_CHECKING:
    from invoicing.einvoice.formats import EInvoiceSyntax

#: base64 makes 4 MB of PDF 5.3 MB, under Lambda's 6 MB response limit; larger PDFs are linked
MAX_INLINE_PDF_BYTES = 4_000_000


class InvoiceReader(Protocol):
    def get(self, tenant_id: str, invoice_id: str) -> Invoice: ...


class StoredPdfs(Protocol):
    """Where rendered PDFs are read back from (S3DocumentStore)."""

    def read_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> bytes | None: ...

    def invoice_pdf_link(
        self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime
    ) -> DownloadLink: ...


@dataclass(frozen=True)
class PdfDownload:
    rendered: RenderedPdf
    """The PDF asked for, with its bytes if this request rendered it."""
    content: bytes | None
    """The bytes to answer with; None when the PDF is too large and `link` is the answer."""
    link: DownloadLink | None


@dataclass(frozen=True)
class EInvoiceFile:
    file_name: str
    xml: bytes


class InvoicePdfs:
    def __init__(
        self,
        invoices: InvoiceReader,
        current: CurrentPdfs,
        files: StoredPdfs,
        *,
        max_inline_bytes: int = MAX_INLINE_PDF_BYTES,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._invoices = invoices
        self._current = current
        self._files = files
        self._max_inline_bytes = max_inline_bytes
        self._clock = clock

    def generate(
        self, actor: kernel.Actor, invoice_id: str, rendition: PdfRendition | None = None
    ) -> RenderedPdf:
        """The invoice with its PDF of `rendition`, rendered and recorded if missing or stale."""
        return self._current.ensure(actor, self._invoices.get(actor.tenant_id, invoice_id), rendition)

    def download(
        self, actor: kernel.Actor, invoice_id: str, rendition: PdfRendition | None = None
    ) -> PdfDownload:
        """The PDF's bytes when at most `max_inline_bytes`, else a link; NotFound if its object is
        gone (generating it again stores it again)."""
        rendered = self.generate(actor, invoice_id, rendition)
        pdf = rendered.pdf
        if pdf.fileSize > self._max_inline_bytes:
            link = self._files.invoice_pdf_link(actor.tenant_id, invoice_id, pdf.blobId, self._clock())
            return PdfDownload(rendered, None, link)
        content = rendered.content
        if content is None:
            content = self._files.read_invoice_pdf(actor.tenant_id, invoice_id, pdf.blobId)
            if content is None:
                raise NotFound(f"The PDF of invoice {invoice_id} is missing; generate it again.")
        return PdfDownload(rendered, content, None)


def e_invoice_file(
    invoices: InvoiceReader, tenant_id: str, invoice_id: str, syntax: EInvoiceSyntax
) -> EInvoiceFile:
    """The issued invoice as an EN 16931 e-invoice in `syntax`, named after its PDF."""
    from invoicing.einvoice.formats import einvoice_xml

    invoice = invoices.get(tenant_id, invoice_id)
    xml = einvoice_xml(invoice, syntax)
    return EInvoiceFile(f"{pdf_file_name(invoice)[:-4]}-{syntax}.xml", xml)
