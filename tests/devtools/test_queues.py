"""The local stack's SQS event sources: batches as Lambda sends them, processed messages deleted."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from devtools.stack.queues import QueuePollers, QueueSubscription, queue_subscriptions
from devtools.stack.runtime import Invocation
from devtools.template import local_deployment


def test_a_batch_is_invoked_as_an_sqs_event_and_only_reported_failures_stay_queued():
    from devtools.stack.provision import provision_resources

    with mock_aws():
        deployment = local_deployment()
        provision_resources(deployment, None)
        [subscription] = [
            s for s in queue_subscriptions(deployment) if s.function == "DeliveryWorkerFunction"
        ]
        sqs = boto3.client("sqs")
        queue_url = sqs.get_queue_url(QueueName=subscription.queue_arn.rsplit(":", 1)[1])["QueueUrl"]
        for body in ("first", "second"):
            sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        events: list[dict[str, Any]] = []

        def invoke(function: str, event: dict[str, Any]) -> Invocation:
            events.append(event)
            failed = [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "second"]
            return Invocation(request_id="r", result={"batchItemFailures": failed})

        QueuePollers(deployment, None, invoke).poll(subscription, queue_url)
        sqs.change_message_visibility_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"], "VisibilityTimeout": 0}
                for i, r in enumerate(events[0]["Records"])
                if r["body"] == "second"
            ],
        )
        left = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])

    assert subscription == QueueSubscription("DeliveryWorkerFunction", subscription.queue_arn, 5)
    assert sorted(r["body"] for r in events[0]["Records"]) == ["first", "second"]
    assert {r["eventSource"] for r in events[0]["Records"]} == {"aws:sqs"}
    assert [message["Body"] for message in left] == ["second"]
