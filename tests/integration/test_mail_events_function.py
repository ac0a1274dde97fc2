"""SES notifications through SNS, with the events/ samples against moto: recorded once, bad addresses
suppressed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from invoicing.adapters.mail_outbox import DynamoMailOutbox
from invoicing.adapters.suppressions import DynamoSuppressionList
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SAMPLE_MAIL_ID = "5e1f0c6b2a9d4e7f8a3b1c0d9e8f7a6b"
SAMPLE_SES_MESSAGE_ID = "0100018f-sample-ses-message-id-000000"


@pytest.fixture
def functions(deployment, load_function):
    ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"),
        now=datetime.now(UTC),
    )
    return {"invoices": load_function("InvoicesFunction"), "mail_events": load_function("MailEventsFunction")}


def notify(functions, sample: str, invoice_id: str, mail_id: str) -> None:
    text = json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id).replace(SAMPLE_MAIL_ID, mail_id)
    invoke(functions["mail_events"], json.loads(text))


def invoice_of(functions) -> str:
    response = invoke(functions["invoices"], sample_event("invoices/create-invoice.json"))
    return json.loads(response["body"])["id"]


def sent_mail(
    deployment, invoice_id: str, recipient: str, ses_message_id: str = SAMPLE_SES_MESSAGE_ID
) -> str:
    """The id of a mail the worker sent and SES accepted as `ses_message_id`."""
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    message = OutboxMessage("acme", invoice_id, MailKind.INVOICE, recipient, "request:1", "alice")
    now = datetime.now(UTC)
    outbox.record(message, now)
    outbox.claim(message, now, timedelta(minutes=2))
    outbox.mark_sent(message, ses_message_id)
    return message.message_id


def test_a_delivery_is_recorded_once_however_often_sns_delivers_it(functions, deployment):
    invoice_id = invoice_of(functions)
    mail_id = sent_mail(deployment, invoice_id, "buyer@example.org")

    notify(functions, "mail_events/delivery.json", invoice_id, mail_id)
    notify(functions, "mail_events/delivery.json", invoice_id, mail_id)

    events = functions["invoices"].services.invoices.get("acme", invoice_id).events
    [delivered] = [event for event in events if event.type == "DELIVERED"]
    assert delivered.description == "Mail to buyer@example.org: delivered (250 2.0.0 OK)."
    assert delivered.authorId == "ses"


def test_a_hard_bounce_is_recorded_and_the_address_is_not_mailed_again(functions, deployment):
    invoice_id = invoice_of(functions)
    mail_id = sent_mail(deployment, invoice_id, "bounce@simulator.amazonses.com")

    notify(functions, "mail_events/bounce.json", invoice_id, mail_id)

    events = functions["invoices"].services.invoices.get("acme", invoice_id).events
    [bounced] = [event for event in events if event.type == "BOUNCED"]
    assert "hard bounce" in bounced.description
    suppressions = DynamoSuppressionList(deployment.ref("InvoicingTable"))
    assert suppressions.reason_not_to_mail("acme", "bounce@simulator.amazonses.com") is not None
    assert suppressions.reason_not_to_mail("other-tenant", "bounce@simulator.amazonses.com") is None


def test_a_complaint_is_recorded_and_suppresses_the_address(functions, deployment):
    invoice_id = invoice_of(functions)
    mail_id = sent_mail(deployment, invoice_id, "complaint@simulator.amazonses.com")

    notify(functions, "mail_events/complaint.json", invoice_id, mail_id)

    events = functions["invoices"].services.invoices.get("acme", invoice_id).events
    assert [event.type for event in events].count("COMPLAINED") == 1
    reason = DynamoSuppressionList(deployment.ref("InvoicingTable")).reason_not_to_mail(
        "acme", "complaint@simulator.amazonses.com"
    )
    assert reason is not None
    assert reason.startswith("complaint")


def test_a_notification_about_another_mail_is_ignored(functions):
    invoice_id = invoice_of(functions)
    event = sample_event("mail_events/delivery.json")
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    message["mail"]["tags"] = {"ses:configuration-set": ["other"]}
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)

    invoke(functions["mail_events"], event)

    events = functions["invoices"].services.invoices.get("acme", invoice_id).events
    assert [event.type for event in events] == ["CREATE"]


@pytest.mark.parametrize(
    "recorded_ses_message_id", [None, "0100018f-another-mail-of-that-invoice-0000"], ids=["no-mail", "other"]
)
def test_a_bounce_that_is_not_of_the_mail_its_tags_name_suppresses_nothing(
    functions, deployment, recorded_ses_message_id
):
    invoice_id = invoice_of(functions)
    mail_id = SAMPLE_MAIL_ID
    if recorded_ses_message_id is not None:
        mail_id = sent_mail(deployment, invoice_id, "bounce@simulator.amazonses.com", recorded_ses_message_id)

    notify(functions, "mail_events/bounce.json", invoice_id, mail_id)

    suppressions = DynamoSuppressionList(deployment.ref("InvoicingTable"))
    assert suppressions.reason_not_to_mail("acme", "bounce@simulator.amazonses.com") is None
    events = functions["invoices"].services.invoices.get("acme", invoice_id).events
    assert [event.type for event in events] == ["CREATE"]


def test_a_notification_that_comes_before_the_worker_recorded_the_send_waits_for_it(
    functions, deployment, monkeypatch
):
    invoice_id = invoice_of(functions)
    outbox = DynamoMailOutbox(deployment.ref("InvoicingTable"))
    message = OutboxMessage("acme", invoice_id, MailKind.INVOICE, "buyer@example.org", "request:1", "alice")
    outbox.record(message, datetime.now(UTC))
    outbox.claim(message, datetime.now(UTC), timedelta(minutes=2))
    waits: list[float] = []

    def worker_records_the_send(seconds: float) -> None:
        waits.append(seconds)
        outbox.mark_sent(message, SAMPLE_SES_MESSAGE_ID)

    monkeypatch.setattr(functions["mail_events"].services, "sleep", worker_records_the_send)

    notify(functions, "mail_events/delivery.json", invoice_id, message.message_id)

    assert len(waits) == 1
    events = functions["invoices"].services.invoices.get("acme", invoice_id).events
    assert [event.type for event in events].count("DELIVERED") == 1
