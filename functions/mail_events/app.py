"""Mail events: SES delivery, bounce and complaint notifications (through SNS) recorded on invoices.

Each outcome becomes one DELIVERED, BOUNCED or COMPLAINED event on the invoice, with an id derived
from the mail, the outcome and the recipient, so a notification SNS delivers twice is recorded once.
A hard bounce or a complaint puts the address on the tenant's suppression list.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.suppressions import DynamoSuppressionList
from invoicing.clock import utc_now
from invoicing.errors import NotFound
from invoicing.invoices import service, workflow
from invoicing.mail import changes
from invoicing.mail.notifications import MailNotification, MailOutcome, parse_ses_notification
from invoicing.settings import TableSettings, load_settings

#: who the invoice's audit trail names for what SES reported
SES_ACTOR_SUBJECT = "ses"

settings = load_settings(TableSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
invoices = DynamoInvoiceRepository(settings.table_name)
suppressions = DynamoSuppressionList(settings.table_name)


def _record(notification: MailNotification, outcome: MailOutcome) -> None:
    now = utc_now()
    if outcome.suppress_reason is not None:
        suppressions.suppress(notification.tenant_id, outcome.recipient, outcome.suppress_reason, now)
    actor = service.Actor(tenant_id=notification.tenant_id, subject=SES_ACTOR_SUBJECT)
    try:
        workflow.change_invoice_once(
            invoices,
            notification.tenant_id,
            notification.invoice_id,
            changes.notification_event_id(notification.mail_id, outcome.event_type, outcome.recipient),
            lambda current: changes.record_mail_notification(
                current,
                notification.mail_id,
                outcome.event_type,
                outcome.recipient,
                outcome.detail,
                actor=actor,
                now=now,
            ),
        )
    except NotFound:
        logger.info("Mail event for a deleted invoice", extra={"invoice_id": notification.invoice_id})
    metrics.add_metric(name=f"Mail{outcome.event_type.title()}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> None:
    for record in SNSEvent(event).records:
        notification = parse_ses_notification(record.sns.message)
        if notification is None:
            logger.info("Not an invoice mail notification", extra={"sns_message_id": record.sns.message_id})
            continue
        for outcome in notification.outcomes:
            _record(notification, outcome)
