"""Delivery: invoice mail, reminders and copies (seeds 000, 001 and 002).

Each route checks what it can at once (the invoice, its state, the address, the suppression list),
records the mail on the invoice and in the outbox, and queues it: the API never waits on SES. The
delivery worker renders or reads the PDF and sends; see ARCHITECTURE.md, "Mail".
"""

import hashlib
from typing import Annotated, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.metrics import MetricUnit

from invoicing.adapters.document_store import S3DocumentStore
from invoicing.adapters.invoice_numbers import DynamoInvoiceNumbers
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.mail_outbox import DynamoMailOutbox
from invoicing.adapters.mail_quota import DynamoMailQuota
from invoicing.adapters.settings_store import DynamoSettingsRepository
from invoicing.adapters.suppressions import DynamoSuppressionList
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.api.actor import current_actor
from invoicing.api.body import raw_body
from invoicing.api.handler import api_handler
from invoicing.api.idempotency import idempotency_key
from invoicing.api.identity import current_principal, requires_any_scope
from invoicing.api.problems import problem_response
from invoicing.api.resolver import build_resolver
from invoicing.auth.principal import Scope
from invoicing.clock import utc_now
from invoicing.documents.files import MAX_FILE_BYTES, PDF, sniff
from invoicing.documents.multipart import is_multipart, parse_files
from invoicing.errors import (
    DependencyUnavailable,
    NotFound,
    PermissionDenied,
    UnsupportedMediaType,
    ValidationFailed,
)
from invoicing.invoices import kernel, lifecycle, workflow
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.model import ApiModel, Email, Invoice
from invoicing.mail import changes
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.quota import MailQuota
from invoicing.settings import MailRequestSettings, load_settings
from invoicing.tenants.model import require_tenant
from invoicing.tenants.settings import current_seller

PDF_FIELD = "pdf"
#: a PDF of at most 3 MiB in a multipart body: boundaries and part headers on top
MAX_SEND_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024
UNPUBLISHED_STATUSES = frozenset({InvoiceStatus.DRAFT, InvoiceStatus.SCHEDULED})

