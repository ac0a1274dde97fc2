"""The delivery routes, called with their events/ samples against moto: mail is recorded and queued."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import boto3
import pytest

from invoicing.adapters.suppressions import DynamoSuppressionList
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SAMPLE_NUMBER = "INV-2026-00001"


@pytest.fixture
def functions(deployment, load_function):
    tenant = ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"),
        now=datetime.now(UTC),
    )
    assert tenant.client_id == 1
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "delivery": load_function("DeliveryFunction"),
    }


def respond(functions, sample: str, invoice_id: str = SAMPLE_ID, **changes) -> tuple[int, dict]:
    group = sample.split("/")[0]
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    event.update(changes)
    response = invoke(functions[group], event)
    return response["statusCode"], json.loads(response["body"])


def call(functions, sample: str, invoice_id: str = SAMPLE_ID, **changes) -> dict:
    status, body = respond(functions, sample, invoice_id, **changes)
    assert status < 300, body
    return body


def queued(deployment) -> list[OutboxMessage]:
    received = boto3.client("sqs").receive_message(
        QueueUrl=deployment.queue_url("DeliveryQueue"), MaxNumberOfMessages=10
    )
    return [OutboxMessage.from_json(message["Body"]) for message in received.get("Messages", [])]


def test_send_publishes_the_draft_and_queues_its_mail(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")

    sent = call(functions, "delivery/send.json", draft["id"])

    assert sent["status"] == "SENT"
    assert sent["invoiceNumber"] == SAMPLE_NUMBER
    assert sent["sentMails"] == ["ap@globex.test"]
    assert sent["events"][-1]["type"] == "MAIL_QUEUED"
    [message] = queued(deployment)
    assert (message.kind, message.recipient, message.invoice_id) == (
        MailKind.INVOICE,
        "ap@globex.test",
        draft["id"],
    )
    assert message.client_pdf_blob_id is None


def test_send_with_a_pdf_of_the_clients_own_stores_it_for_the_mail(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")

    call(functions, "delivery/send-with-client-pdf.json", draft["id"])

    [message] = queued(deployment)
    assert message.client_pdf_blob_id is not None
    stored = functions["delivery"].services.documents.read_invoice_pdf(
        "acme", draft["id"], message.client_pdf_blob_id
    )
    assert stored is not None
    assert stored.startswith(b"%PDF-1.4")


def test_a_pdf_part_that_is_not_a_pdf_is_refused_and_nothing_happens(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")
    event = sample_event("delivery/send-with-client-pdf.json")
    body = base64.b64decode(event["body"]).replace(b"%PDF-1.4", b"GIF89a..")

    status, problem = respond(
        functions, "delivery/send-with-client-pdf.json", draft["id"], body=base64.b64encode(body).decode()
    )

    assert status == 415
    assert problem["errors"] == {"pdf": ["Must be a PDF document."]}
    assert queued(deployment) == []
    assert functions["invoices"].services.invoices.get("acme", draft["id"]).status == "DRAFT"


def test_an_invoice_without_an_address_is_not_sent(functions, deployment):
    event = sample_event("invoices/create-invoice.json")
    fields = json.loads(event["body"])
    fields.pop("contactEmail")
    fields["customer"].pop("email")
    draft = call(functions, "invoices/create-invoice.json", body=json.dumps(fields))

    status, problem = respond(functions, "delivery/send.json", draft["id"])

    assert status == 422
    assert "contactEmail" in problem["errors"]
    assert functions["invoices"].services.invoices.get("acme", draft["id"]).status == "DRAFT"


def test_a_suppressed_address_is_refused_before_anything_is_published(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")
    DynamoSuppressionList(deployment.ref("InvoicingTable")).suppress(
        "acme", "ap@globex.test", "hard bounce on 2026-11-20", datetime.now(UTC)
    )

    status, problem = respond(functions, "delivery/send.json", draft["id"])

    assert status == 422
    assert "hard bounce" in problem["detail"]
    assert functions["invoices"].services.invoices.get("acme", draft["id"]).status == "DRAFT"


def test_a_reminder_needs_a_sent_invoice_and_is_listed_on_it(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")

    refused, problem = respond(functions, "delivery/send-reminder.json", draft["id"])
    call(functions, "lifecycle/mark-as-sent.json", draft["id"])
    reminded = call(functions, "delivery/send-reminder.json", draft["id"])

    assert refused == 422
    assert "reminders go out for sent, unpaid invoices only" in problem["detail"]
    assert [reminder["createdBy"] for reminder in reminded["reminders"]] == ["alice@acme.test"]
    [message] = queued(deployment)
    assert message.kind is MailKind.REMINDER


def test_a_copy_goes_to_the_given_address(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")
    call(functions, "lifecycle/mark-as-sent.json", draft["id"])

    status, accepted = respond(functions, "delivery/send-copy.json")

    assert status == 202
    assert accepted["recipient"] == "accounts@buyer.example"
    assert accepted["status"] == "QUEUED"
    [message] = queued(deployment)
    assert (message.kind, message.recipient, message.message_id) == (
        MailKind.COPY,
        "accounts@buyer.example",
        accepted["job"],
    )


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/clients/2/invoices/INV-2026-00001/copies", {"recipient": {"email": "a@b.example"}}, 403),
        ("/v1/clients/1/invoices/INV-2026-99999/copies", {"recipient": {"email": "a@b.example"}}, 404),
        ("/v1/clients/1/invoices/INV-2026-00001/copies", {"recipient": {"email": "not an address"}}, 400),
        ("/v1/clients/1/invoices/INV-2026-00001/copies", {"recipient": {}}, 400),
    ],
)
def test_copies_refuse_what_seed_000_refuses(functions, deployment, path, body, status):
    draft = call(functions, "invoices/create-invoice.json")
    call(functions, "lifecycle/mark-as-sent.json", draft["id"])
    client_id, number = path.split("/")[3], path.split("/")[5]

    answered, problem = respond(
        functions,
        "delivery/send-copy.json",
        path=path,
        pathParameters={"clientId": client_id, "invoiceNumber": number},
        body=json.dumps(body),
    )

    assert answered == status
    assert problem["status"] == status
    assert problem["category"] == "BusinessError"
    assert queued(deployment) == []


def test_a_copy_of_a_cancelled_invoice_is_unprocessable(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")
    call(functions, "lifecycle/mark-as-sent.json", draft["id"])
    call(functions, "lifecycle/cancel.json", draft["id"])

    status, problem = respond(functions, "delivery/send-copy.json")

    assert status == 422
    assert problem["type"].endswith("unprocessable")
    assert queued(deployment) == []


def test_resend_by_number_with_basic_auth_answers_seed_002s_result(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")
    call(functions, "lifecycle/mark-as-sent.json", draft["id"])

    first = call(functions, "delivery/resend-invoice.json")
    again = call(functions, "delivery/resend-invoice.json")

    assert first == again
    assert first["result"] == "OK"
    assert first["resultcode"] == "0"
    [message] = queued(deployment)
    assert message.message_id == first["job"]
    invoice = functions["invoices"].services.invoices.get("acme", draft["id"])
    assert [event.type for event in invoice.events].count("MAIL_QUEUED") == 1


def test_resend_of_a_draft_is_unprocessable(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")
    event = sample_event("delivery/resend-invoice.json")

    status, problem = respond(
        functions,
        "delivery/resend-invoice.json",
        path=event["path"].replace(SAMPLE_NUMBER, draft["id"]),
        pathParameters={"invoiceId": draft["id"]},
    )

    assert status == 422
    assert "only published invoices are mailed" in problem["detail"]


def copy_request(request_id: str) -> dict:
    event = sample_event("delivery/send-copy.json")
    event["requestContext"]["requestId"] = request_id
    return event


def test_a_tenants_mails_of_the_day_stop_at_its_quota_with_429_and_retry_after(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")
    call(functions, "lifecycle/mark-as-sent.json", draft["id"])
    DynamoTenantRepository(deployment.ref("InvoicingTable")).set_mail_quota("acme", 2)

    first, again, second, spent = (
        invoke(functions["delivery"], copy_request(request_id))
        for request_id in ("copy-1", "copy-1", "copy-2", "copy-3")
    )

    assert [response["statusCode"] for response in (first, again, second)] == [202, 202, 202]
    assert spent["statusCode"] == 429
    problem = json.loads(spent["body"])
    assert problem["status"] == 429
    assert problem["type"].endswith("quota-exceeded")
    assert "2 mails" in problem["detail"]
    [retry_after] = spent["multiValueHeaders"]["Retry-After"]
    assert 0 < int(retry_after) <= 86_400
    assert {message.message_id for message in queued(deployment)} == {
        json.loads(response["body"])["job"] for response in (first, second)
    }


def test_a_draft_is_not_published_when_the_tenants_mail_quota_is_spent(functions, deployment):
    draft = call(functions, "invoices/create-invoice.json")
    DynamoTenantRepository(deployment.ref("InvoicingTable")).set_mail_quota("acme", 0)

    status, problem = respond(functions, "delivery/send.json", draft["id"])

    assert status == 429
    assert problem["type"].endswith("quota-exceeded")
    assert functions["invoices"].services.invoices.get("acme", draft["id"]).status == "DRAFT"
    assert queued(deployment) == []
