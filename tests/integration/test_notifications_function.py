"""Seed 003's notifications against moto: the routes (consent, published only, bad input, opted-out
numbers, Idempotency-Key) and the delivery worker sending their mail and SMS once (SNS faults injected
into the client, since moto's SNS never fails)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.awsrequest import AWSResponse
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from devtools.stack.queues import sqs_event
from devtools.template import REGION
from invoicing.adapters.delivery_queue import SqsDeliveryQueue
from invoicing.adapters.mail_outbox import DynamoMailOutbox
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.ports import MailState
from invoicing.notifications.sms import sms_segments
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import imported_at_cold_start, invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
NUMBER = "+14155552671"
OPTED_OUT = "+1 415 555 0199"  # moto: every number ending in 99 has opted out


@pytest.fixture
def functions(deployment, load_function):
    ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"),
        now=datetime.now(UTC),
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "notifications": load_function("NotificationsFunction"),
        "delivery_worker": load_function("DeliveryWorkerFunction"),
    }


def request(
    functions, sample: str, invoice_id: str, body: dict | None = None, key: str | None = None
) -> dict:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if body is not None:
        event["body"] = json.dumps(body)
    if key is not None:
        event["headers"]["Idempotency-Key"] = key
    response = invoke(functions[sample.split("/")[0]], event)
    return {"status": response["statusCode"], "body": json.loads(response["body"] or "null")}


def published_invoice(functions) -> dict:
    invoice = request(functions, "invoices/create-invoice.json", SAMPLE_ID)["body"]
    return request(functions, "lifecycle/mark-as-sent.json", invoice["id"])["body"]


def deliver_queued(functions, deployment) -> dict:
    received = (
        boto3.client("sqs")
        .receive_message(
            QueueUrl=deployment.queue_url("DeliveryQueue"), MaxNumberOfMessages=10, AttributeNames=["All"]
        )
        .get("Messages", [])
    )
    if not received:
        return {"batchItemFailures": []}
    return invoke(functions["delivery_worker"], sqs_event(deployment.arn("DeliveryQueue"), received))


def sent_sms() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def events_of(functions, invoice_id: str) -> list:
    return functions["invoices"].services.invoices.get("acme", invoice_id).events


def fail_sns(functions, operation: str, code: str = "Throttling") -> None:
    """Make the worker's SNS client answer `operation` with an AWS error before it reaches moto."""
    client = functions["delivery_worker"].services.mail_delivery._texts._sns()

    def refuse(**_: object) -> tuple[AWSResponse, dict]:
        error = {
            "Error": {"Code": code, "Message": "Rate exceeded"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return AWSResponse("https://sns.local", 400, {}, None), error

    client.meta.events.register_first(f"before-call.sns.{operation}", refuse, unique_id=f"fault-{operation}")


def unfail_sns(functions, operation: str) -> None:
    client = functions["delivery_worker"].services.mail_delivery._texts._sns()
    client.meta.events.unregister(f"before-call.sns.{operation}", unique_id=f"fault-{operation}")


def test_an_sms_is_published_once_in_e164_with_the_number_amount_and_due_date(functions, deployment):
    invoice = published_invoice(functions)

    first = request(functions, "notifications/notify-by-sms.json", invoice["id"], key="sms-1")
    again = request(functions, "notifications/notify-by-sms.json", invoice["id"], key="sms-1")
    deliver_queued(functions, deployment)
    deliver_queued(functions, deployment)

    assert first == again
    assert first["status"] == 202
    assert first["body"]["recipient"] == NUMBER
    [(number, text)] = sent_sms()
    assert number == NUMBER
    assert invoice["invoiceNumber"] in text
    assert text.startswith("Acme Müller GmbH: invoice ")
    assert " due " in text
    assert sms_segments(text) <= 2
    types = [event.type for event in events_of(functions, invoice["id"])]
    assert types.count("SMS_QUEUED") == types.count("SMS_SENT") == 1
    [queued] = [event for event in events_of(functions, invoice["id"]) if event.type == "SMS_QUEUED"]
    assert (queued.channel, queued.recipient) == ("SMS", NUMBER)


def test_an_email_notification_is_mailed_once_to_the_receiver(functions, deployment):
    invoice = published_invoice(functions)

    accepted = request(functions, "notifications/notify-by-email.json", invoice["id"], key="mail-1")
    request(functions, "notifications/notify-by-email.json", invoice["id"], key="mail-1")
    deliver_queued(functions, deployment)

    assert accepted["status"] == 202
    messages = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    [mail] = [message_from_bytes(message.raw_data.encode(), policy=default) for message in messages]
    assert mail["To"] == "accounts@buyer.example"
    assert mail["Subject"].startswith(f"Invoice {invoice['invoiceNumber']} from Acme Müller GmbH: ")
    assert [event.type for event in events_of(functions, invoice["id"])].count("MAIL_SENT") == 1


@pytest.mark.parametrize("sample", ["notifications/notify-by-email.json", "notifications/notify-by-sms.json"])
def test_a_draft_is_409_and_nothing_is_queued(functions, deployment, sample):
    draft = request(functions, "invoices/create-invoice.json", SAMPLE_ID)["body"]

    refused = request(functions, sample, draft["id"])

    assert refused["status"] == 409
    assert "Available only for published invoices." in json.dumps(refused["body"])
    assert deliver_queued(functions, deployment) == {"batchItemFailures": []}
    assert sent_sms() == []


@pytest.mark.parametrize(
    ("sample", "target"),
    [
        ("notifications/notify-by-email.json", "accounts@buyer.example"),
        ("notifications/notify-by-sms.json", NUMBER),
    ],
)
def test_no_consent_is_422_recorded_in_the_history_and_nothing_sent(functions, deployment, sample, target):
    invoice = published_invoice(functions)
    body = {**json.loads(sample_event(sample)["body"]), "customerConsent": False}

    refused = request(functions, sample, invoice["id"], body)

    assert refused["status"] == 422
    assert "customerConsent" in json.dumps(refused["body"])
    [declined] = [
        event for event in events_of(functions, invoice["id"]) if event.type == "NOTIFICATION_DECLINED"
    ]
    assert declined.recipient == target
    assert deliver_queued(functions, deployment) == {"batchItemFailures": []}


@pytest.mark.parametrize(
    ("sample", "body"),
    [
        ("notifications/notify-by-email.json", {"receiverEmail": "not-an-address", "customerConsent": True}),
        ("notifications/notify-by-sms.json", {"phoneNumber": "4155552671", "customerConsent": True}),
        ("notifications/notify-by-sms.json", {"phoneNumber": "+1 415 555", "customerConsent": True}),
        ("notifications/notify-by-sms.json", {"phoneNumber": "+49 call me", "customerConsent": True}),
    ],
)
def test_a_bad_address_or_number_is_400_and_changes_nothing(functions, sample, body):
    invoice = published_invoice(functions)
    before = len(events_of(functions, invoice["id"]))

    refused = request(functions, sample, invoice["id"], body)

    assert refused["status"] == 400
    assert len(events_of(functions, invoice["id"])) == before


def test_an_opted_out_number_is_422_at_the_route(functions):
    invoice = published_invoice(functions)

    refused = request(
        functions,
        "notifications/notify-by-sms.json",
        invoice["id"],
        {"phoneNumber": OPTED_OUT, "customerConsent": True},
    )

    assert refused["status"] == 422
    assert "opted out" in json.dumps(refused["body"])


def test_the_worker_skips_a_number_that_opted_out_after_it_was_queued(functions, deployment):
    invoice = published_invoice(functions)
    message = OutboxMessage("acme", invoice["id"], MailKind.SMS, "+14155550199", "key-1", "alice")
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    outbox.record(message, datetime.now(UTC))
    SqsDeliveryQueue(deployment.queue_url("DeliveryQueue")).put(message)

    assert deliver_queued(functions, deployment) == {"batchItemFailures": []}

    assert sent_sms() == []
    assert outbox.state_of(message) is MailState.FAILED
    [failed] = [event for event in events_of(functions, invoice["id"]) if event.type == "DELIVERY_FAILED"]
    assert "opted out" in failed.description


def test_an_sns_fault_hands_the_sms_back_and_the_retry_sends_it_once(functions, deployment):
    invoice = published_invoice(functions)
    accepted = request(functions, "notifications/notify-by-sms.json", invoice["id"], key="sms-fault")
    request_key = f"/v1/invoices/{invoice['id']}/notifications/sms\x1fsms-fault"
    message = OutboxMessage("acme", invoice["id"], MailKind.SMS, NUMBER, request_key, "alice@acme.test")
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    fail_sns(functions, "Publish")

    with pytest.raises(BatchProcessingError, match="Sending the text message failed"):
        deliver_queued(functions, deployment)
    handed_back = outbox.state_of(message)
    unfail_sns(functions, "Publish")
    SqsDeliveryQueue(deployment.queue_url("DeliveryQueue")).put(message)
    deliver_queued(functions, deployment)

    assert message.message_id == accepted["body"]["job"]
    assert handed_back is MailState.PENDING
    assert len(sent_sms()) == 1
    assert outbox.state_of(message) is MailState.SENT
    assert [event.type for event in events_of(functions, invoice["id"])].count("SMS_SENT") == 1


def test_an_opt_out_check_that_fails_is_503_at_the_route(functions):
    invoice = published_invoice(functions)
    client = functions["notifications"].services.notifications._opt_outs._sns()

    def refuse(**_: object) -> tuple[AWSResponse, dict]:
        error = {
            "Error": {"Code": "InternalError", "Message": "boom"},
            "ResponseMetadata": {"HTTPStatusCode": 500},
        }
        return AWSResponse("https://sns.local", 500, {}, None), error

    client.meta.events.register_first("before-call.sns.CheckIfPhoneNumberIsOptedOut", refuse)

    refused = request(functions, "notifications/notify-by-sms.json", invoice["id"])

    assert refused["status"] == 503
    assert "SMS_QUEUED" not in [event.type for event in events_of(functions, invoice["id"])]


def test_the_tenants_sms_quota_of_the_day_is_429(functions):
    invoice = published_invoice(functions)
    services = functions["notifications"].services
    services.settings = services.settings.model_copy(update={"default_sms_quota_per_day": 1})

    first = request(functions, "notifications/notify-by-sms.json", invoice["id"], key="q-1")
    second = request(functions, "notifications/notify-by-sms.json", invoice["id"], key="q-2")

    assert first["status"] == 202
    assert second["status"] == 429
    assert "text messages" in json.dumps(second["body"])


def test_the_function_reads_no_number_builds_no_sns_client_and_loads_no_mail_stack_at_cold_start():
    lazy = (
        "phonenumbers",
        "jinja2",
        "fpdf",
        "invoicing.adapters.text_messages",
        "invoicing.adapters.invoice_store",
        "invoicing.notifications.requests",
    )
    assert imported_at_cold_start("NotificationsFunction", lazy) == []


def test_a_tenants_own_sms_quota_stands_before_the_stacks_default(functions, deployment):
    invoice = published_invoice(functions)
    tenants = DynamoTenantRepository(deployment.ref("InvoicingTable"))

    stopped = tenants.set_sms_quota("acme", 0)
    refused = request(functions, "notifications/notify-by-sms.json", invoice["id"], key="own-1")
    tenants.set_sms_quota("acme", None)
    accepted = request(functions, "notifications/notify-by-sms.json", invoice["id"], key="own-2")

    assert stopped.sms_quota_per_day == 0
    assert refused["status"] == 429
    assert accepted["status"] == 202
    assert tenants.find_tenant("acme").sms_quota_per_day is None
