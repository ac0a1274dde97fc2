"""Outbox relay: queues again the mail SQS never got (a scheduled job, every five minutes).

A delivery route records the mail item (PENDING, due for the relay two minutes on), then the
invoice's MAIL_QUEUED, then sends the SQS message. The worker's claim takes the item off the
relay's list, so what the relay finds past due is mail whose message was lost or not yet taken.
It queues each again (the worker's claim makes a duplicate harmless) and sets it due once more.
An item whose invoice does not record it two minutes on (longer than any API request may run)
belongs to a request that failed after the outbox write: it is given up, never sent.
Reads go through the `DueJobs` index: a Query per day and shard, never a Scan.
"""

from datetime import datetime

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.mail_outbox import DynamoMailOutbox
from invoicing.clock import utc_now
from invoicing.errors import NotFound
from invoicing.mail import changes
from invoicing.settings import MailQueueSettings, load_settings

#: days of due mail a run looks at: a relay that was down for a day still finds what it missed
LOOKBACK_DAYS = 3

settings = load_settings(MailQueueSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
invoices = DynamoInvoiceRepository(settings.table_name)
outbox = DynamoMailOutbox(settings.table_name, settings.delivery_queue_url)


def _run_time(event: dict) -> datetime:
    """The scheduled event's `time` (so a job can be replayed for a given moment), else now."""
    if isinstance(event.get("time"), str):
        return datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    return utc_now()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    now = _run_time(event)
    requeued = abandoned = 0
    for message in list(outbox.due(now, LOOKBACK_DAYS)):
        try:
            invoice = invoices.get(message.tenant_id, message.invoice_id)
        except NotFound:
            invoice = None
        if invoice is not None and invoice.has_event(changes.queued_event_id(message)):
            outbox.queue(message)
            outbox.postpone(message, now)
            requeued += 1
        else:
            outbox.mark_failed(message, "the request that asked for it failed")
            abandoned += 1
    metrics.add_metric(name="MailRequeued", unit=MetricUnit.Count, value=requeued)
    metrics.add_metric(name="MailAbandoned", unit=MetricUnit.Count, value=abandoned)
    logger.info("Outbox relayed", extra={"requeued": requeued, "abandoned": abandoned})
    return {"requeued": requeued, "abandoned": abandoned}
