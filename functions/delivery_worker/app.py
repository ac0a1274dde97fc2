"""Delivery worker: sends the mail of each outbox message on the delivery queue.

Per message: claim the mail item (conditional write); read the invoice and give the mail up when it
may no longer be sent (a reminder of an invoice paid meanwhile, any mail of a cancelled or deleted
invoice: MAIL_CANCELLED on the invoice, item CANCELLED); skip an address on the suppression list;
attach the client's PDF, or the invoice's own (rendered now if missing or stale); send through SES
with the configuration set that reports what became of it; record the SES message id at once; then
append MAIL_SENT or REMINDER_SENT to the invoice. A message whose mail is already SENT only makes
sure the invoice records it. A failed send comes back after an exponential backoff; the last
attempt records DELIVERY_FAILED on the invoice before the queue moves the message to its DLQ.
"""

from datetime import timedelta

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.adapters.document_store import S3DocumentStore
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.mail_outbox import Claim, DynamoMailOutbox
from invoicing.adapters.mail_sender import SesMailSender
from invoicing.adapters.suppressions import DynamoSuppressionList
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.clock import utc_now
from invoicing.documents.rendering import CurrentPdfs
from invoicing.errors import ConcurrentChange, NotFound
from invoicing.invoices import kernel, workflow
from invoicing.invoices.model import Invoice
from invoicing.mail import changes
from invoicing.mail.compose import PdfAttachment, Sender, compose_invoice_mail
from invoicing.mail.message import OutboxMessage
from invoicing.mail.retries import retry_delay
from invoicing.settings import DeliverySettings, load_settings
from invoicing.tenants.model import require_tenant

#: longer than the function's timeout, so a live worker never loses its claim
CLAIM_LEASE = timedelta(minutes=2)

settings = load_settings(DeliverySettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)
invoices = DynamoInvoiceRepository(settings.table_name)
tenants = DynamoTenantRepository(settings.table_name)
documents = S3DocumentStore(settings.bucket_name)
current_pdfs = CurrentPdfs(invoices, tenants, documents)
outbox = DynamoMailOutbox(settings.table_name)
suppressions = DynamoSuppressionList(settings.table_name)
mail_sender = SesMailSender(configuration_set=settings.mail_configuration_set)


class MailInProgress(ConcurrentChange):
    """Another worker holds the claim on this mail; the message comes back after its visibility timeout."""


def _actor(message: OutboxMessage) -> kernel.Actor:
    return kernel.Actor(tenant_id=message.tenant_id, subject=message.requested_by)


def _pdf(message: OutboxMessage, invoice: Invoice) -> PdfAttachment:
    if message.client_pdf_blob_id is not None:
        content = documents.read_invoice_pdf(message.tenant_id, invoice.id, message.client_pdf_blob_id)
        if content is None:
            raise NotFound(f"The PDF sent with mail {message.message_id} is missing.")
        return PdfAttachment(f"{invoice.invoiceNumber}.pdf", content)
    rendered = current_pdfs.ensure(_actor(message), invoice)
    content = rendered.content
    if content is None:
        content = documents.read_invoice_pdf(message.tenant_id, invoice.id, rendered.pdf.blobId)
    if content is None:
        raise NotFound(f"The PDF of invoice {invoice.id} is missing.")
    return PdfAttachment(rendered.pdf.name, content)


def _send(message: OutboxMessage, invoice: Invoice) -> str:
    tenant = require_tenant(tenants, message.tenant_id)
    sender = Sender(name=tenant.name, address=settings.sender_email, reply_to=tenant.sender_email)
    mail = compose_invoice_mail(
        invoice,
        sender=sender,
        recipient=message.recipient,
        pdf=_pdf(message, invoice),
        kind=message.kind,
        default_reminder_body=tenant.reminder_body,
    )
    tags = {"tenant": message.tenant_id, "invoice": message.invoice_id, "mail": message.message_id}
    ses_message_id = mail_sender.send(mail, settings.sender_email, message.recipient, tags=tags)
    outbox.mark_sent(message, ses_message_id)
    logger.info("Mail sent", extra={"mail_id": message.message_id, "ses_message_id": ses_message_id})
    metrics.add_metric(name="MailSent", unit=MetricUnit.Count, value=1)
    return ses_message_id


def _record_sent(message: OutboxMessage, ses_message_id: str) -> None:
    workflow.change_invoice_once(
        invoices,
        message.tenant_id,
        message.invoice_id,
        changes.sent_event_id(message.message_id),
        lambda current: changes.record_mail_sent(
            current, message, ses_message_id, actor=_actor(message), now=utc_now()
        ),
    )


def _give_up(message: OutboxMessage, reason: str) -> None:
    outbox.mark_failed(message, reason)
    workflow.change_invoice_once(
        invoices,
        message.tenant_id,
        message.invoice_id,
        changes.failed_event_id(message.message_id),
        lambda current: changes.record_delivery_failed(
            current, message, reason, actor=_actor(message), now=utc_now()
        ),
    )
    logger.warning("Mail given up", extra={"mail_id": message.message_id, "reason": reason})
    metrics.add_metric(name="MailFailed", unit=MetricUnit.Count, value=1)


def _cancel(message: OutboxMessage, reason: str) -> None:
    outbox.mark_cancelled(message, reason)
    workflow.change_invoice_once(
        invoices,
        message.tenant_id,
        message.invoice_id,
        changes.cancelled_event_id(message.message_id),
        lambda current: changes.record_mail_cancelled(
            current, message, reason, actor=_actor(message), now=utc_now()
        ),
    )
    logger.info("Mail cancelled", extra={"mail_id": message.message_id, "reason": reason})
    metrics.add_metric(name="MailCancelled", unit=MetricUnit.Count, value=1)


def _deliver_claimed(message: OutboxMessage) -> None:
    """Send a claimed mail, unless the invoice as it is now no longer allows it."""
    try:
        invoice = invoices.get(message.tenant_id, message.invoice_id)
    except NotFound:
        outbox.mark_cancelled(message, "the invoice was deleted")
        return
    reason = changes.why_not_mailable(invoice, message.kind)
    if reason is not None:
        _cancel(message, reason)
        return
    suppressed = suppressions.reason_not_to_mail(message.tenant_id, message.recipient)
    if suppressed is not None:
        _give_up(message, f"the address is suppressed ({suppressed})")
        return
    _record_sent(message, _send(message, invoice))


def _deliver(message: OutboxMessage) -> None:
    claim = outbox.claim(message, utc_now(), CLAIM_LEASE)
    if claim is Claim.IN_PROGRESS:
        raise MailInProgress(f"Mail {message.message_id} is being sent by another worker.")
    if claim is Claim.CANCELLED:
        return
    if claim is Claim.ALREADY_SENT:
        _record_sent(message, outbox.ses_message_id(message) or "unknown")
        return
    try:
        _deliver_claimed(message)
    except Exception:
        outbox.release(message)
        raise


@tracer.capture_method
def deliver(record: SQSRecord) -> None:
    message = OutboxMessage.from_json(record.body)
    attempt = int(record.attributes.approximate_receive_count)
    try:
        _deliver(message)
    except Exception as error:
        if attempt >= settings.delivery_max_attempts:
            _give_up(message, f"{attempt} attempts failed, the last with: {error}")
        else:
            delay = retry_delay(attempt, settings.delivery_retry_base_seconds)
            outbox.retry_later(record.event_source_arn, record.receipt_handle, delay)
            logger.warning(
                "Mail will be retried",
                extra={"mail_id": message.message_id, "attempt": attempt, "delay_seconds": delay},
            )
        raise


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
