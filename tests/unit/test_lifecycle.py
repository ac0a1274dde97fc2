"""The state machine, numbering and payments, without storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from invoicing.errors import Conflict, NotFound, ValidationFailed
from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.enums import InvoiceStatus, PaymentMethod
from invoicing.invoices.figures import figures_delta
from invoicing.invoices.lifecycle import NumberingPolicy
from invoicing.invoices.model import InvoiceCreate, InvoiceFields, RowInput

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")


def draft(total: str = "100", **fields):
    create = InvoiceCreate(
        currency="EUR",
        paymentTermDays=14,
        rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal(total))],
        **fields,
    )
    return edits.create_invoice(create, actor=ACTOR, now=NOW).invoice


def published(total: str = "100", **fields):
    number = lifecycle.next_number(NumberingPolicy(), 2026, 0)
    return lifecycle.publish(draft(total, **fields), number, actor=ACTOR, now=NOW).invoice


def pay(invoice, amount: str, when: datetime = NOW):
    return lifecycle.add_payment(
        invoice, Decimal(amount), when, PaymentMethod.CASH, actor=ACTOR, now=NOW
    ).invoice


def test_publishing_numbers_dates_and_sends_a_draft():
    invoice = published()

    assert (invoice.status, invoice.invoiceNumber) == (InvoiceStatus.SENT, "INV-2026-00001")
    assert invoice.invoiceDate == datetime(2026, 11, 22, tzinfo=UTC)
    assert invoice.dueDate == datetime(2026, 12, 6, tzinfo=UTC)


def test_only_drafts_and_scheduled_invoices_with_rows_can_be_published():
    number = lifecycle.next_number(NumberingPolicy(), 2026, 0)

    with pytest.raises(Conflict, match="draft or scheduled"):
        lifecycle.publish(published(), number, actor=ACTOR, now=NOW)
    empty = edits.empty_invoice("EUR", actor=ACTOR, now=NOW).invoice
    with pytest.raises(Conflict, match="no rows"):
        lifecycle.publish(empty, number, actor=ACTOR, now=NOW)


@pytest.mark.parametrize(
    ("number_format", "yearly", "expected", "counter"),
    [
        ("INV-{year}-{sequence:05d}", True, "INV-2026-00042", "invoice#2026"),
        ("{sequence}", False, "42", "invoice"),
        ("ACME/{year}/{sequence:04d}", True, "ACME/2026/0042", "invoice#2026"),
    ],
)
def test_numbering_policies(number_format, yearly, expected, counter):
    number = lifecycle.next_number(NumberingPolicy(number_format, yearly), 2026, 41)

    assert (number.number, number.counter, number.sequence) == (expected, counter, 42)


@pytest.mark.parametrize("number_format", ["INV-{year}", "{sequence}-{customer}", "{0}"])
def test_a_number_format_without_sequence_or_with_unknown_fields_is_refused(number_format):
    with pytest.raises(ValidationFailed, match="sequence"):
        NumberingPolicy(number_format)


def test_a_published_invoices_financial_content_is_frozen_but_notes_are_not():
    invoice = published()

    with pytest.raises(Conflict, match="frozen") as refused:
        edits.update_invoice(invoice, InvoiceFields(currency="USD", paymentTermDays=3), actor=ACTOR, now=NOW)
    with pytest.raises(Conflict):
        edits.add_row(invoice, RowInput(quantity=Decimal(1), unitPrice=Decimal(1)), actor=ACTOR, now=NOW)

    assert set(refused.value.field_errors) == {"currency", "paymentTermDays"}
    assert edits.update_invoice(invoice, InvoiceFields(note="ok"), actor=ACTOR, now=NOW).invoice.note == "ok"


def test_payments_move_the_status_from_sent_to_partially_paid_to_paid():
    invoice = published("100")

    partly = pay(invoice, "40")
    fully = pay(partly, "60", NOW + timedelta(days=2))

    assert (partly.status, partly.paid, partly.datePaid) == (
        InvoiceStatus.PARTIALLY_PAID,
        Decimal("40"),
        None,
    )
    assert (fully.status, fully.paid, fully.datePaid) == (
        InvoiceStatus.PAID,
        Decimal("100"),
        NOW + timedelta(days=2),
    )


def test_paid_excluding_tax_is_pro_rata():
    invoice = draft()
    taxed = edits.update_invoice(
        invoice,
        InvoiceFields(rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal(100), taxRate=Decimal(19))]),
        actor=ACTOR,
        now=NOW,
    ).invoice
    number = lifecycle.next_number(NumberingPolicy(), 2026, 0)
    sent = lifecycle.publish(taxed, number, actor=ACTOR, now=NOW).invoice

    assert pay(sent, "59.50").paidExcludingTax == Decimal("50.00")


@pytest.mark.parametrize(
    ("amount", "message"), [("0", "positive"), ("-1", "positive"), ("0.001", "minor"), ("100.01", "exceeds")]
)
def test_bad_payment_amounts_are_refused(amount, message):
    with pytest.raises(ValidationFailed, match=message):
        pay(published("100"), amount)


def test_payments_on_drafts_paid_or_cancelled_invoices_are_conflicts():
    cancelled = lifecycle.cancel(published(), actor=ACTOR, now=NOW).invoice

    for invoice in (draft(), pay(published("10"), "10"), cancelled):
        with pytest.raises(Conflict):
            pay(invoice, "1")


def test_removing_the_last_payment_of_an_overdue_invoice_makes_it_overdue_again():
    invoice = pay(published("100"), "100")
    after_due_date = NOW + timedelta(days=30)

    reopened = lifecycle.remove_payment(invoice, invoice.transactions[0].id, actor=ACTOR, now=after_due_date)

    assert (reopened.invoice.status, reopened.invoice.paid) == (InvoiceStatus.OVERDUE, Decimal(0))


def test_removing_an_unknown_payment_is_not_found():
    with pytest.raises(NotFound):
        lifecycle.remove_payment(pay(published(), "1"), "no-such-payment", actor=ACTOR, now=NOW)


def test_mark_as_paid_records_the_balance_and_unmark_removes_exactly_that_payment():
    partly = pay(published("100"), "30")

    marked = lifecycle.mark_as_paid(partly, NOW, actor=ACTOR, now=NOW).invoice
    unmarked = lifecycle.unmark_as_paid(marked, actor=ACTOR, now=NOW).invoice

    assert (marked.status, marked.transactions[-1].amount) == (InvoiceStatus.PAID, Decimal("70"))
    assert (unmarked.status, [t.amount for t in unmarked.transactions]) == (
        InvoiceStatus.PARTIALLY_PAID,
        [Decimal(30)],
    )


def test_date_paid_is_the_day_the_invoice_became_paid_in_full_not_the_latest_payment_date():
    partly = pay(published("100"), "30", NOW + timedelta(days=9))

    marked = lifecycle.mark_as_paid(partly, NOW + timedelta(days=8), actor=ACTOR, now=NOW).invoice

    assert (marked.status, marked.datePaid) == (InvoiceStatus.PAID, NOW + timedelta(days=8))


def test_unmark_refuses_an_invoice_paid_by_ordinary_payments():
    with pytest.raises(Conflict, match="not marked as paid"):
        lifecycle.unmark_as_paid(pay(published("10"), "10"), actor=ACTOR, now=NOW)


@pytest.mark.parametrize("status", [InvoiceStatus.SENT, InvoiceStatus.OVERDUE])
def test_published_unpaid_invoices_can_be_cancelled(status):
    invoice = published().model_copy(update={"status": status})

    assert lifecycle.cancel(invoice, actor=ACTOR, now=NOW).invoice.status == InvoiceStatus.CANCELLED


def test_drafts_partly_paid_and_paid_invoices_cannot_be_cancelled():
    for invoice in (draft(), pay(published(), "1"), pay(published("5"), "5")):
        with pytest.raises(Conflict, match="Only invoices in published"):
            lifecycle.cancel(invoice, actor=ACTOR, now=NOW)


def test_only_drafts_and_scheduled_invoices_can_be_deleted():
    edits.ensure_deletable(draft())
    with pytest.raises(Conflict, match="You can't delete published invoices"):
        edits.ensure_deletable(published())


def test_figures_move_by_the_difference_of_two_states():
    before = published("100")
    after = pay(before, "40")

    created = figures_delta(None, draft())
    paid = figures_delta(before, after)
    deleted = figures_delta(draft(), None)

    assert created.counts == {"DRAFT": 1}
    assert created.amounts == {}
    assert paid.counts == {"PARTIALLY_PAID": 1, "SENT": -1}
    assert paid.amounts == {"EUR": {"outstanding": Decimal(-40), "paid": Decimal(40)}}
    assert deleted.counts == {"DRAFT": -1}
    assert figures_delta(before, before).is_empty()
