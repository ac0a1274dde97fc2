"""SES notifications through SNS, with the events/ samples against moto: recorded once, bad addresses
suppressed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from invoicing.adapters.suppressions import DynamoSuppressionList
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"


@pytest.fixture
def functions(deployment, load_function):
    ensure_tenant(
        DynamoTenantRepository(deployment.ref("InvoicingTable")),
        NewTenant("acme", "Acme Müller GmbH", "EUR", "billing@acme.test"),
        now=datetime.now(UTC),
    )
    return {"invoices": load_function("InvoicesFunction"), "mail_events": load_function("MailEventsFunction")}


def notify(functions, sample: str, invoice_id: str) -> None:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    invoke(functions["mail_events"], event)


def invoice_of(functions) -> str:
    response = invoke(functions["invoices"], sample_event("invoices/create-invoice.json"))
    return json.loads(response["body"])["id"]


def test_a_delivery_is_recorded_once_however_often_sns_delivers_it(functions):
    invoice_id = invoice_of(functions)

    notify(functions, "mail_events/delivery.json", invoice_id)
    notify(functions, "mail_events/delivery.json", invoice_id)

    events = functions["invoices"].invoices.get("acme", invoice_id).events
    [delivered] = [event for event in events if event.type == "DELIVERED"]
    assert delivered.description == "Mail to buyer@example.org: delivered (250 2.0.0 OK)."
    assert delivered.authorId == "ses"


def test_a_hard_bounce_is_recorded_and_the_address_is_not_mailed_again(functions, deployment):
    invoice_id = invoice_of(functions)

    notify(functions, "mail_events/bounce.json", invoice_id)

    events = functions["invoices"].invoices.get("acme", invoice_id).events
    [bounced] = [event for event in events if event.type == "BOUNCED"]
    assert "hard bounce" in bounced.description
    suppressions = DynamoSuppressionList(deployment.ref("InvoicingTable"))
    assert suppressions.reason_not_to_mail("acme", "bounce@simulator.amazonses.com") is not None
    assert suppressions.reason_not_to_mail("other-tenant", "bounce@simulator.amazonses.com") is None


def test_a_complaint_is_recorded_and_suppresses_the_address(functions, deployment):
    invoice_id = invoice_of(functions)

    notify(functions, "mail_events/complaint.json", invoice_id)

    events = functions["invoices"].invoices.get("acme", invoice_id).events
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

    events = functions["invoices"].invoices.get("acme", invoice_id).events
    assert [event.type for event in events] == ["CREATE"]
