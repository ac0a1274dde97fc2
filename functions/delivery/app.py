"""Delivery: invoice mail, reminders and copies (seeds 000, 001 and 002).

Each route asks `invoicing.mail.requests.InvoiceMail` for the mail, which checks what it can at
once, records the mail on the invoice and in the outbox, and queues it: the API never waits on SES.
The delivery worker renders or reads the PDF and sends; see ARCHITECTURE.md, "Mail".
"""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import MailRequestServices

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from invoicing.api.actor import current_actor
from invoicing.api.body import raw_body
from invoicing.api.idempotency import idempotency_key
from invoicing.api.identity import WRITE_INVOICES, current_principal
from invoicing.api.problems import problem_response
from invoicing.clock import utc_now
from invoicing.documents.files import MAX_FILE_BYTES, PDF, sniff
from invoicing.documents.multipart import is_multipart, parse_files
from invoicing.errors import PermissionDenied, UnsupportedMediaType, ValidationFailed
from invoicing.invoices.model import ApiModel, Email, Invoice

PDF_FIELD = "pdf"
#: a PDF of at most 3 MiB in a multipart body: boundaries and part headers on top
MAX_SEND_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024

function = ApiFunction(MailRequestServices)
app = function.app
services = function.services

UNMAILABLE = {
    422: problem_response(
        "The invoice cannot be mailed: not published (or, for reminders, nothing left to pay), "
        "no address, or an address that hard-bounced or complained."
    )
}


class CopyRecipient(ApiModel):
    email: Email


class CopyRequest(ApiModel):
    recipient: CopyRecipient


class MailAccepted(ApiModel):
    """A mail accepted for delivery; `job` identifies it in the invoice's events."""

    job: str
    recipient: str
    status: Literal["QUEUED"] = "QUEUED"


class ResendResult(ApiModel):
    """Seed 002's answer: `result` OK and `resultcode` "0" once the mail is queued."""

    job: str
    result: Literal["OK"] = "OK"
    resultcode: Literal["0"] = "0"


def _request_key() -> str:
    """What makes this request's mail one mail: the Idempotency-Key, else the request id."""
    event = app.current_event
    key = idempotency_key(event.raw_event) or f"request:{event.request_context.request_id}"
    return f"{event.path}\x1f{key}"


def _client_pdf() -> bytes | None:
    """The optional `pdf` part of a multipart body, checked to be a PDF."""
    content_type = app.current_event.headers.get("content-type", "")
    body = raw_body(app, MAX_SEND_BODY_BYTES)
    if not body.strip():
        return None
    if not is_multipart(content_type):
        raise UnsupportedMediaType("Send multipart/form-data, with an optional PDF in the field 'pdf'.")
    parts = parse_files(content_type, body, PDF_FIELD, required=False)
    if not parts:
        return None
    if len(parts) > 1:
        raise ValidationFailed("Send at most one PDF.", field_errors={PDF_FIELD: ["At most one file."]})
    content = parts[0].content
    if sniff(content) != PDF:
        raise UnsupportedMediaType(
            "The 'pdf' part is not a PDF document.", field_errors={PDF_FIELD: ["Must be a PDF document."]}
        )
    return content


@app.post(
    "/v1/invoices/<invoiceId>/send",
    middlewares=WRITE_INVOICES,
    responses={
        200: {"description": "The invoice, published if it was a draft, with the mail queued."},
        **UNMAILABLE,
        413: problem_response("The PDF is larger than 3 MiB."),
        415: problem_response("The body is not multipart/form-data, or the pdf part is not a PDF."),
    },
)
@function.tracer.capture_method
def send(invoiceId: str) -> Invoice:
    """Publish a draft (number, status SENT) and mail it to its contact with the PDF attached.

    multipart/form-data; an optional `pdf` part is a PDF of your own, sent instead of ours.
    """
    client_pdf = _client_pdf()
    return services.invoice_mail.send(
        current_actor(app), invoiceId, request_key=_request_key(), now=utc_now(), client_pdf=client_pdf
    ).invoice


@app.post(
    "/v1/invoices/<invoiceId>/send-reminder",
    middlewares=WRITE_INVOICES,
    responses={200: {"description": "The invoice, with the reminder queued."}, **UNMAILABLE},
)
@function.tracer.capture_method
def send_reminder(invoiceId: str) -> Invoice:
    """Mail a reminder of a sent, unpaid invoice: its `reminderBody`, else the tenant's text."""
    return services.invoice_mail.remind(
        current_actor(app), invoiceId, request_key=_request_key(), now=utc_now()
    ).invoice


@app.post(
    "/v1/clients/<clientId>/invoices/<invoiceNumber>/copies",
    middlewares=WRITE_INVOICES,
    status_code=202,
    responses={202: {"description": "Accepted: the copy is queued for delivery."}, **UNMAILABLE},
)
@function.tracer.capture_method
def send_copy(
    clientId: Annotated[int, Path(description="Your numeric client id (GET /v1/me).")],
    invoiceNumber: str,
    request: Annotated[CopyRequest, Body()],
) -> Response[MailAccepted]:
    """Seed 000: send a copy of the printed invoice (PDF) to any address."""
    if clientId != current_principal(app).client_id:
        raise PermissionDenied(f"Client {clientId} is not yours.")
    message = services.invoice_mail.send_copy(
        current_actor(app), invoiceNumber, request.recipient.email, request_key=_request_key(), now=utc_now()
    ).message
    return Response(
        202, "application/json", MailAccepted(job=message.message_id, recipient=message.recipient)
    )


@app.post(
    "/v1/invoices/<invoiceId>/resendInvoice",
    middlewares=WRITE_INVOICES,
    responses={200: {"description": "The mail is queued; `job` names it."}, **UNMAILABLE},
)
@function.tracer.capture_method
def resend_invoice(
    invoiceId: Annotated[str, Path(description="The invoice id or its number.")],
) -> ResendResult:
    """Seed 002: mail the invoice to its contact again. Any JSON body is accepted and ignored."""
    queued = services.invoice_mail.resend(
        current_actor(app), invoiceId, request_key=_request_key(), now=utc_now()
    )
    return ResendResult(job=queued.message.message_id)


lambda_handler = function.handler(idempotent=True, keeps_large_responses=True)
