"""Documents: invoice PDFs rendered server-side, and files attached to an invoice, in S3.

PDF bytes are served through API Gateway's binary support (the client sends `Accept: application/pdf`);
a PDF too large for a Lambda response is answered with a redirect to a pre-signed URL instead.
"""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import DocumentServices

from datetime import datetime
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit

from invoicing.adapters.document_store import PDF_CONTENT_TYPE
from invoicing.api.actor import current_actor
from invoicing.api.body import raw_body
from invoicing.api.identity import READ_INVOICES, WRITE_INVOICES, current_principal
from invoicing.api.problems import problem_response
from invoicing.documents.attachments import FileLink
from invoicing.documents.downloads import e_invoice_file
from invoicing.documents.files import MAX_REQUEST_BYTES, UploadedFile, content_disposition
from invoicing.documents.multipart import parse_files
from invoicing.documents.rendering import RenderedPdf
from invoicing.invoices.enums import PdfRendition
from invoicing.invoices.model import ApiModel, Attachment, Invoice

#: multipart boundaries and part headers on top of the files themselves
MULTIPART_OVERHEAD_BYTES = 64 * 1024
XML_CONTENT_TYPE = "application/xml"
FILES_FIELD = "files"

function = ApiFunction(DocumentServices)
app = function.app
services = function.services


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
PDF_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {"description": "The PDF.", "content": {PDF_CONTENT_TYPE: {}}},
    303: {
        "description": "A PDF too large to return inline: its pre-signed URL in Location.",
        "content": {PDF_CONTENT_TYPE: {}},
    },
    409: {"description": "The invoice has no PDF of that rendition (a paid copy of an unpaid invoice)."},
}
E_INVOICE_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {"description": "The EN 16931 invoice.", "content": {XML_CONTENT_TYPE: {}}},
    409: problem_response("The invoice is a draft: only an issued invoice has an e-invoice."),
    422: problem_response("The seller or buyer data an EN 16931 invoice needs is missing (named)."),
}


def _counted(rendered: RenderedPdf) -> RenderedPdf:
    if rendered.content is not None:
        function.metrics.add_metric(name="PdfRendered", unit=MetricUnit.Count, value=1)
    return rendered


@app.post("/v1/invoices/<invoiceId>/generate-pdf", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def generate_pdf(invoiceId: str, rendition: Rendition = None) -> Invoice:
    """Render the invoice's PDF and store it, unless it is stored already: a draft's preview (again
    when the draft changed), an issued invoice's original (once), or a paid invoice's paid copy."""
    return _counted(services.invoice_pdfs.generate(current_actor(app), invoiceId, rendition)).invoice


@app.get("/v1/invoices/<invoiceId>/pdf", middlewares=READ_INVOICES, responses=PDF_RESPONSES)
@function.tracer.capture_method
def get_pdf(invoiceId: str, rendition: Rendition = None) -> Response[bytes]:
    """The invoice's PDF: an issued invoice's original, byte for byte as first rendered, or a draft's
    preview stamped DRAFT."""
    download = services.invoice_pdfs.download(current_actor(app), invoiceId, rendition)
    pdf = _counted(download.rendered).pdf
    if download.link is not None:
        return Response(303, PDF_CONTENT_TYPE, b"", headers={"Location": download.link.url})
    headers = {"Content-Disposition": content_disposition(pdf.name, "inline"), "ETag": f'"{pdf.blobId}"'}
    return Response(200, PDF_CONTENT_TYPE, download.content, headers=headers)


EInvoiceFormat = Annotated[
    Literal["cii", "ubl"],
    Query(
        description="cii: UN/CEFACT CII, the Factur-X / ZUGFeRD EN 16931 profile; "
        "ubl: UBL 2.1, as Peppol BIS Billing 3.0 and XRechnung take it."
    ),
]


@app.get("/v1/invoices/<invoiceId>/e-invoice", middlewares=READ_INVOICES, responses=E_INVOICE_RESPONSES)
@function.tracer.capture_method
def get_e_invoice(invoiceId: str, format: EInvoiceFormat = "cii") -> Response[str]:
    """The issued invoice as an EN 16931 e-invoice, with the figures it was issued with."""
    file = e_invoice_file(services.invoices, current_principal(app).tenant_id, invoiceId, format)
    headers = {"Content-Disposition": content_disposition(file.file_name)}
    return Response(200, XML_CONTENT_TYPE, file.xml.decode("utf-8"), headers=headers)


def _uploaded_files() -> list[UploadedFile]:
    body = raw_body(app, MAX_REQUEST_BYTES + MULTIPART_OVERHEAD_BYTES)
    return parse_files(app.current_event.headers.get("content-type", ""), body, FILES_FIELD)


@app.post("/v1/invoices/<invoiceId>/upload-attachments", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def upload_attachments(invoiceId: str) -> Invoice:
    """multipart/form-data with one or more files in the field `files`; all are checked before any is
    stored, so a refused request stores nothing."""
    return services.attachments.upload(current_actor(app), invoiceId, _uploaded_files)


def _redirect(file: FileLink) -> Response[AttachmentDownload]:
    link = file.link
    body = AttachmentDownload(url=link.url, expiresAt=link.expires_at, attachment=file.attachment)
    return Response(303, "application/json", body, headers={"Location": link.url})


@app.get(
    "/v1/invoices/<invoiceId>/attachments/<blobId>",
    middlewares=READ_INVOICES,
    responses={303: {"description": "Redirect to a pre-signed URL of the file, valid for minutes."}},
)
@function.tracer.capture_method
def get_attachment(invoiceId: str, blobId: str) -> Response[AttachmentDownload]:
    return _redirect(services.attachments.link(current_principal(app).tenant_id, invoiceId, blobId))


@app.delete(
    "/v1/invoices/<invoiceId>/attachments/<blobId>",
    middlewares=WRITE_INVOICES,
    responses={204: {"description": "Removed."}},
)
@function.tracer.capture_method
def delete_attachment(invoiceId: str, blobId: str) -> Response[None]:
    services.attachments.remove(current_actor(app), invoiceId, blobId)
    return Response(status_code=204)


lambda_handler = function.handler(idempotent=True, keeps_large_responses=True)
