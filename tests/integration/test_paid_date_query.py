"""Dates and times the API takes: `mark-as-paid?date=` is YYYY-MM-DD, a payment's date ISO 8601 text."""

from __future__ import annotations

import pytest

from tests.integration.test_lifecycle_function import call, functions, sent

__all__ = ["functions"]


@pytest.mark.parametrize("written", ["0", "1796120000", "2026-11-30T10:00:00Z", "30.11.2026"])
def test_a_paid_date_that_is_not_yyyy_mm_dd_is_a_400_naming_date(functions, written):
    invoice = sent(functions)

    status, problem = call(
        functions, "lifecycle/mark-as-paid.json", invoice_id=invoice["id"], query={"date": [written]}
    )

    assert status == 400, problem
    assert "date" in problem["errors"]


def test_a_yyyy_mm_dd_paid_date_is_taken(functions):
    invoice = sent(functions)

    status, paid = call(
        functions, "lifecycle/mark-as-paid.json", invoice_id=invoice["id"], query={"date": ["2026-11-30"]}
    )

    assert status == 200, paid
    assert paid["datePaid"] == "2026-11-30T00:00:00Z"


@pytest.mark.parametrize("date", [0, 1796120000, 1796120000.5])
def test_a_payment_dated_by_a_number_is_a_400_naming_date(functions, date):
    invoice = sent(functions)

    status, problem = call(
        functions, "lifecycle/add-payment.json", invoice_id=invoice["id"], body={"amount": 10, "date": date}
    )

    assert status == 400, problem
    assert "date" in problem["errors"]
