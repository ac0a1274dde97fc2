"""The delivery worker, called with its events/ samples against moto: it sends each mail once."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from pypdf import PdfReader

from devtools.stack.queues import sqs_event
from devtools.template import REGION
from invoicing.adapters.delivery_queue import SqsDeliveryQueue
from invoicing.adapters.mail_outbox import DynamoMailOutbox
from invoicing.adapters.suppressions import DynamoSuppressionList
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.ports import MailState
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SENDER = "invoices@example.com"


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository,
        NewTenant(
            "acme", "Acme Müller GmbH", "EUR", "billing@acme.test", reminder_body="Bitte zahlen Sie bald."
        ),
        now=datetime.now(UTC),
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "delivery_worker": load_function("DeliveryWorkerFunction"),
    }


def call(functions, sample: str, invoice_id: str, receive_count: int = 1) -> dict:
    group = sample.split("/")[0]
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if group == "delivery_worker":
        event["Records"][0]["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    response = invoke(functions[group], event)
    if "statusCode" in response:
        assert response["statusCode"] < 300, response
        return json.loads(response["body"])
    return response


def published_invoice(functions) -> dict:
    invoice = call(functions, "invoices/create-invoice.json", SAMPLE_ID)
    return call(functions, "lifecycle/mark-as-sent.json", invoice["id"])


def message_of(sample: str, invoice_id: str) -> OutboxMessage:
    return OutboxMessage.from_json(sample_event(sample)["Records"][0]["body"].replace(SAMPLE_ID, invoice_id))


def sent_mails() -> list[EmailMessage]:
    messages = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    return [message_from_bytes(message.raw_data.encode(), policy=default) for message in messages]


def events_of(functions, invoice_id: str) -> list[str]:
    return [event.type for event in functions["invoices"].services.invoices.get("acme", invoice_id).events]


def test_a_message_delivered_twice_is_mailed_once_with_a_pdf_rendered_for_it(functions, deployment):
    invoice = published_invoice(functions)

    first = call(functions, "delivery_worker/outbox-message.json", invoice["id"])
    again = call(functions, "delivery_worker/outbox-message.json", invoice["id"])

    assert first == again == {"batchItemFailures": []}
    [mail] = sent_mails()
    assert mail["To"] == "buyer@example.org"
    assert mail["Subject"] == f"Invoice {invoice['invoiceNumber']} from Acme Müller GmbH"
    [attachment] = list(mail.iter_attachments())
    pdf_text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert invoice["invoiceNumber"] in pdf_text
    recorded = functions["invoices"].services.invoices.get("acme", invoice["id"])
    assert recorded.pdf is not None
    assert [event.type for event in recorded.events].count("MAIL_SENT") == 1
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    assert outbox.state_of(message_of("delivery_worker/outbox-message.json", invoice["id"])) is MailState.SENT


def test_a_reminder_says_the_tenants_text_and_is_recorded_as_a_reminder(functions):
    invoice = published_invoice(functions)

    call(functions, "delivery_worker/reminder-message.json", invoice["id"])

    [mail] = sent_mails()
    assert mail["Subject"] == f"Reminder: invoice {invoice['invoiceNumber']} from Acme Müller GmbH is due"
    text = mail.get_body(("plain",))
    assert text is not None
    assert "Bitte zahlen Sie bald." in text.get_content()
    assert events_of(functions, invoice["id"]).count("REMINDER_SENT") == 1


def test_a_rejected_send_is_handed_back_for_a_later_attempt(functions, deployment):
    invoice = published_invoice(functions)
    boto3.client("ses").delete_identity(Identity=SENDER)

    with pytest.raises(BatchProcessingError, match="Sending the mail failed"):
        call(functions, "delivery_worker/outbox-message.json", invoice["id"], receive_count=1)

    assert sent_mails() == []
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    assert (
        outbox.state_of(message_of("delivery_worker/outbox-message.json", invoice["id"])) is MailState.PENDING
    )
    assert "DELIVERY_FAILED" not in events_of(functions, invoice["id"])


def test_the_last_failed_attempt_is_a_failed_delivery_on_the_invoice(functions, deployment):
    invoice = published_invoice(functions)
    boto3.client("ses").delete_identity(Identity=SENDER)

    with pytest.raises(BatchProcessingError):
        call(functions, "delivery_worker/outbox-message.json", invoice["id"], receive_count=5)

    recorded = functions["invoices"].services.invoices.get("acme", invoice["id"])
    [failed] = [event for event in recorded.events if event.type == "DELIVERY_FAILED"]
    assert "buyer@example.org" in failed.description
    assert "5 attempts failed" in failed.description
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    assert (
        outbox.state_of(message_of("delivery_worker/outbox-message.json", invoice["id"])) is MailState.FAILED
    )


def test_a_suppressed_address_is_not_mailed(functions, deployment):
    invoice = published_invoice(functions)
    DynamoSuppressionList(deployment.ref("InvoicingTable")).suppress(
        "acme", "Buyer@Example.org", "hard bounce", datetime.now(UTC)
    )

    result = call(functions, "delivery_worker/outbox-message.json", invoice["id"])

    assert result == {"batchItemFailures": []}
    assert sent_mails() == []
    assert events_of(functions, invoice["id"]).count("DELIVERY_FAILED") == 1


def test_an_enqueued_request_retried_is_one_mail(functions, deployment):
    invoice = published_invoice(functions)
    queue_url = deployment.queue_url("DeliveryQueue")
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    delivery_queue = SqsDeliveryQueue(queue_url)
    message = OutboxMessage("acme", invoice["id"], MailKind.COPY, "copy@example.org", "key-1", "alice")

    for _ in range(2):
        outbox.record(message, datetime.now(UTC))
        delivery_queue.put(message)
    pending = outbox.state_of(message)
    received = boto3.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    result = invoke(functions["delivery_worker"], sqs_event(deployment.arn("DeliveryQueue"), received))

    assert pending is MailState.PENDING
    assert result == {"batchItemFailures": []}
    assert len(received) == 2
    [mail] = sent_mails()
    assert mail["To"] == "copy@example.org"
    assert mail["Subject"] == f"Copy of invoice {invoice['invoiceNumber']} from Acme Müller GmbH"


def test_a_reminder_queued_before_the_invoice_was_paid_is_not_sent(functions, deployment):
    invoice = published_invoice(functions)
    call(functions, "lifecycle/mark-as-paid.json", invoice["id"])

    result = call(functions, "delivery_worker/reminder-message.json", invoice["id"])

    assert result == {"batchItemFailures": []}
    assert sent_mails() == []
    recorded = functions["invoices"].services.invoices.get("acme", invoice["id"])
    [cancelled] = [event for event in recorded.events if event.type == "MAIL_CANCELLED"]
    assert "PAID" in cancelled.description
    assert "REMINDER_SENT" not in [event.type for event in recorded.events]
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    assert (
        outbox.state_of(message_of("delivery_worker/reminder-message.json", invoice["id"]))
        is MailState.CANCELLED
    )


def test_a_mail_queued_before_the_invoice_was_cancelled_is_not_sent_on_any_retry(functions, deployment):
    invoice = published_invoice(functions)
    call(functions, "lifecycle/cancel.json", invoice["id"])

    first = call(functions, "delivery_worker/outbox-message.json", invoice["id"], receive_count=3)
    redriven = call(functions, "delivery_worker/outbox-message.json", invoice["id"], receive_count=1)

    assert first == redriven == {"batchItemFailures": []}
    assert sent_mails() == []
    assert events_of(functions, invoice["id"]).count("MAIL_CANCELLED") == 1


def test_a_mail_of_a_deleted_invoice_is_given_up_quietly(functions, deployment):
    invoice = call(functions, "invoices/create-invoice.json", SAMPLE_ID)
    delete = sample_event("invoices/delete-invoice.json")
    delete = json.loads(json.dumps(delete).replace(SAMPLE_ID, invoice["id"]))
    assert invoke(functions["invoices"], delete)["statusCode"] == 204

    result = call(functions, "delivery_worker/outbox-message.json", invoice["id"])

    assert result == {"batchItemFailures": []}
    assert sent_mails() == []
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    assert (
        outbox.state_of(message_of("delivery_worker/outbox-message.json", invoice["id"]))
        is MailState.CANCELLED
    )
