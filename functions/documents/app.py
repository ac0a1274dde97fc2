"""Documents: invoice PDFs rendered server-side, and files attached to an invoice, in S3.

PDF bytes are served through API Gateway's binary support (the client sends `Accept: application/pdf`);
a PDF too large for a Lambda response is answered with a redirect to a pre-signed URL instead.
"""

from datetime import datetime
from typing import Annotated, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit

from invoicing.adapters.document_store import PDF_CONTENT_TYPE, S3DocumentStore, attachment_key
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.settings_store import DynamoSettingsRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.api.actor import current_actor
from invoicing.api.body import raw_body
from invoicing.api.handler import api_handler
from invoicing.api.identity import current_principal, requires_any_scope
from invoicing.api.problems import problem_response
from invoicing.api.resolver import build_resolver
from invoicing.auth.principal import Scope
from invoicing.clock import utc_now
from invoicing.documents import changes
from invoicing.documents.content import pdf_file_name
from invoicing.documents.files import MAX_REQUEST_BYTES, check_upload, content_disposition
from invoicing.documents.multipart import parse_files
from invoicing.documents.rendering import CurrentPdfs, RenderedPdf
from invoicing.errors import DomainError, NotFound
from invoicing.invoices import kernel, workflow
from invoicing.invoices.enums import PdfRendition
from invoicing.invoices.model import ApiModel, Attachment, Invoice
from invoicing.settings import DocumentsSettings, load_settings

#: base64 makes 4 MB of PDF 5.3 MB, under Lambda's 6 MB response limit; larger PDFs are redirected
MAX_INLINE_PDF_BYTES = 4_000_000
#: multipart boundaries and part headers on top of the files themselves
MULTIPART_OVERHEAD_BYTES = 64 * 1024
XML_CONTENT_TYPE = "application/xml"
FILES_FIELD = "files"

