"""Overdue invoices and reminders over HTTP against the local stack, moving time with `make jobs`:
OVERDUE and the cadence hold, one reminder after an outage, none for a paid invoice, and the
tenant's `totalOverdue` is right. Each test has its own tenant and recipients, and its invoices
fall due in 2031, after anything the other tests leave owed."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from devtools.stack.testing import RunningStack, python_environment
from tests.e2e.client import ApiClient, assert_problem
from tests.e2e.test_delivery_e2e import mails_to

pytestmark = pytest.mark.e2e

#: invoices dated 2031-03-01 with ten days' terms fall due on 2031-03-11
DUE_DAY = "2031-03-11"
#: a run in 2031 also reminds what other tests left owed: the worker may have much to send
WAIT_SECONDS = 120.0


def invoice_for(contact: str) -> dict:
    return {
        "currency": "EUR",
        "invoiceDate": "2031-03-01T00:00:00Z",
        "paymentTermDays": 10,
        "contactEmail": contact,
        "rows": [{"description": "Consulting", "quantity": 2, "unitPrice": 60, "taxRate": 19}],
    }


def sent_invoice(client: ApiClient, contact: str) -> dict:
    draft = client.post("/v1/invoices", invoice_for(contact)).json()
    response = client.patch(f"/v1/invoices/{draft['id']}/mark-as-sent")
    assert response.status == 200, response.json()
    return dict(response.json())


def jobs(local_stack: RunningStack, at: str) -> str:
    """`make jobs AT=<at>`: the job lines it printed; the overdue job's line must be there."""
    completed = subprocess.run(
        [sys.executable, "-m", "devtools.stack.jobs", "--at", at, "--state-dir", str(local_stack.state_dir)],
        env=python_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    [overdue] = [line for line in completed.stdout.splitlines() if "OverdueFunction" in line]
    return overdue


def reminders_to(local_stack: RunningStack, recipient: str) -> int:
    mails = mails_to(local_stack.state_dir / "outbox", recipient)
    return sum(1 for mail in mails if str(mail["Subject"]).startswith("Reminder"))


def reminders_sent(client: ApiClient, invoice_id: str, expected: int) -> int:
    """How many reminders of the invoice SES took, once `expected` of them have been."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        events = client.get(f"/v1/invoices/find/{invoice_id}").json()["events"]
        sent = sum(1 for event in events if event["type"] == "REMINDER_SENT")
        if sent >= expected or time.monotonic() > deadline:
            return sent
        time.sleep(0.5)


def test_overdue_and_the_reminder_cadence_hold(client_for, local_stack):
    client = client_for("e2e-overdue-cadence")
    invoice = sent_invoice(client, "ap.cadence@overdue.test")
    path = f"/v1/invoices/find/{invoice['id']}"

    jobs(local_stack, f"{DUE_DAY}T00:00:00Z")
    not_yet = client.get(path).json()
    assert not_yet["status"] == "SENT"
    assert not_yet.get("nextReminder") is None
    jobs(local_stack, f"{DUE_DAY}T06:00:00Z")

    overdue = client.get(path).json()
    assert overdue["status"] == "OVERDUE"
    assert overdue["nextReminder"] == {"step": 1, "daysAfterDue": 1, "at": "2031-03-12T00:00:00Z"}
    stats = client.get("/v1/invoices/stats").json()
    assert stats["totalOverdue"] == overdue["total"] == 142.8
    found = client.get("/v1/invoices/dynamic-search?filters=status:OVERDUE").json()
    assert [item["id"] for item in found["content"]] == [invoice["id"]]

    jobs(local_stack, "2031-03-12T01:00:00Z")
    jobs(local_stack, "2031-03-12T02:00:00Z")
    assert reminders_sent(client, invoice["id"], 1) == 1
    jobs(local_stack, "2031-03-18T00:00:00Z")
    assert reminders_sent(client, invoice["id"], 2) == 2
    assert reminders_to(local_stack, "ap.cadence@overdue.test") == 2
    reminded = client.get(path).json()
    assert len(reminded["reminders"]) == 2
    assert reminded["overdueNotifiedAt"] == "2031-03-12T01:00:00Z"
    assert reminded["nextReminder"] == {"step": 3, "daysAfterDue": 14, "at": "2031-03-25T00:00:00Z"}


def test_after_an_outage_one_reminder_and_none_for_a_paid_invoice(client_for, local_stack):
    client = client_for("e2e-overdue-outage")
    owed = sent_invoice(client, "ap.outage@overdue.test")
    paid = sent_invoice(client, "ap.paid@overdue.test")
    assert client.patch(f"/v1/invoices/{paid['id']}/mark-as-paid").status == 200

    jobs(local_stack, "2031-06-30T00:00:00Z")
    jobs(local_stack, "2031-07-01T00:00:00Z")

    assert reminders_sent(client, owed["id"], 1) == 1
    assert reminders_to(local_stack, "ap.outage@overdue.test") == 1
    assert reminders_to(local_stack, "ap.paid@overdue.test") == 0
    caught_up = client.get(f"/v1/invoices/find/{owed['id']}").json()
    assert (caught_up["status"], caught_up["lastReminder"]["daysAfterDue"]) == ("OVERDUE", 14)
    assert caught_up["nextReminder"] is None
    assert client.get(f"/v1/invoices/find/{paid['id']}").json()["status"] == "PAID"
    stats = client.get("/v1/invoices/stats").json()
    assert stats["totalOverdue"] == owed["total"]


def test_the_reminder_settings_are_validated_naming_the_field(client_for):
    client = client_for("e2e-overdue-settings", scopes="invoices:read settings:write")

    refused = assert_problem(client.patch("/v1/settings", {"reminders": {"cadenceDays": [14, 7]}}), 400)
    changed = client.patch("/v1/settings", {"reminders": {"cadenceDays": [3, 10], "senderName": "Acme"}})

    assert "reminders.cadenceDays" in refused["errors"]
    assert changed.status == 200
    assert changed.json()["reminders"] == {
        "enabled": True,
        "cadenceDays": [3, 10],
        "lateFee": None,
        "senderName": "Acme",
    }
