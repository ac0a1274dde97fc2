"""The outbox relay job with its events/ sample against moto: mail SQS never got is still sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from invoicing.adapters.mail_outbox import DynamoMailOutbox
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.invoices import workflow
from invoicing.invoices.kernel import Actor
from invoicing.mail import trail
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.ports import MailState
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

RECORDED = datetime(2026, 11, 22, 10, 15, tzinfo=UTC)
SAMPLE_TIME = datetime(2026, 11, 22, 10, 20, tzinfo=UTC)


@pytest.fixture
def functions(deployment, load_function):
    ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"),
        now=RECORDED,
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "delivery": load_function("DeliveryFunction"),
        "outbox_relay": load_function("OutboxRelayFunction"),
    }


@pytest.fixture
def outbox(deployment) -> DynamoMailOutbox:
    return DynamoMailOutbox(deployment.ref("InvoicingTable"))


def queued(deployment) -> list[OutboxMessage]:
    received = boto3.client("sqs").receive_message(
        QueueUrl=deployment.queue_url("DeliveryQueue"), MaxNumberOfMessages=10
    )
    return [OutboxMessage.from_json(message["Body"]) for message in received.get("Messages", [])]


def relay(functions, at: datetime = SAMPLE_TIME) -> dict:
    event = sample_event("outbox_relay/scheduled.json") | {"time": at.isoformat().replace("+00:00", "Z")}
    return invoke(functions["outbox_relay"], event)


def recorded_mail(functions, outbox: DynamoMailOutbox, *, on_invoice: bool) -> OutboxMessage:
    created = invoke(functions["invoices"], sample_event("invoices/create-invoice.json"))
    invoice_id = json.loads(created["body"])["id"]
    message = OutboxMessage("acme", invoice_id, MailKind.INVOICE, "ap@globex.test", "key-1", "alice")
    outbox.record(message, RECORDED)
    if on_invoice:
        workflow.change_invoice_once(
            functions["invoices"].services.invoices,
            "acme",
            invoice_id,
            trail.queued_event_id(message),
            lambda current: trail.record_mail_queued(
                current, message, actor=Actor("acme", "alice"), now=RECORDED
            ),
        )
    return message


def test_a_recorded_mail_that_never_reached_the_queue_is_queued_once_per_relay_period(
    functions, outbox, deployment
):
    message = recorded_mail(functions, outbox, on_invoice=True)

    first = relay(functions)
    soon_after = relay(functions, SAMPLE_TIME + timedelta(minutes=1))

    assert first == {"requeued": 1, "abandoned": 0}
    assert soon_after == {"requeued": 0, "abandoned": 0}
    assert queued(deployment) == [message]
    assert outbox.state_of(message) is MailState.PENDING


def test_mail_not_yet_due_or_claimed_by_a_worker_is_left_alone(functions, outbox, deployment):
    waiting = recorded_mail(functions, outbox, on_invoice=True)
    claimed = recorded_mail(functions, outbox, on_invoice=True)
    outbox.claim(claimed, RECORDED, timedelta(minutes=2))

    early = relay(functions, RECORDED + timedelta(minutes=1))

    assert early == {"requeued": 0, "abandoned": 0}
    assert relay(functions) == {"requeued": 1, "abandoned": 0}
    assert queued(deployment) == [waiting]


def test_a_mail_its_invoice_never_recorded_is_given_up(functions, outbox, deployment):
    message = recorded_mail(functions, outbox, on_invoice=False)

    result = relay(functions)

    assert result == {"requeued": 0, "abandoned": 1}
    assert queued(deployment) == []
    assert outbox.state_of(message) is MailState.FAILED


def test_a_send_whose_queue_is_unavailable_succeeds_and_the_relay_delivers_it(functions, deployment):
    sqs = boto3.client("sqs")
    sqs.delete_queue(QueueUrl=deployment.queue_url("DeliveryQueue"))
    created = invoke(functions["invoices"], sample_event("invoices/create-invoice.json"))
    invoice_id = json.loads(created["body"])["id"]
    send = json.loads(
        json.dumps(sample_event("delivery/send.json")).replace(
            "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11", invoice_id
        )
    )

    response = invoke(functions["delivery"], send)
    sqs.create_queue(QueueName=deployment.physical_name("DeliveryQueue"))
    result = relay(functions, datetime.now(UTC) + timedelta(minutes=3))

    assert response["statusCode"] == 200
    assert json.loads(response["body"])["sentMails"] == ["ap@globex.test"]
    assert result == {"requeued": 1, "abandoned": 0}
    [message] = queued(deployment)
    assert message.invoice_id == invoice_id
