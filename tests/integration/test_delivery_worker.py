"""The delivery worker, called with its events/ sample against moto: it sends each mail once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from devtools.stack.queues import sqs_event
from devtools.template import REGION, ROOT
from invoicing.adapters.mail_outbox import DynamoMailOutbox, MailState
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"


@pytest.fixture
def functions(deployment, load_function, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "functions" / "documents"))
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "documents": load_function("DocumentsFunction"),
        "delivery_worker": load_function("DeliveryWorkerFunction"),
    }


def call(functions, sample: str, invoice_id: str) -> dict:
    group = sample.split("/")[0]
    response = invoke(
        functions[group], json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    )
    if "statusCode" in response:
        assert response["statusCode"] < 300, response
        return json.loads(response["body"])
    return response


def published_invoice_with_pdf(functions) -> dict:
    invoice = call(functions, "invoices/create-invoice.json", SAMPLE_ID)
    call(functions, "lifecycle/mark-as-sent.json", invoice["id"])
    return call(functions, "documents/generate-pdf.json", invoice["id"])


def sent_messages() -> list:
    return ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages


def test_a_message_delivered_twice_is_mailed_once_and_recorded_once(functions, deployment):
    invoice = published_invoice_with_pdf(functions)

    first = call(functions, "delivery_worker/outbox-message.json", invoice["id"])
    again = call(functions, "delivery_worker/outbox-message.json", invoice["id"])

    assert first == again == {"batchItemFailures": []}
    assert len(sent_messages()) == 1
    mail = message_from_bytes(sent_messages()[0].raw_data.encode(), policy=default)
    assert mail["To"] == "buyer@example.org"
    assert mail["Subject"] == f"Invoice {invoice['invoiceNumber']} from Acme Müller GmbH"
    assert [part.get_content_type() for part in mail.iter_attachments()] == ["application/pdf"]
    recorded = functions["invoices"].invoices.get("acme", invoice["id"])
    assert recorded.sentMails == ["buyer@example.org"]
    assert [event.type for event in recorded.events].count("MAIL_SENT") == 1
    body = json.loads(sample_event("delivery_worker/outbox-message.json")["Records"][0]["body"])
    message = OutboxMessage.from_json(json.dumps(body | {"invoice_id": invoice["id"]}))
    assert DynamoMailOutbox(deployment.ref("InvoicingTable")).state_of(message) is MailState.SENT


def test_a_message_that_cannot_be_sent_fails_and_sends_nothing(functions):
    invoice = call(functions, "invoices/create-invoice.json", SAMPLE_ID)

    with pytest.raises(BatchProcessingError, match="has no PDF to attach"):
        call(functions, "delivery_worker/outbox-message.json", invoice["id"])

    assert sent_messages() == []


def test_an_enqueued_request_retried_is_one_mail(functions, deployment):
    invoice = published_invoice_with_pdf(functions)
    queue_url = deployment.queue_url("DeliveryQueue")
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"), queue_url)
    message = OutboxMessage("acme", invoice["id"], MailKind.COPY, "copy@example.org", "key-1", "alice")

    outbox.enqueue(message)
    pending = outbox.state_of(message)
    outbox.enqueue(message)
    received = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    result = invoke(functions["delivery_worker"], sqs_event(deployment.arn("DeliveryQueue"), received))

    assert pending is MailState.PENDING
    assert result == {"batchItemFailures": []}
    assert len(received) == 2
    [mail] = sent_messages()
    assert set(mail.destinations) == {"copy@example.org"}
