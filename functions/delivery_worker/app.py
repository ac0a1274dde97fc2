"""Delivery worker: sends the mail of each outbox message on the delivery queue.

What it does with a message is `invoicing.mail.delivery.MailDelivery`: claim, check, send once,
record; a failed send comes back after a backoff, and the last attempt gives the mail up.
"""

from invoicing.wiring.function import Function
from invoicing.wiring.services import DeliveryServices

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.mail.delivery import Attempt
from invoicing.mail.message import OutboxMessage

function = Function(DeliveryServices)
services = function.services
processor = BatchProcessor(event_type=EventType.SQS)


@function.tracer.capture_method
def deliver(record: SQSRecord) -> None:
    attempt = Attempt(
        number=int(record.attributes.approximate_receive_count),
        queue_arn=record.event_source_arn,
        receipt_handle=record.receipt_handle,
    )
    services.mail_delivery.deliver(OutboxMessage.from_json(record.body), attempt)


@function.entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
