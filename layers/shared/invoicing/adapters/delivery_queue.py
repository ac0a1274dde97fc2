"""The delivery queue (SQS) that carries outbox messages to the delivery worker.

`SqsDeliveryQueue` puts messages on the queue whose url it is built with; `SqsRedelivery` keeps a
message the worker received invisible for a while, the backoff before its next attempt, on the
queue the message came from. A message SQS never got is still delivered: the outbox relay queues
the PENDING items past due again (`invoicing.mail.relay`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from invoicing.adapters.clients import LazyClient
from invoicing.errors import DependencyUnavailable
from invoicing.mail.message import OutboxMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class SqsDeliveryQueue:
    def __init__(self, queue_url: str) -> None:
        self._queue_url = queue_url
        self._sqs: Callable[[], SQSClient] = LazyClient("sqs")

    def put(self, message: OutboxMessage) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._sqs().send_message(QueueUrl=self._queue_url, MessageBody=message.to_json())
        except (BotoCoreError, ClientError) as error:
            raise DependencyUnavailable(f"Queueing the mail failed: {error}") from error


class SqsRedelivery:
    def __init__(self) -> None:
        self._sqs: Callable[[], SQSClient] = LazyClient("sqs")

    def retry_later(self, queue_arn: str, receipt_handle: str, delay_seconds: int) -> None:
        """Keep a received message invisible for `delay_seconds`: the backoff before its next attempt."""
        from botocore.exceptions import BotoCoreError, ClientError

        _, _, _, _, account, name = queue_arn.split(":", 5)
        sqs = self._sqs()
        try:
            queue_url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay_seconds
            )
        except (BotoCoreError, ClientError) as error:
            raise DependencyUnavailable(f"Delaying the mail's retry failed: {error}") from error
