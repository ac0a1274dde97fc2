"""Recurring invoices over HTTP against the local stack, time moved on with `make jobs`: the month-end
series Jan 31 -> Feb 28 -> Mar 31 issued once each after a two-month outage, by two runs at once;
endDate honoured; drafts without autoSend."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from devtools.stack.testing import run_jobs
from tests.e2e.client import ApiClient, assert_problem
from tests.e2e.test_delivery_e2e import delivery_queue_drained, eventually, mails_to, pdf_text

pytestmark = pytest.mark.e2e

MONTH_ENDS = ["2027-01-31T09:00:00Z", "2027-02-28T09:00:00Z", "2027-03-31T09:00:00Z"]


def recurring_line(output: str) -> str:
    """The recurring job's one-line summary in the output of `make jobs`."""
    [line] = [line for line in output.splitlines() if "RecurringFunction" in line]
    return line


def invoice_mails(outbox: Path, recipient: str) -> list[EmailMessage]:
    """The invoices mailed to `recipient` (reminders of the overdue job aside)."""
    return [mail for mail in mails_to(outbox, recipient) if mail["Subject"].startswith("Invoice ")]


def template(client: ApiClient, client_id: str, contact: str, **agreement: Any) -> dict[str, Any]:
    response = client.post(
        "/v1/invoices",
        {
            "currency": "EUR",
            "paymentTermDays": 14,
            "clientId": client_id,
            "contactEmail": contact,
            "note": "Hosting, billed monthly.",
            "rows": [{"description": "Hosting", "quantity": 1, "unitPrice": 49, "taxRate": 19}],
            "recurringAgreement": {"intervalMonths": 1, "nextInvoiceDate": MONTH_ENDS[0], **agreement},
        },
    )
    assert response.status == 201, response.json()
    created: dict[str, Any] = response.json()
    return created


def issued_by(client: ApiClient, template_id: str, client_id: str) -> list[dict[str, Any]]:
    page = client.get(
        f"/v1/invoices/dynamic-search?filters=clientId:{client_id}&sort=invoiceDate,asc&size=50"
    )
    assert page.status == 200, page.json()
    return [invoice for invoice in page.json()["content"] if invoice["id"] != template_id]


def test_after_a_two_month_outage_two_runs_at_once_issue_and_mail_each_month_end_once(
    client_for, local_stack
):
    client = client_for("e2e-recurring")
    client_id, contact = f"hosting-{uuid.uuid4().hex[:8]}", f"ap.{uuid.uuid4().hex[:8]}@recurring.test"
    series = template(client, client_id, contact, autoSend=True)
    assert series["recurringAgreement"]["nextInvoiceDate"] == MONTH_ENDS[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda _: run_jobs(local_stack, "2027-03-31T10:00:00Z"), range(2)))
    lines = [recurring_line(output) for output in outputs]

    issued = issued_by(client, series["id"], client_id)
    assert [invoice["invoiceDate"] for invoice in issued] == MONTH_ENDS, lines
    assert [invoice["dueDate"] for invoice in issued] == [
        "2027-02-14T09:00:00Z",
        "2027-03-14T09:00:00Z",
        "2027-04-14T09:00:00Z",
    ]
    # the overdue job of the same `make jobs` ran after the recurring one: two are past their due date
    assert [(invoice["status"], invoice["type"]) for invoice in issued] == [
        ("OVERDUE", "RECURRING"),
        ("OVERDUE", "RECURRING"),
        ("SENT", "RECURRING"),
    ]
    assert len({invoice["invoiceNumber"] for invoice in issued}) == 3
    assert [invoice["recurringTemplate"] for invoice in issued] == [
        {"id": series["id"], "occurrence": n} for n in (1, 2, 3)
    ]
    outbox = local_stack.state_dir / "outbox"
    eventually(lambda: len(invoice_mails(outbox, contact)) >= 3, f"three invoice mails to {contact}")
    eventually(lambda: delivery_queue_drained(local_stack), "the delivery queue to drain")
    by_subject = {mail["Subject"]: mail for mail in invoice_mails(outbox, contact)}
    assert sorted(by_subject) == sorted(f"Invoice {i['invoiceNumber']} from e2e-recurring" for i in issued)
    for invoice in issued:
        assert invoice["invoiceNumber"] in pdf_text(
            by_subject[f"Invoice {invoice['invoiceNumber']} from e2e-recurring"]
        )
    shown = client.get(f"/v1/invoices/find/{series['id']}").json()
    assert (shown["recurringAgreement"]["nextInvoiceDate"], shown["recurringInvoicesIssued"]) == (
        "2027-04-30T09:00:00Z",
        3,
    )

    assert "issued=0 sent=0" in recurring_line(run_jobs(local_stack, "2027-03-31T10:00:00Z"))

    assert len(issued_by(client, series["id"], client_id)) == 3
    assert len(invoice_mails(outbox, contact)) == 3


def test_the_end_date_is_honoured_and_without_auto_send_the_invoices_are_drafts(client_for, local_stack):
    client = client_for("e2e-recurring-drafts")
    client_id, contact = f"support-{uuid.uuid4().hex[:8]}", f"ap.{uuid.uuid4().hex[:8]}@recurring.test"
    series = template(client, client_id, contact, endDate="2027-02-28T09:00:00Z")

    run_jobs(local_stack, "2027-06-30T10:00:00Z")

    issued = issued_by(client, series["id"], client_id)
    assert [invoice["invoiceDate"] for invoice in issued] == MONTH_ENDS[:2]
    assert [(invoice["status"], invoice["invoiceNumber"]) for invoice in issued] == [("DRAFT", None)] * 2
    assert (
        client.get(f"/v1/invoices/find/{series['id']}").json()["recurringAgreement"]["nextInvoiceDate"]
        is None
    )
    assert mails_to(local_stack.state_dir / "outbox", contact) == []
    templates = client.get("/v1/invoices/with-recurring-drafts").json()
    assert [invoice["id"] for invoice in templates] == [series["id"]]


def test_an_agreement_without_an_interval_is_400_and_nothing_is_created(client_for):
    client = client_for("e2e-recurring-invalid")

    response = client.post(
        "/v1/invoices",
        {
            "currency": "EUR",
            "rows": [],
            "recurringAgreement": {"intervalDays": 0, "intervalMonths": 0, "nextInvoiceDate": MONTH_ENDS[0]},
        },
    )

    problem = assert_problem(response, 400)
    assert "recurringAgreement" in problem["errors"]
    assert client.get("/v1/invoices/count-by-status").json().get("DRAFT", 0) == 0
