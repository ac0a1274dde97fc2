"""The lifecycle and figures functions, called with their events/ samples against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SAMPLE_TRANSACTION = "5a7c9e1b-0000-4000-8000-00000000aaaa"


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "figures": load_function("FiguresFunction"),
    }


def call(
    functions,
    sample: str,
    *,
    invoice_id: str = SAMPLE_ID,
    transaction_id: str = SAMPLE_TRANSACTION,
    body: object = ...,
    query: dict[str, list[str]] | None = None,
) -> tuple[int, object]:
    group = sample.split("/")[0]
    text = (
        json.dumps(sample_event(sample))
        .replace(SAMPLE_ID, invoice_id)
        .replace(SAMPLE_TRANSACTION, transaction_id)
    )
    event = json.loads(text)
    if body is not ...:
        event["body"] = json.dumps(body)
    if query is not None:
        event["multiValueQueryStringParameters"] = query
        event["queryStringParameters"] = {name: values[-1] for name, values in query.items()}
    response = invoke(functions[group], event)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def draft(functions, **overrides) -> dict:
    body = json.loads(sample_event("invoices/create-invoice.json")["body"]) | overrides
    status, invoice = call(functions, "invoices/create-invoice.json", body=body)
    assert status == 201
    return invoice


def sent(functions, **overrides) -> dict:
    invoice = draft(functions, **overrides)
    status, published = call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])
    assert status == 200, published
    return published


def test_mark_as_sent_numbers_invoices_consecutively(functions):
    first, second = sent(functions), sent(functions)

    assert (first["status"], first["invoiceNumber"]) == ("SENT", "INV-2026-00001")
    assert second["invoiceNumber"] == "INV-2026-00002"
    assert first["events"][-1]["type"] == "STATUS_CHANGED"


def test_a_draft_never_burns_a_number(functions):
    draft(functions)
    draft(functions)

    assert sent(functions)["invoiceNumber"] == "INV-2026-00001"


def test_publish_applies_seed_003s_body_and_answers_with_the_id(functions):
    invoice = draft(functions)

    status, answer = call(functions, "lifecycle/publish.json", invoice_id=invoice["id"])
    _, published = call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])

    assert (status, answer) == (200, {"id": invoice["id"]})
    assert published["status"] == "SENT"
    assert published["dueDate"] == "2026-12-22T00:00:00Z"
    assert published["note"] == "Payable within 30 days."
    assert [(row["sku"], row["total"], row["taxRate"]) for row in published["rows"]] == [("W-1", 53.97, 19.0)]
    assert published["customer"]["isMobileNumberSmsNotificationsEnabled"] is True
    assert [event["type"] for event in published["events"]] == ["CREATE", "UPDATE", "STATUS_CHANGED"]


def test_a_published_invoices_financial_content_is_frozen(functions):
    invoice = sent(functions)

    status, problem = call(functions, "invoices/update-invoice.json", invoice_id=invoice["id"])
    note_status, updated = call(
        functions, "invoices/update-invoice.json", invoice_id=invoice["id"], body={"note": "Still editable."}
    )

    assert status == 409
    assert "paymentTermDays" in problem["errors"]
    assert note_status == 200
    assert updated["note"] == "Still editable."


def test_publishing_twice_is_refused(functions):
    invoice = sent(functions)

    status, problem = call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])

    assert status == 409
    assert "draft or scheduled" in problem["detail"]


def test_payments_move_the_status_and_the_paid_figures(functions):
    invoice = sent(functions)

    _, partial = call(functions, "lifecycle/add-payment.json", invoice_id=invoice["id"])
    rest = round(invoice["total"] - 100, 2)
    _, paid = call(
        functions,
        "lifecycle/add-payment.json",
        invoice_id=invoice["id"],
        body={"amount": rest, "paymentMethod": "CASH"},
    )

    assert (partial["status"], partial["paid"]) == ("PARTIALLY_PAID", 100.0)
    assert partial["paidExcludingTax"] == round(100 * invoice["totalExcludingTax"] / invoice["total"], 2)
    assert (paid["status"], paid["paid"], paid["paidExcludingTax"]) == (
        "PAID",
        invoice["total"],
        invoice["totalExcludingTax"],
    )
    assert paid["datePaid"] is not None

    transaction_id = paid["transactions"][0]["id"]
    _, reopened = call(
        functions, "lifecycle/remove-payment.json", invoice_id=invoice["id"], transaction_id=transaction_id
    )
    assert (reopened["status"], reopened["paid"], reopened["datePaid"]) == ("PARTIALLY_PAID", rest, None)


@pytest.mark.parametrize(
    ("amount", "reason"), [(0, "positive"), (-5, "positive"), (1.001, "minor"), (10_000, "exceeds")]
)
def test_bad_payments_are_refused(functions, amount, reason):
    invoice = sent(functions)

    status, problem = call(
        functions, "lifecycle/add-payment.json", invoice_id=invoice["id"], body={"amount": amount}
    )

    assert status == 400
    assert "amount" in problem["errors"]
    assert reason in problem["detail"]


def test_payments_on_drafts_and_cancelled_invoices_are_refused(functions):
    unpublished = draft(functions)
    cancelled = sent(functions)
    call(functions, "lifecycle/cancel.json", invoice_id=cancelled["id"])

    for invoice in (unpublished, cancelled):
        status, problem = call(functions, "lifecycle/add-payment.json", invoice_id=invoice["id"])
        assert status == 409, problem


def test_mark_as_paid_records_the_balance_and_unmark_removes_exactly_it(functions):
    invoice = sent(functions)
    call(functions, "lifecycle/add-payment.json", invoice_id=invoice["id"])

    _, paid = call(functions, "lifecycle/mark-as-paid.json", invoice_id=invoice["id"])
    _, unmarked = call(functions, "lifecycle/unmark-as-paid.json", invoice_id=invoice["id"])

    assert paid["status"] == "PAID"
    assert paid["transactions"][-1]["amount"] == round(invoice["total"] - 100, 2)
    assert paid["transactions"][-1]["date"] == "2026-11-30T00:00:00Z"
    assert (unmarked["status"], unmarked["paid"], len(unmarked["transactions"])) == (
        "PARTIALLY_PAID",
        100.0,
        1,
    )


def test_mark_as_paid_dates_the_payment_in_full_after_a_later_dated_partial_payment(functions):
    invoice = sent(functions)
    partial = {"amount": 100, "date": "2026-12-01T00:00:00Z", "paymentMethod": "BANK_TRANSFER"}
    call(functions, "lifecycle/add-payment.json", invoice_id=invoice["id"], body=partial)

    status, paid = call(functions, "lifecycle/mark-as-paid.json", invoice_id=invoice["id"])

    assert (status, paid["status"], paid["datePaid"]) == (200, "PAID", "2026-11-30T00:00:00Z")


def test_cancel_only_published_unpaid_invoices_and_keep_the_number(functions):
    unpublished, invoice, partly_paid = draft(functions), sent(functions), sent(functions)
    call(functions, "lifecycle/add-payment.json", invoice_id=partly_paid["id"])

    status, cancelled = call(functions, "lifecycle/cancel.json", invoice_id=invoice["id"])
    refused = [
        call(functions, "lifecycle/cancel.json", invoice_id=i["id"])[0] for i in (unpublished, partly_paid)
    ]
    again, problem = call(functions, "lifecycle/cancel.json", invoice_id=invoice["id"])

    assert (status, cancelled["status"], cancelled["invoiceNumber"]) == (
        200,
        "CANCELLED",
        invoice["invoiceNumber"],
    )
    assert refused == [409, 409]
    assert again == 409
    assert (
        "Only invoices in published (Due, Past Due) status and not paid can be canceled" in problem["detail"]
    )
    assert sent(functions)["invoiceNumber"] == "INV-2026-00003"


def test_published_invoices_cannot_be_deleted(functions):
    invoice = sent(functions)

    status, problem = call(functions, "invoices/delete-invoice.json", invoice_id=invoice["id"])

    assert status == 409
    assert "You can't delete published invoices" in problem["detail"]


def test_figures_follow_every_change(functions):
    draft(functions)
    paid_invoice, open_invoice = sent(functions), sent(functions, currency="USD")
    call(functions, "lifecycle/mark-as-paid.json", invoice_id=paid_invoice["id"])

    _, counts = call(functions, "figures/count-by-status.json")
    _, stats = call(functions, "figures/stats.json")
    _, dates = call(functions, "figures/date-range.json")

    assert counts == {
        "DRAFT": 1,
        "SCHEDULED": 0,
        "SENT": 1,
        "PARTIALLY_PAID": 0,
        "PAID": 1,
        "OVERDUE": 0,
        "CANCELLED": 0,
        "ISSUED": 0,
    }
    assert stats["currency"] == "EUR"
    assert (stats["totalInvoiced"], stats["totalPaid"], stats["totalOutstanding"]) == (1492.22, 1492.22, 0.0)
    assert stats["byCurrency"]["USD"] == {
        "invoiced": 1492.22,
        "paid": 0.0,
        "outstanding": 1492.22,
        "overdue": 0.0,
    }
    assert dates == {"min": "2026-11-22T00:00:00Z", "max": "2026-11-22T00:00:00Z"}
    assert open_invoice["currency"] == "USD"


def test_deleting_a_draft_moves_the_counts_back(functions):
    invoice = draft(functions)
    call(functions, "invoices/delete-invoice.json", invoice_id=invoice["id"])

    _, counts = call(functions, "figures/count-by-status.json")

    assert counts["DRAFT"] == 0


def test_publish_can_give_an_empty_draft_its_rows(functions):
    status, empty = call(functions, "invoices/create-empty-invoice.json")

    published_status, answer = call(functions, "lifecycle/publish.json", invoice_id=empty["id"])
    _, published = call(functions, "invoices/find-invoice.json", invoice_id=empty["id"])

    assert (status, published_status, answer) == (201, 200, {"id": empty["id"]})
    assert (published["status"], len(published["rows"])) == ("SENT", 1)


def mark_paid_by(functions, method: object) -> tuple[dict, int, object]:
    """A sent invoice marked as paid with `method` as its paymentMethodTypeId."""
    invoice = sent(functions)
    body = {"paymentMethodTypeId": method}
    status, answer = call(functions, "lifecycle/mark-as-paid.json", invoice_id=invoice["id"], body=body)
    return invoice, status, answer


@pytest.mark.parametrize("method", [False, True, "3", 3.5])
def test_mark_as_paid_refuses_a_payment_method_id_that_is_not_an_integer(functions, method):
    invoice, status, problem = mark_paid_by(functions, method)
    _, unchanged = call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])

    assert status == 400
    assert "paymentMethodTypeId" in json.dumps(problem)
    assert unchanged["status"] == "SENT"


@pytest.mark.parametrize("method", [3, 3.0])
def test_mark_as_paid_takes_a_payment_method_id_written_as_any_json_integer(functions, method):
    _, status, paid = mark_paid_by(functions, method)

    assert status == 200
    assert (paid["status"], paid["transactions"][-1]["paymentMethod"]) == ("PAID", "ACH")