settings = load_settings(MailRequestSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = build_resolver(logger)
invoices = DynamoInvoiceRepository(settings.table_name)
tenants = DynamoTenantRepository(settings.table_name)
tenant_settings = DynamoSettingsRepository(settings.table_name)
numbers = DynamoInvoiceNumbers(settings.table_name)
documents = S3DocumentStore(settings.bucket_name)
outbox = DynamoMailOutbox(settings.table_name, settings.delivery_queue_url)
suppressions = DynamoSuppressionList(settings.table_name)
mail_quota = DynamoMailQuota(settings.table_name)

WRITE = [requires_any_scope(Scope.INVOICES_WRITE)]
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


def _check_address(tenant_id: str, recipient: str) -> None:
    reason = suppressions.reason_not_to_mail(tenant_id, recipient)
    if reason is not None:
        raise changes.AddressSuppressed(recipient, reason)


def _queue(
    actor: kernel.Actor,
    invoice: Invoice,
    kind: MailKind,
    recipient: str,
    client_pdf_blob_id: str | None = None,
) -> tuple[Invoice, OutboxMessage]:
    """Record the mail in the outbox and on the invoice (each once per message id), then queue it.

    The outbox item is the commitment: when SQS does not take the message, the relay job queues it
    later, so the request still succeeds. An item the invoice never recorded is never sent. A mail
    counts against the tenant's quota of the day once, when the outbox first sees it."""
    message = OutboxMessage(
        actor.tenant_id, invoice.id, kind, recipient, _request_key(), actor.subject, client_pdf_blob_id
    )
    now = utc_now()
    if outbox.state_of(message) is None:
        mail_quota.take(_quota(actor.tenant_id), now)
    outbox.record(message, now)
    recorded = workflow.change_invoice_once(
        invoices,
        actor.tenant_id,
        invoice.id,
        changes.queued_event_id(message),
        lambda current: changes.record_mail_queued(current, message, actor=actor, now=now),
    )
    try:
        outbox.queue(message)
    except DependencyUnavailable as error:
        logger.warning("Mail left to the relay", extra={"mail_id": message.message_id, "error": str(error)})
        metrics.add_metric(name="MailLeftToRelay", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=f"Mail{kind.title()}Queued", unit=MetricUnit.Count, value=1)
    return recorded or invoices.get(actor.tenant_id, invoice.id), message


def _quota(tenant_id: str) -> MailQuota:
    return MailQuota.of(require_tenant(tenants, tenant_id), settings.default_mail_quota_per_day)


def _publish(actor: kernel.Actor, invoice: Invoice) -> Invoice:
    tenant = require_tenant(tenants, actor.tenant_id)
    return workflow.publish_invoice(
        invoices,
        lifecycle.NumberingPolicy.of(tenant),
        actor.tenant_id,
        invoice.id,
        actor=actor,
        now=utc_now(),
        seller=current_seller(tenant_settings, tenant),
    )


def _by_reference(tenant_id: str, reference: str) -> Invoice:
    """Seed 002's reference: the invoice id, or else its number."""
    try:
        return invoices.get(tenant_id, reference)
    except NotFound:
        invoice_id = numbers.invoice_id_of(tenant_id, reference)
        if invoice_id is None:
            raise NotFound(f"No invoice has the id or number {reference!r}.") from None
        return invoices.get(tenant_id, invoice_id)


@app.post(
    "/v1/invoices/<invoiceId>/send",
    middlewares=WRITE,
    responses={
        200: {"description": "The invoice, published if it was a draft, with the mail queued."},
        **UNMAILABLE,
        413: problem_response("The PDF is larger than 3 MiB."),
        415: problem_response("The body is not multipart/form-data, or the pdf part is not a PDF."),
    },
)
@tracer.capture_method
def send(invoiceId: str) -> Invoice:
    """Publish a draft (number, status SENT) and mail it to its contact with the PDF attached.

    multipart/form-data; an optional `pdf` part is a PDF of your own, sent instead of ours.
    """
    actor = current_actor(app)
    client_pdf = _client_pdf()
    invoice = invoices.get(actor.tenant_id, invoiceId)
    recipient = changes.invoice_recipient(invoice)
    _check_address(actor.tenant_id, recipient)
    if invoice.status in UNPUBLISHED_STATUSES:
        mail_quota.ensure_left(_quota(actor.tenant_id), utc_now())
        invoice = _publish(actor, invoice)
    changes.ensure_mailable(invoice, MailKind.INVOICE)
    blob_id = None
    if client_pdf is not None:
        blob_id = f"sent-{hashlib.sha256(client_pdf).hexdigest()[:40]}"
        documents.put_invoice_pdf(
            actor.tenant_id, invoice.id, blob_id, client_pdf, f"{invoice.invoiceNumber}.pdf"
        )
    return _queue(actor, invoice, MailKind.INVOICE, recipient, blob_id)[0]


@app.post(
    "/v1/invoices/<invoiceId>/send-reminder",
    middlewares=WRITE,
    responses={200: {"description": "The invoice, with the reminder queued."}, **UNMAILABLE},
)
@tracer.capture_method
def send_reminder(invoiceId: str) -> Invoice:
    """Mail a reminder of a sent, unpaid invoice: its `reminderBody`, else the tenant's text."""
    actor = current_actor(app)
    invoice = invoices.get(actor.tenant_id, invoiceId)
    changes.ensure_mailable(invoice, MailKind.REMINDER)
    recipient = changes.invoice_recipient(invoice)
    _check_address(actor.tenant_id, recipient)
    return _queue(actor, invoice, MailKind.REMINDER, recipient)[0]


@app.post(
    "/v1/clients/<clientId>/invoices/<invoiceNumber>/copies",
    middlewares=WRITE,
    status_code=202,
    responses={202: {"description": "Accepted: the copy is queued for delivery."}, **UNMAILABLE},
)
@tracer.capture_method
def send_copy(
    clientId: Annotated[int, Path(description="Your numeric client id (GET /v1/me).")],
    invoiceNumber: str,
    request: Annotated[CopyRequest, Body()],
) -> Response[MailAccepted]:
    """Seed 000: send a copy of the printed invoice (PDF) to any address."""
    principal = current_principal(app)
    if clientId != principal.client_id:
        raise PermissionDenied(f"Client {clientId} is not yours.")
    actor = current_actor(app)
    invoice_id = numbers.invoice_id_of(actor.tenant_id, invoiceNumber)
    if invoice_id is None:
        raise NotFound(f"No invoice has the number {invoiceNumber!r}.")
    invoice = invoices.get(actor.tenant_id, invoice_id)
    changes.ensure_mailable(invoice, MailKind.COPY)
    _check_address(actor.tenant_id, request.recipient.email)
    _, message = _queue(actor, invoice, MailKind.COPY, request.recipient.email)
    accepted = MailAccepted(job=message.message_id, recipient=message.recipient)
    return Response(202, "application/json", accepted)


@app.post(
    "/v1/invoices/<invoiceId>/resendInvoice",
    middlewares=WRITE,
    responses={200: {"description": "The mail is queued; `job` names it."}, **UNMAILABLE},
)
@tracer.capture_method
def resend_invoice(
    invoiceId: Annotated[str, Path(description="The invoice id or its number.")],
) -> ResendResult:
    """Seed 002: mail the invoice to its contact again. Any JSON body is accepted and ignored."""
    actor = current_actor(app)
    invoice = _by_reference(actor.tenant_id, invoiceId)
    changes.ensure_mailable(invoice, MailKind.INVOICE)
    recipient = changes.invoice_recipient(invoice)
    _check_address(actor.tenant_id, recipient)
    return ResendResult(job=_queue(actor, invoice, MailKind.INVOICE, recipient)[1].message_id)


lambda_handler = api_handler(
    app,
    logger,
    tracer,
    metrics,
    idempotency_table=settings.idempotency_table_name,
    idempotency_bucket=settings.bucket_name,
)
