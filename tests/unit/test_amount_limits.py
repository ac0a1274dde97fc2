"""Every amount, computed totals included, stays within the documented bound of 10^12 either way."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.errors import ValidationFailed
from invoicing.invoices import edits, kernel
from invoicing.invoices.limits import within_limits
from invoicing.invoices.model import MAX_AMOUNT, Invoice, InvoiceCreate

NOW = datetime(2026, 11, 22, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")
ROW = {"description": "Beratung", "quantity": 2, "unitPrice": "100.00", "taxRate": 19}


def draft(**fields: object) -> Invoice:
    body = {"currency": "EUR", "rows": [ROW], **fields}
    return edits.create_invoice(InvoiceCreate.model_validate(body), actor=ACTOR, now=NOW).invoice


def test_a_row_total_over_the_bound_is_refused_naming_the_row():
    rows = [ROW, {"quantity": 999999, "unitPrice": "999999999999.99"}]

    with pytest.raises(ValidationFailed) as refused:
        draft(rows=rows)

    assert "rows[1].total" in refused.value.field_errors
    assert not any(name.startswith("rows[0]") for name in refused.value.field_errors)


def test_an_invoice_total_over_the_bound_is_refused_naming_the_total():
    rows = [{"quantity": 1, "unitPrice": "600000000000"}, {"quantity": 1, "unitPrice": "600000000000"}]

    with pytest.raises(ValidationFailed) as refused:
        draft(rows=rows)

    assert "total" in refused.value.field_errors
    assert not any(name.startswith("rows") for name in refused.value.field_errors)


def test_amounts_at_the_bound_are_accepted_either_way():
    at_bound = draft(rows=[{"quantity": 1, "unitPrice": str(MAX_AMOUNT)}])
    negative = at_bound.model_copy(update={"total": -MAX_AMOUNT})

    assert within_limits(at_bound).total == MAX_AMOUNT
    assert within_limits(negative) is negative
    with pytest.raises(ValidationFailed):
        within_limits(at_bound.model_copy(update={"total": -MAX_AMOUNT - Decimal("0.01")}))
