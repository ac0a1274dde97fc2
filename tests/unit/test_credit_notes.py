"""Credit notes and payments together: what is owed is the total less payments and credits."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.errors import ValidationFailed
from invoicing.invoices import credit_notes, edits, kernel, lifecycle
from invoicing.invoices.enums import InvoiceStatus, PaymentMethod
from invoicing.invoices.figures import contribution
from invoicing.invoices.lifecycle import NumberAssignment
from invoicing.invoices.model import Invoice, InvoiceCreate, RowInput

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
NUMBER = NumberAssignment("credit-note#2026", 1, "CN-2026-00001")


def sent() -> Invoice:
    fields = InvoiceCreate(
        currency="EUR",
        rows=[
            RowInput(description="Work", quantity=Decimal(10), unitPrice=Decimal(100), taxRate=Decimal(19))
        ],
    )
    draft = edits.create_invoice(fields, actor=ACTOR, now=NOW).invoice
    return draft.model_copy(
        update={"status": InvoiceStatus.SENT, "invoiceNumber": "INV-1", "invoiceDate": NOW}
    )


def credited(invoice: Invoice, **request: object) -> tuple[Invoice, Invoice]:
    note = credit_notes.credit_note_of(
        invoice, credit_notes.CreditNoteRequest.model_validate(request), NUMBER, actor=ACTOR, now=NOW
    ).invoice
    return note, credit_notes.credited_by(invoice, note, actor=ACTOR, now=NOW).invoice


def test_after_a_partial_credit_a_payment_may_cover_only_the_rest():
    invoice = sent()
    _, after = credited(invoice, rows=[{"rowId": invoice.rows[0].id, "quantity": 4}])

    with pytest.raises(ValidationFailed):
        lifecycle.add_payment(after, Decimal("714.01"), NOW, PaymentMethod.CASH, actor=ACTOR, now=NOW)
    paid = lifecycle.mark_as_paid(after, NOW, actor=ACTOR, now=NOW).invoice

    assert after.amountDue == Decimal("714.00")
    assert paid.status is InvoiceStatus.PAID
    assert paid.paid == Decimal("714.00")
    assert paid.datePaid == NOW


def test_a_credit_note_of_a_paid_invoice_leaves_the_customer_a_credit():
    invoice = sent()
    paid = lifecycle.mark_as_paid(invoice, NOW, actor=ACTOR, now=NOW).invoice

    _, after = credited(paid, rows=[{"rowId": paid.rows[0].id, "unitPrice": 10}])

    assert after.status is InvoiceStatus.PAID
    assert after.amountDue == Decimal("-119.00")


def test_a_credit_note_counts_as_issued_and_moves_no_money_in_the_figures():
    note, after = credited(sent())

    assert contribution(note) == ({"ISSUED": 1}, {})
    assert contribution(after)[1]["EUR"]["invoiced"] == 0
    assert contribution(after)[1]["EUR"]["outstanding"] == 0


def test_a_lower_price_is_credited_per_unit_and_a_higher_one_refused():
    invoice = sent()
    row = invoice.rows[0].id

    note, _ = credited(invoice, rows=[{"rowId": row, "unitPrice": 10}])
    with pytest.raises(ValidationFailed) as refused:
        credited(invoice, rows=[{"rowId": row, "unitPrice": 101}])

    assert note.total == Decimal("119.00")
    assert "rows[0].unitPrice" in refused.value.field_errors