settings = load_settings(DocumentsSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = build_resolver(logger)
invoices = DynamoInvoiceRepository(settings.table_name)
tenants = DynamoTenantRepository(settings.table_name)
documents = S3DocumentStore(settings.bucket_name)
#: renders with fpdf2 from the PDF layer, imported on the first render, not at cold start
current_pdfs = CurrentPdfs(
    invoices, tenants, documents, settings=DynamoSettingsRepository(settings.table_name)
)

READ = [requires_any_scope(Scope.INVOICES_READ)]
WRITE = [requires_any_scope(Scope.INVOICES_WRITE)]


class AttachmentDownload(ApiModel):
    """Where to download an attachment: a pre-signed URL that expires within minutes."""

    url: str
    expiresAt: datetime
    attachment: Attachment


Rendition = Annotated[
    PdfRendition | None,
    Query(
        description="PREVIEW (a draft's, stamped DRAFT), ORIGINAL (an issued invoice's, never re-rendered) "
        "or PAID (a paid invoice's copy, stamped PAID). By default a draft's preview or the original."
    ),
]


def _current_pdf(actor: kernel.Actor, invoice: Invoice, rendition: PdfRendition | None = None) -> RenderedPdf:
    rendered = current_pdfs.ensure(actor, invoice, rendition)
    if rendered.content is not None:
        metrics.add_metric(name="PdfRendered", unit=MetricUnit.Count, value=1)
    return rendered


@app.post("/v1/invoices/<invoiceId>/generate-pdf", middlewares=WRITE)
@tracer.capture_method
def generate_pdf(invoiceId: str, rendition: Rendition = None) -> Invoice:
    """Render the invoice's PDF and store it, unless it is stored already: a draft's preview (again
    when the draft changed), an issued invoice's original (once), or a paid invoice's paid copy."""
    actor = current_actor(app)
    return _current_pdf(actor, invoices.get(actor.tenant_id, invoiceId), rendition).invoice


@app.get(
    "/v1/invoices/<invoiceId>/pdf",
    middlewares=READ,
    responses={
        200: {"description": "The PDF.", "content": {PDF_CONTENT_TYPE: {}}},
        303: {
            "description": "A PDF too large to return inline: its pre-signed URL in Location.",
            "content": {PDF_CONTENT_TYPE: {}},
        },
        409: {"description": "The invoice has no PDF of that rendition (a paid copy of an unpaid invoice)."},
    },
)
@tracer.capture_method
def get_pdf(invoiceId: str, rendition: Rendition = None):
    """The invoice's PDF: an issued invoice's original, byte for byte as first rendered, or a draft's
    preview stamped DRAFT. Not annotated: powertools would validate and serialise an annotated bytes
    body as JSON."""
    actor = current_actor(app)
    rendered = _current_pdf(actor, invoices.get(actor.tenant_id, invoiceId), rendition)
    pdf, content = rendered.pdf, rendered.content
    if pdf.fileSize > MAX_INLINE_PDF_BYTES:
        link = documents.invoice_pdf_link(actor.tenant_id, invoiceId, pdf.blobId, utc_now())
        return Response(303, PDF_CONTENT_TYPE, b"", headers={"Location": link.url})
    if content is None:
        content = documents.read_invoice_pdf(actor.tenant_id, invoiceId, pdf.blobId)
        if content is None:
            raise NotFound(f"The PDF of invoice {invoiceId} is missing; generate it again.")
    headers = {
        "Content-Disposition": content_disposition(pdf.name, "inline"),
        "ETag": f'"{pdf.blobId}"',
    }
    return Response(200, PDF_CONTENT_TYPE, content, headers=headers)


EInvoiceFormat = Annotated[
    Literal["cii", "ubl"],
    Query(
        description="cii: UN/CEFACT CII, the Factur-X / ZUGFeRD EN 16931 profile; "
        "ubl: UBL 2.1, as Peppol BIS Billing 3.0 and XRechnung take it."
    ),
]


@app.get(
    "/v1/invoices/<invoiceId>/e-invoice",
    middlewares=READ,
    responses={
        200: {"description": "The EN 16931 invoice.", "content": {XML_CONTENT_TYPE: {}}},
        409: problem_response("The invoice is a draft: only an issued invoice has an e-invoice."),
        422: problem_response("The seller or buyer data an EN 16931 invoice needs is missing (named)."),
    },
)
@tracer.capture_method
def get_e_invoice(invoiceId: str, format: EInvoiceFormat = "cii") -> Response[str]:
    """The issued invoice as an EN 16931 e-invoice, with the figures it was issued with."""
    from invoicing.einvoice.formats import einvoice_xml

    invoice = invoices.get(current_principal(app).tenant_id, invoiceId)
    xml = einvoice_xml(invoice, format)
    headers = {"Content-Disposition": content_disposition(f"{pdf_file_name(invoice)[:-4]}-{format}.xml")}
    return Response(200, XML_CONTENT_TYPE, xml.decode("utf-8"), headers=headers)


def _request_body() -> bytes:
    return raw_body(app, MAX_REQUEST_BYTES + MULTIPART_OVERHEAD_BYTES)


@app.post("/v1/invoices/<invoiceId>/upload-attachments", middlewares=WRITE)
@tracer.capture_method
def upload_attachments(invoiceId: str) -> Invoice:
    """multipart/form-data with one or more files in the field `files`; all are checked before any is
    stored, so a refused request stores nothing."""
    actor = current_actor(app)
    invoice = invoices.get(actor.tenant_id, invoiceId)
    files = parse_files(app.current_event.headers.get("content-type", ""), _request_body(), FILES_FIELD)
    accepted = check_upload(files, len(invoice.attachments))
    now = utc_now()
    stored: list[tuple[str, Attachment]] = []
    try:
        for file in accepted:
            attachment = Attachment(
                blobId=kernel.new_id(),
                created=now,
                extension=file.kind.extension,
                fileSize=len(file.content),
                name=file.name,
                type=file.kind.attachment_type,
            )
            key = attachment_key(actor.tenant_id, invoiceId, attachment.blobId)
            documents.put_attachment(
                key, file.content, file.kind.content_type, content_disposition(file.name)
            )
            stored.append((key, attachment))
        new = [attachment for _, attachment in stored]
        return workflow.change_invoice(
            invoices,
            actor.tenant_id,
            invoiceId,
            lambda current: changes.add_attachments(current, new, actor=actor, now=now),
            retry=True,
        )
    except DomainError:
        for key, _ in stored:
            documents.delete_all(key)
        raise


@app.get(
    "/v1/invoices/<invoiceId>/attachments/<blobId>",
    middlewares=READ,
    responses={303: {"description": "Redirect to a pre-signed URL of the file, valid for minutes."}},
)
@tracer.capture_method
def get_attachment(invoiceId: str, blobId: str) -> Response[AttachmentDownload]:
    tenant_id = current_principal(app).tenant_id
    invoice = invoices.get(tenant_id, invoiceId)
    pdf = changes.find_pdf(invoice, blobId)
    if pdf is not None:
        link = documents.invoice_pdf_link(tenant_id, invoiceId, blobId, utc_now())
        body = AttachmentDownload(url=link.url, expiresAt=link.expires_at, attachment=pdf)
        return Response(303, "application/json", body, headers={"Location": link.url})
    attachment = changes.find_attachment(invoice, blobId)
    link = documents.download_link(attachment_key(tenant_id, invoiceId, blobId), utc_now())
    body = AttachmentDownload(url=link.url, expiresAt=link.expires_at, attachment=attachment)
    return Response(303, "application/json", body, headers={"Location": link.url})


@app.delete(
    "/v1/invoices/<invoiceId>/attachments/<blobId>",
    middlewares=WRITE,
    responses={204: {"description": "Removed."}},
)
@tracer.capture_method
def delete_attachment(invoiceId: str, blobId: str) -> Response[None]:
    actor = current_actor(app)
    workflow.change_invoice(
        invoices,
        actor.tenant_id,
        invoiceId,
        lambda current: changes.remove_attachment(current, blobId, actor=actor, now=utc_now()),
        retry=True,
    )
    documents.delete_all(attachment_key(actor.tenant_id, invoiceId, blobId))
    return Response(status_code=204)


lambda_handler = api_handler(
    app,
    logger,
    tracer,
    metrics,
    idempotency_table=settings.idempotency_table_name,
    idempotency_bucket=settings.bucket_name,
)
