"""A null on create is the default; on update it clears what an invoice may lack and is refused for
what every invoice has."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.errors import ValidationFailed
from invoicing.invoices import edits, kernel
from invoicing.invoices.enums import InvoiceType
from invoicing.invoices.model import Invoice, InvoiceCreate, InvoiceFields, RowInput

NOW = datetime(2026, 11, 22, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")
ROW = {"description": "Beratung", "quantity": 2, "unitPrice": "100.00", "taxRate": 19}


def draft(**fields: object) -> Invoice:
    body = {"currency": "EUR", "rows": [ROW], **fields}
    return edits.create_invoice(InvoiceCreate.model_validate(body), actor=ACTOR, now=NOW).invoice


def test_a_null_on_create_is_the_same_as_leaving_the_field_out():
    with_nulls = draft(
        type=None, discountPercentage=None, feesPercentage=None, shippingAmount=None, note=None, customer=None
    )
    without = draft()

    assert with_nulls.type == InvoiceType.MANUAL
    assert (with_nulls.discountPercentage, with_nulls.feesPercentage, with_nulls.shippingAmount) == (0, 0, 0)
    assert with_nulls.total == without.total


def test_a_null_in_a_new_row_is_its_default():
    row = RowInput.model_validate({"quantity": 1, "unitPrice": 10, "taxRate": None, "type": None})

    assert (row.taxRate, row.type.value) == (Decimal(0), "ITEM")


def test_a_type_sent_on_create_is_kept():
    assert draft(type="RECURRING").type == InvoiceType.RECURRING


@pytest.mark.parametrize(
    "field", ["type", "currency", "rows", "discountPercentage", "feesPercentage", "shippingAmount"]
)
def test_an_update_that_empties_a_field_every_invoice_has_is_refused_naming_it(field):
    invoice = draft()

    with pytest.raises(ValidationFailed) as refused:
        edits.update_invoice(invoice, InvoiceFields.model_validate({field: None}), actor=ACTOR, now=NOW)

    assert list(refused.value.field_errors) == [field]
    assert "leave the field out" in refused.value.field_errors[field][0]


def test_every_refused_null_is_named_at_once():
    with pytest.raises(ValidationFailed) as refused:
        edits.update_invoice(
            draft(), InvoiceFields.model_validate({"type": None, "currency": None}), actor=ACTOR, now=NOW
        )

    assert sorted(refused.value.field_errors) == ["currency", "type"]


def test_an_update_null_clears_what_an_invoice_may_lack():
    invoice = draft(
        note="Payable by transfer.",
        clientId="C-1",
        contactEmail="ap@globex.test",
        paymentReference="RF18",
        customer={"companyName": "Globex"},
        invoiceDate="2026-11-22T00:00:00Z",
        paymentTermDays=14,
    )
    cleared = {
        "note": None,
        "clientId": None,
        "contactEmail": None,
        "paymentReference": None,
        "customer": None,
        "invoiceDate": None,
        "paymentTermDays": None,
    }

    updated = edits.update_invoice(
        invoice, InvoiceFields.model_validate(cleared), actor=ACTOR, now=NOW
    ).invoice

    assert all(getattr(updated, name) is None for name in cleared)
    assert updated.dueDate is None
    assert updated.total == invoice.total


def test_a_field_left_out_of_an_update_is_unchanged():
    invoice = draft(note="Keep me.")

    updated = edits.update_invoice(
        invoice, InvoiceFields.model_validate({"clientId": "C-2"}), actor=ACTOR, now=NOW
    ).invoice

    assert (updated.note, updated.clientId) == ("Keep me.", "C-2")
