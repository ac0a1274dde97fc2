"""Lifecycle races over HTTP against the local stack: real parallel requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.client import assert_problem

pytestmark = pytest.mark.e2e

ONE_ROW = {"currency": "EUR", "rows": [{"description": "Service", "quantity": 1, "unitPrice": 5}]}


def test_fifty_invoices_published_in_parallel_get_fifty_consecutive_numbers(client_for):
    client = client_for("e2e-numbering")
    drafts = [client.post("/v1/invoices", ONE_ROW).json()["id"] for _ in range(50)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(
            pool.map(lambda invoice_id: client.patch(f"/v1/invoices/{invoice_id}/mark-as-sent"), drafts)
        )

    assert [response.status for response in responses] == [200] * 50
    numbers = sorted(response.json()["invoiceNumber"] for response in responses)
    year = numbers[0][4:8]
    assert numbers == [f"INV-{year}-{sequence:05d}" for sequence in range(1, 51)]


def test_ten_parallel_payments_of_one_against_five_record_exactly_five(client_for):
    client = client_for("e2e-payments")
    invoice = client.post("/v1/invoices", ONE_ROW).json()
    client.patch(f"/v1/invoices/{invoice['id']}/mark-as-sent")

    def pay(_: int) -> int:
        payment = {"amount": 1.00, "paymentMethod": "CASH"}
        return client.patch(f"/v1/invoices/{invoice['id']}/add-payment", payment).status

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(pay, range(10)))

    final = client.get(f"/v1/invoices/find/{invoice['id']}").json()
    assert statuses.count(200) == 5
    assert set(statuses) - {200} <= {400, 409}, "an overpayment or a payment on a paid invoice is refused"
    assert (final["paid"], final["status"], len(final["transactions"])) == (5.0, "PAID", 5)


def test_racing_cancel_and_payment_never_both_win(client_for):
    client = client_for("e2e-race")
    invoice = client.post("/v1/invoices", ONE_ROW).json()
    client.patch(f"/v1/invoices/{invoice['id']}/mark-as-sent")

    with ThreadPoolExecutor(max_workers=2) as pool:
        cancel = pool.submit(client.patch, f"/v1/invoices/{invoice['id']}/cancel")
        pay = pool.submit(client.patch, f"/v1/invoices/{invoice['id']}/add-payment", {"amount": 5})
    outcomes = {cancel.result().status, pay.result().status}

    final = client.get(f"/v1/invoices/find/{invoice['id']}").json()
    assert 200 in outcomes
    assert outcomes <= {200, 409}
    assert final["status"] in {"CANCELLED", "PAID"}
    assert (final["status"] == "PAID") == (final["paid"] == 5.0)


def test_an_illegal_transition_is_409_with_a_message_a_ui_can_show(client_for):
    client = client_for("e2e-rules")
    draft = client.post("/v1/invoices", ONE_ROW).json()

    problem = assert_problem(client.patch(f"/v1/invoices/{draft['id']}/cancel"), 409)

    assert problem["detail"].startswith(
        "Only invoices in published (Due, Past Due) status and not paid can be canceled"
    )
    assert problem["customerFacingMessage"]


def test_figures_over_http(client_for):
    client = client_for("e2e-figures")
    invoice = client.post("/v1/invoices", ONE_ROW).json()
    client.patch(f"/v1/invoices/{invoice['id']}/mark-as-sent")
    client.patch(f"/v1/invoices/{invoice['id']}/add-payment", {"amount": 2})

    counts = client.get("/v1/invoices/count-by-status").json()
    stats = client.get("/v1/invoices/stats").json()

    assert counts["PARTIALLY_PAID"] == 1
    assert (stats["totalInvoiced"], stats["totalPaid"], stats["totalOutstanding"]) == (5.0, 2.0, 3.0)
