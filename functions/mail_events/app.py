"""Mail events: SES delivery, bounce and complaint notifications (through SNS) recorded on invoices.

Each outcome becomes one DELIVERED, BOUNCED or COMPLAINED event on the invoice, with an id derived
from the mail, the outcome and the recipient, so a notification SNS delivers twice is recorded once.
A hard bounce or a complaint puts the address on the tenant's suppression list. A notification
counts only when its SES message id is the one the outbox recorded for the mail its tags name;
any other (tags anyone sending through the shared identity could write) is ignored and logged.
"""

from time import sleep

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.mail_outbox import DynamoMailOutbox, MailState
from invoicing.adapters.suppressions import DynamoSuppressionList
from invoicing.clock import utc_now
from invoicing.errors import NotFound
from invoicing.invoices import kernel, workflow
from invoicing.mail import changes
from invoicing.mail.notifications import (
    MailNotification,
    MailOutcome,
    is_of_recorded_mail,
    parse_ses_notification,
)
from invoicing.settings import TableSettings, load_settings

#: who the invoice's audit trail names for what SES reported
SES_ACTOR_SUBJECT = "ses"
#: SES may report a mail before the worker's next write records SES's id for it: wait at most ~3 s
RECORD_WAITS_SECONDS = (0.1, 0.2, 0.4, 0.8, 1.6)

settings = load_settings(TableSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
invoices = DynamoInvoiceRepository(settings.table_name)
suppressions = DynamoSuppressionList(settings.table_name)
outbox = DynamoMailOutbox(settings.table_name)


def _recorded_ses_message_id(notification: MailNotification) -> str | None:
    """SES's id for the mail the notification's tags name, as the outbox recorded it."""
    for wait in (*RECORD_WAITS_SECONDS, None):
        record = outbox.record_of(notification.tenant_id, notification.invoice_id, notification.mail_id)
        if record is None or record.ses_message_id or record.state is not MailState.SENDING or wait is None:
            return None if record is None else record.ses_message_id
        sleep(wait)
    return None


def _record(notification: MailNotification, outcome: MailOutcome) -> None:
    now = utc_now()
    if outcome.suppress_reason is not None:
        suppressions.suppress(notification.tenant_id, outcome.recipient, outcome.suppress_reason, now)
    actor = kernel.Actor(tenant_id=notification.tenant_id, subject=SES_ACTOR_SUBJECT)
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
        if not is_of_recorded_mail(notification, _recorded_ses_message_id(notification)):
            logger.warning(
                "Notification not of the mail its tags name: ignored",
                extra={
                    "tenant_id": notification.tenant_id,
                    "invoice_id": notification.invoice_id,
                    "mail_id": notification.mail_id,
                    "ses_message_id": notification.ses_message_id,
                },
            )
            metrics.add_metric(name="MailNotificationIgnored", unit=MetricUnit.Count, value=1)
            continue
        for outcome in notification.outcomes:
            _record(notification, outcome)
