"""Scheduled sending over the local stack: `make jobs` moves time forward, and a one-time schedule
also fires on real time."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from devtools.stack.testing import run_jobs
from tests.e2e.client import ApiClient
from tests.e2e.test_delivery_e2e import mails_to, one_mail_to

pytestmark = pytest.mark.e2e

TENANT = "scheduling-e2e"
REAL_TIME_SECONDS = 120.0


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def client(client_for) -> ApiClient:
    return client_for(TENANT)


def new_draft(client: ApiClient) -> tuple[str, str]:
    """A draft to a fresh address: (its id, the address)."""
    recipient = f"ap-{uuid.uuid4().hex[:8]}@globex.test"
    body = {
        "currency": "EUR",
        "contactEmail": recipient,
        "paymentTermDays": 30,
        "rows": [{"description": "Consulting", "quantity": 2, "unitPrice": 150, "taxRate": 19}],
    }
    created = client.post("/v1/invoices", body)
    assert created.status == 201, created.body
    return created.json()["id"], recipient


def schedule(client: ApiClient, invoice_id: str, send_at: datetime) -> dict:
    response = client.post(f"/v1/invoices/{invoice_id}/schedule", {"sendAt": iso(send_at)})
    assert response.status == 200, response.body
    return response.json()


def status_of(client: ApiClient, invoice_id: str) -> dict:
    return client.get(f"/v1/invoices/find/{invoice_id}").json()


def test_a_scheduled_invoice_is_sent_once_at_its_time_and_not_before(client, local_stack):
    invoice_id, recipient = new_draft(client)
    send_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    scheduled = schedule(client, invoice_id, send_at)

    before = run_jobs(local_stack, iso(send_at - timedelta(minutes=1)))
    waiting = status_of(client, invoice_id)
    at_time = run_jobs(local_stack, iso(send_at + timedelta(seconds=30)))
    one_mail_to(local_stack, recipient)
    run_jobs(local_stack, iso(send_at + timedelta(minutes=10)))

    assert (scheduled["status"], scheduled["invoiceNumber"]) == ("SCHEDULED", None)
    assert (waiting["status"], waiting["scheduledSendAt"]) == ("SCHEDULED", iso(send_at))
    assert "ScheduledSendFunction Sweep" in before
    assert 'outcome="sent"' in at_time
    sent = status_of(client, invoice_id)
    assert sent["status"] == "SENT"
    assert sent["invoiceNumber"]
    assert sent["scheduledSendAt"] is None
    assert sent["sentMails"] == [recipient]
    assert len(mails_to(local_stack.state_dir / "outbox", recipient)) == 1


def test_unschedule_stops_the_send(client, local_stack):
    invoice_id, recipient = new_draft(client)
    send_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    schedule(client, invoice_id, send_at)

    unscheduled = client.patch(f"/v1/invoices/{invoice_id}/unschedule")
    run_jobs(local_stack, iso(send_at + timedelta(minutes=10)))
    again = client.patch(f"/v1/invoices/{invoice_id}/unschedule")

    assert unscheduled.status == 200
    assert unscheduled.json()["status"] == "DRAFT"
    assert status_of(client, invoice_id)["status"] == "DRAFT"
    assert mails_to(local_stack.state_dir / "outbox", recipient) == []
    assert again.status == 409


def test_a_time_not_in_the_future_is_422_and_a_sent_invoice_409(client):
    invoice_id, _ = new_draft(client)

    past = client.post(f"/v1/invoices/{invoice_id}/schedule", {"sendAt": "2020-01-01T00:00:00Z"})
    client.patch(f"/v1/invoices/{invoice_id}/mark-as-sent")
    sent = client.post(f"/v1/invoices/{invoice_id}/schedule", {"sendAt": "2099-01-01T00:00:00Z"})

    assert past.status == 422
    assert sent.status == 409


def test_a_one_time_schedule_fires_on_real_time_within_two_minutes(client, local_stack):
    invoice_id, recipient = new_draft(client)
    send_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=20)
    schedule(client, invoice_id, send_at)

    deadline = time.monotonic() + REAL_TIME_SECONDS
    while time.monotonic() < deadline and status_of(client, invoice_id)["status"] != "SENT":
        time.sleep(2)

    assert status_of(client, invoice_id)["status"] == "SENT"
    one_mail_to(local_stack, recipient)


def test_with_recurring_drafts_lists_the_tenants_templates(client):
    body = {
        "currency": "EUR",
        "contactEmail": "ap@globex.test",
        "rows": [{"description": "Hosting", "quantity": 1, "unitPrice": 50}],
        "recurringAgreement": {"intervalMonths": 1, "nextInvoiceDate": "2099-01-31T00:00:00Z"},
    }
    template = client.post("/v1/invoices", body).json()
    new_draft(client)

    listed = client.get("/v1/invoices/with-recurring-drafts")

    assert listed.status == 200
    assert template["id"] in [invoice["id"] for invoice in listed.json()]
    assert all(invoice["recurringAgreement"] for invoice in listed.json())
