"""The dead-letter queues' redrive (`python -m devtools.admin redrive-dlq`) against the local stack:
a mail left in the delivery DLQ goes back to its queue and is sent once, a job's event is run again."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from devtools.stack.testing import AdminCommandError, RunningStack, run_admin
from devtools.template import REGION, local_deployment
from invoicing.mail.message import MailKind, OutboxMessage
from tests.e2e.test_delivery_e2e import draft_for, event_types, one_mail_to

pytestmark = pytest.mark.e2e


def queue_url(stack: RunningStack, logical_id: str) -> str:
    sqs = boto3.client("sqs", endpoint_url=stack.moto_endpoint, region_name=REGION)
    return str(sqs.get_queue_url(QueueName=local_deployment().physical_name(logical_id))["QueueUrl"])


def messages_in(stack: RunningStack, logical_id: str) -> int:
    sqs = boto3.client("sqs", endpoint_url=stack.moto_endpoint, region_name=REGION)
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url(stack, logical_id), AttributeNames=names)
    return sum(int(attributes["Attributes"][name]) for name in names)


def test_a_mail_left_in_the_delivery_dlq_is_sent_once_redriven(client_for, local_stack):
    client = client_for("e2e-redrive")
    invoice = client.patch(
        f"/v1/invoices/{draft_for(client, 'ap.redrive@lodz.test')['id']}/mark-as-sent"
    ).json()
    # what the queue moves to its DLQ after DeliveryMaxAttempts failed sends (and the queue's
    # visibility timeout, 6 minutes, after the last one): the outbox message as the API queued it
    message = OutboxMessage(
        "e2e-redrive", invoice["id"], MailKind.INVOICE, "ap.redrive@lodz.test", str(uuid.uuid4()), "e2e"
    )
    sqs = boto3.client("sqs", endpoint_url=local_stack.moto_endpoint, region_name=REGION)
    sqs.send_message(
        QueueUrl=queue_url(local_stack, "DeliveryDeadLetterQueue"), MessageBody=message.to_json()
    )

    output = run_admin(local_stack, "redrive-dlq", "--queue", "DeliveryDeadLetterQueue")

    assert output.splitlines()[-1] == "DeliveryDeadLetterQueue: 1 redriven to DeliveryQueue, 0 failed again"
    mail = one_mail_to(local_stack, "ap.redrive@lodz.test")
    assert mail["Subject"].startswith("Invoice ")
    assert event_types(client, invoice["id"]).count("MAIL_SENT") == 1
    assert messages_in(local_stack, "DeliveryDeadLetterQueue") == 0


def test_a_jobs_event_is_run_again_and_a_message_that_fails_again_stays(local_stack):
    sqs = boto3.client("sqs", endpoint_url=local_stack.moto_endpoint, region_name=REGION)
    dead_letters = queue_url(local_stack, "OverdueDeadLetterQueue")
    sqs.send_message(QueueUrl=dead_letters, MessageBody=json.dumps({"time": "2026-11-30T10:00:00Z"}))
    sqs.send_message(QueueUrl=dead_letters, MessageBody=json.dumps({"time": "not a time"}))

    with pytest.raises(AdminCommandError) as failed:
        run_admin(local_stack, "redrive-dlq", "--queue", "OverdueDeadLetterQueue")

    assert "OverdueDeadLetterQueue: 1 redriven to OverdueFunction, 1 failed again" in str(failed.value)
    [left] = sqs.receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(left["Body"]) == {"time": "not a time"}, "visible again once the run ended"
    sqs.delete_message(QueueUrl=dead_letters, ReceiptHandle=left["ReceiptHandle"])


def test_dead_letters_lists_every_dlq_with_where_its_messages_go(local_stack):
    output = run_admin(local_stack, "dead-letters")

    assert "DeliveryDeadLetterQueue: 0 messages, back to DeliveryQueue" in output
    assert "SendScheduleDeadLetterQueue: 0 messages, back to ScheduledSendFunction" in output
    assert output.splitlines()[-1].endswith(" dead-letter queues")
