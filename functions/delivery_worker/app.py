"""Delivery worker: sends the invoice mail of each outbox message on the delivery queue.

Per message: claim the mail item (conditional write), compose and send through SES, record the SES
message id at once, then append MAIL_SENT to the invoice. A message whose mail is already SENT only
makes sure the invoice records it; failed messages are reported back so only they are redelivered.
"""

from datetime import timedelta

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.adapters.document_store import S3DocumentStore, pdf_key
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.mail_outbox import Claim, DynamoMailOutbox
from invoicing.adapters.mail_sender import SesMailSender
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.clock import utc_now
from invoicing.errors import ConcurrentChange, NotFound, Unprocessable
from invoicing.invoices import service, workflow
from invoicing.invoices.model import Invoice
from invoicing.mail.changes import record_mail_sent
from invoicing.mail.compose import PdfAttachment, Sender, compose_invoice_mail
from invoicing.mail.message import OutboxMessage
from invoicing.settings import DeliverySettings, load_settings

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
outbox = DynamoMailOutbox(settings.table_name)
mail_sender = SesMailSender()


class MailInProgress(ConcurrentChange):
    """Another worker holds the claim on this mail; the message comes back after its visibility timeout."""


def _pdf(invoice: Invoice) -> PdfAttachment:
    if invoice.pdf is None:
        raise Unprocessable(f"Invoice {invoice.id} has no PDF to attach.")
    content = documents.read(pdf_key(invoice.tenantId, invoice.id, invoice.pdf.blobId))
    if content is None:
        raise NotFound(f"The PDF of invoice {invoice.id} is missing.")
    return PdfAttachment(invoice.pdf.name, content)


def _send(message: OutboxMessage) -> None:
    invoice = invoices.get(message.tenant_id, message.invoice_id)
    tenant = tenants.find_tenant(message.tenant_id)
    if tenant is None:
        raise NotFound(f"Tenant {message.tenant_id} does not exist.")
    sender = Sender(name=tenant.name, address=settings.sender_email, reply_to=tenant.sender_email)
    mail = compose_invoice_mail(invoice, sender=sender, recipient=message.recipient, pdf=_pdf(invoice))
    ses_message_id = mail_sender.send(mail, settings.sender_email, message.recipient)
    outbox.mark_sent(message, ses_message_id)
    logger.info("Mail sent", extra={"mail_id": message.message_id, "ses_message_id": ses_message_id})
    metrics.add_metric(name="MailSent", unit=MetricUnit.Count, value=1)


def _record_on_invoice(message: OutboxMessage) -> None:
    """Append MAIL_SENT once: the event's id is the message id, so a redelivery finds it there."""
    if any(
        event.id == message.message_id for event in invoices.get(message.tenant_id, message.invoice_id).events
    ):
        return
    actor = service.Actor(tenant_id=message.tenant_id, subject=message.requested_by)
    now = utc_now()
    workflow.change_invoice(
        invoices,
        message.tenant_id,
        message.invoice_id,
        lambda current: record_mail_sent(
            current, message.recipient, actor=actor, now=now, make_id=lambda: message.message_id
        ),
        retry=True,
    )


@tracer.capture_method
def deliver(record: SQSRecord) -> None:
    message = OutboxMessage.from_json(record.body)
    claim = outbox.claim(message, utc_now(), CLAIM_LEASE)
    if claim is Claim.IN_PROGRESS:
        raise MailInProgress(f"Mail {message.message_id} is being sent by another worker.")
    if claim is Claim.CLAIMED:
        _send(message)
    _record_on_invoice(message)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
