"""SQS event sources: the template's `SQS` events, polled the way Lambda's event source mapping does.

Each subscription receives up to its batch size, invokes the function with the SQS batch event, and
deletes the messages the function did not report in `batchItemFailures`. A failed invocation deletes
nothing: the messages come back after the queue's visibility timeout, and go to its dead-letter
queue after maxReceiveCount receives, as in AWS.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devtools.stack.aws import aws_client
from devtools.stack.console import say_from
from devtools.stack.runtime import Invocation
from devtools.template import REGION, LocalDeployment

Invoke = Callable[[str, Any], Invocation]
#: short polling: moto serves one call at a time, so a long poll would hold up every other call
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class QueueSubscription:
    function: str
    queue_arn: str
    batch_size: int


def queue_subscriptions(deployment: LocalDeployment) -> list[QueueSubscription]:
    subscriptions = []
    for logical_id in deployment.functions:
        for event in deployment.function_properties(logical_id).get("Events", {}).values():
            if event.get("Type") != "SQS":
                continue
            properties = event["Properties"]
            queue_arn = str(deployment.resolve(properties["Queue"]))
            subscriptions.append(
                QueueSubscription(logical_id, queue_arn, int(properties.get("BatchSize", 10)))
            )
    return subscriptions


def sqs_event(queue_arn: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda passes a function for a batch received from `queue_arn`."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


class QueuePollers:
    """One polling thread per SQS subscription of the template."""

    def __init__(self, deployment: LocalDeployment, endpoint_url: str | None, invoke: Invoke) -> None:
        self._subscriptions = queue_subscriptions(deployment)
        self._client = aws_client("sqs", endpoint_url)
        self._invoke = invoke
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(subscription,), name="sqs", daemon=True)
            for subscription in self._subscriptions
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()

    def _run(self, subscription: QueueSubscription) -> None:
        queue_url = self._client.get_queue_url(QueueName=subscription.queue_arn.rsplit(":", 1)[1])["QueueUrl"]
        while not self._stop.wait(POLL_SECONDS):
            try:
                while self.poll(subscription, queue_url):
                    pass
            except Exception as error:  # keep polling whatever moto answers
                say_from("sqs", f"polling {subscription.function} failed: {error}")

    def poll(self, subscription: QueueSubscription, queue_url: str) -> bool:
        """Receive one batch, invoke the function with it, delete what it processed; False if the
        queue had nothing to receive."""
        received = self._client.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=subscription.batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return False
        invocation = self._invoke(subscription.function, sqs_event(subscription.queue_arn, received))
        if invocation.error is not None:
            error = invocation.error
            say_from("sqs", f"{subscription.function}: {error['errorType']}: {error['errorMessage']}")
            return True
        failed = {item["itemIdentifier"] for item in (invocation.result or {}).get("batchItemFailures", [])}
        done = [message for message in received if message["MessageId"] not in failed]
        say_from("sqs", f"{subscription.function}: {len(done)} of {len(received)} messages processed")
        if done:
            self._client.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(done)
                ],
            )
        return True
