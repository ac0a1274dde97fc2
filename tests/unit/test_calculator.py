"""EN 16931's arithmetic (calculation version 2) with worked examples, both rounding modes, and the
version rule: issued invoices keep their figures, stored version 1 invoices read as they were."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.errors import Unprocessable
from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.calculator import (
    CALCULATION_VERSION,
    AdjustmentKind,
    InvoiceTerms,
    LineTerms,
    TaxRounding,
    invoice_figures,
)
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.model import Invoice, InvoiceCreate, InvoiceFields, RowInput
from invoicing.money import is_exact, quantum, round_money

D = Decimal
NOW = datetime(2026, 11, 22, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice")
PER_LINE = TaxRounding.PER_LINE


def line(quantity: str | int, price: str | int, rate: str | int = 0, discount: str | int = 0) -> LineTerms:
    return LineTerms(D(quantity), D(price), D(discount), D(rate))


def breakdown(figures) -> list[tuple[str, str, str]]:
    return [(str(t.rate), str(t.taxable_amount), str(t.tax_amount)) for t in figures.tax_breakdown]


def test_a_thousand_rows_of_1_11_at_19_percent_owe_19_percent_of_1110():
    figures = invoice_figures([line(1, "1.11", 19)] * 1000, InvoiceTerms("EUR"))

    assert breakdown(figures) == [("19", "1110.00", "210.90")]
    assert figures.total_with_tax == D("1320.90")
    assert sum(row.tax_amount for row in figures.lines) == D("210.90")


def test_per_line_rounding_is_the_sum_of_every_rows_rounded_tax():
    figures = invoice_figures([line(1, "1.11", 19)] * 1000, InvoiceTerms("EUR", rounding=PER_LINE))

    assert breakdown(figures) == [("19", "1110.00", "210.00")]
    assert {row.tax_amount for row in figures.lines} == {D("0.21")}


def test_a_line_is_quantity_times_price_less_its_discount_rounded_once():
    figures = invoice_figures([line(3, "19.99", 19, 10)], InvoiceTerms("EUR"))

    assert figures.lines[0].net == D("53.97")
    assert breakdown(figures) == [("19", "53.97", "10.25")]


@pytest.mark.parametrize(
    ("currency", "lines", "per_rate", "per_line"),
    [
        ("JPY", [line(1, 105, 8)] * 3, "25", "24"),
        ("EUR", [line(1, "0.10", 5)] * 3, "0.02", "0.03"),
        ("KWD", [line(1, "0.333", 5)] * 7, "0.117", "0.119"),
    ],
)
def test_zero_two_and_three_minor_unit_currencies(currency, lines, per_rate, per_line):
    by_rate = invoice_figures(lines, InvoiceTerms(currency))
    by_line = invoice_figures(lines, InvoiceTerms(currency, rounding=PER_LINE))

    assert by_rate.total_tax == D(per_rate)
    assert by_line.total_tax == D(per_line)
    assert sum(row.tax_amount for row in by_rate.lines) == by_rate.total_tax
    for amount in (
        by_rate.total_with_tax,
        by_line.total_with_tax,
        *(row.tax_amount for row in by_rate.lines),
    ):
        assert amount == amount.quantize(quantum(currency))


def test_row_taxes_share_the_rate_tax_by_largest_remainder():
    figures = invoice_figures(
        [line(1, "0.10", 5), line(1, "0.30", 5), line(1, "0.10", 5)], InvoiceTerms("EUR")
    )

    # exact 0.005, 0.015, 0.005 = 0.025 -> 0.03: floors 0.00, 0.01, 0.00 and two more cents,
    # to the largest remainders, the first line winning the tie
    assert [row.tax_amount for row in figures.lines] == [D("0.01"), D("0.02"), D("0.00")]
    assert figures.total_tax == D("0.03")


def test_the_discount_is_an_allowance_per_rate_and_fees_and_shipping_are_charges_at_their_rates():
    terms = InvoiceTerms(
        "EUR",
        discount_percentage=D(10),
        fees_percentage=D(2),
        fees_tax_rate=D(19),
        shipping_amount=D("4.90"),
        shipping_tax_rate=D(7),
    )

    figures = invoice_figures([line(1, 100, 19), line(2, 25, 7)], terms)

    assert [(a.kind, a.amount, a.tax_rate, a.base_amount) for a in figures.adjustments] == [
        (AdjustmentKind.DISCOUNT, D("5.00"), D(7), D("50.00")),
        (AdjustmentKind.DISCOUNT, D("10.00"), D(19), D("100.00")),
        (AdjustmentKind.FEES, D("2.70"), D(19), D("135.00")),
        (AdjustmentKind.SHIPPING, D("4.90"), D(7), None),
    ]
    # 7 %: 50.00 - 5.00 + 4.90 = 49.90 -> 3.493; 19 %: 100.00 - 10.00 + 2.70 = 92.70 -> 17.613
    assert breakdown(figures) == [("7", "49.90", "3.49"), ("19", "92.70", "17.61")]
    assert (figures.lines_total, figures.discount_amount, figures.fees_amount) == (D(150), D(15), D("2.70"))
    assert (figures.allowances_total, figures.charges_total) == (D("15.00"), D("7.60"))
    assert figures.total_excluding_tax == D("142.60")
    assert figures.total_tax == D("21.10")
    assert figures.total_with_tax == D("163.70")


def test_without_a_stated_rate_fees_and_shipping_are_taxed_at_zero():
    figures = invoice_figures(
        [line(1, 100, 20)], InvoiceTerms("EUR", D(10), D("2.5"), shipping_amount=D("4.90"))
    )

    assert breakdown(figures) == [("0", "7.15", "0.00"), ("20", "90.00", "18.00")]
    assert figures.total_with_tax == D("115.15")


def test_per_line_rounding_rounds_each_allowance_and_charge_on_its_own():
    terms = InvoiceTerms("EUR", D(10), shipping_amount=D("0.05"), shipping_tax_rate=D(19), rounding=PER_LINE)

    figures = invoice_figures([line(1, "0.05", 19)] * 3, terms)

    # lines 3 x round(0.0095) = 0.03; discount 0.02 -> -round(0.0038) = 0.00; shipping round(0.0095) = 0.01
    assert breakdown(figures) == [("19", "0.18", "0.04")]


def test_negative_lines_reduce_their_rate():
    figures = invoice_figures([line(1, 100, 19), line(-1, 30, 19), line(1, -10, 0)], InvoiceTerms("EUR"))

    assert breakdown(figures) == [("0", "-10.00", "0.00"), ("19", "70.00", "13.30")]
    assert [row.tax_amount for row in figures.lines] == [D("19.00"), D("-5.70"), D("0.00")]
    assert figures.total_with_tax == D("73.30")


def test_payable_is_the_total_less_what_is_paid():
    figures = invoice_figures([line(1, 100, 19)], InvoiceTerms("EUR", paid=D(50)))

    assert (figures.total_with_tax, figures.paid, figures.amount_due) == (D("119.00"), D("50.00"), D("69.00"))


def test_a_rate_is_one_rate_however_it_is_written():
    figures = invoice_figures(
        [line(1, 10, "19"), line(1, 10, "19.00"), line(1, 10, "19.0000")], InvoiceTerms("EUR")
    )

    assert breakdown(figures) == [("19", "30.00", "5.70")]


# --- the invoice: service, stored figures and the version rule ---------------------------------


def created(rounding: TaxRounding = TaxRounding.PER_RATE, **fields: object) -> Invoice:
    body = InvoiceCreate.model_validate(
        {"currency": "EUR", "rows": [{"quantity": 1, "unitPrice": "1.11", "taxRate": 19}] * 1000, **fields}
    )
    return edits.create_invoice(body, actor=ACTOR, now=NOW, tax_rounding=rounding).invoice


def test_a_new_invoice_states_its_rule_and_breakdown():
    invoice = created()

    assert (invoice.calculationVersion, invoice.taxRounding) == (CALCULATION_VERSION, TaxRounding.PER_RATE)
    assert [(t.rate, t.taxableAmount, t.taxAmount) for t in invoice.taxBreakdown] == [
        (D(19), D("1110.00"), D("210.90"))
    ]
    assert (invoice.totalTax, invoice.total, invoice.amountDue) == (D("210.90"), D("1320.90"), D("1320.90"))
    answered = invoice.model_dump()
    assert answered["taxBreakdown"] == [{"rate": 19, "taxableAmount": D("1110.00"), "taxAmount": D("210.90")}]
    assert (answered["calculationVersion"], answered["taxRounding"], answered["amountDue"]) == (
        2,
        "PER_RATE",
        D("1320.90"),
    )


def test_the_tenants_per_line_choice_is_kept_on_the_draft_through_its_edits():
    invoice = created(TaxRounding.PER_LINE)
    edited = edits.update_invoice(invoice, InvoiceFields(note="x"), actor=ACTOR, now=NOW).invoice

    assert (invoice.totalTax, edited.totalTax, edited.taxRounding) == (D("210.00"), D("210.00"), PER_LINE)


def test_text_rows_carry_no_amount():
    invoice = created(rows=[{"type": "TEXT", "description": "Phase 1", "quantity": 1, "unitPrice": 99}])

    assert (invoice.rows[0].total, invoice.total) == (D("0.00"), D("0.00"))


def test_figures_of_an_invoice_are_its_stored_figures_with_the_allowances_per_rate():
    invoice = created(discountPercentage=10)

    figures = edits.figures_of(invoice)

    assert figures.total_with_tax == invoice.totalWithTax
    assert [(a.kind, a.amount, a.tax_rate) for a in figures.adjustments] == [
        (AdjustmentKind.DISCOUNT, D("111.00"), D(19))
    ]


#: an invoice stored before calculation version 2: per-row tax, discount off the gross total
LEGACY = {
    "id": "inv-old",
    "tenantId": "acme",
    "status": "DRAFT",
    "type": "MANUAL",
    "currency": "EUR",
    "rows": [
        {
            "id": f"r{n}",
            "type": "ITEM",
            "quantity": 1,
            "quantityType": "AMOUNT",
            "unitPrice": "1.11",
            "discountPercentage": 0,
            "taxRate": 19,
            "total": "1.11",
            "taxAmount": "0.21",
            "totalWithTax": "1.32",
        }
        for n in range(1000)
    ],
    "discountPercentage": 10,
    "discountAmount": "132.00",
    "totalExcludingTax": "1110.00",
    "totalTax": "210.00",
    "totalWithTax": "1320.00",
    "total": "1188.00",
    "created": NOW,
    "createdBy": "alice",
    "updated": NOW,
    "updatedBy": "alice",
}


def test_a_stored_version_1_invoice_reads_with_the_figures_it_was_stored_with():
    invoice = Invoice.model_validate(LEGACY)

    assert (invoice.calculationVersion, invoice.taxRounding) == (1, None)
    assert (invoice.totalTax, invoice.total, invoice.linesTotal) == (D("210.00"), D("1188.00"), D("1110.00"))
    assert [(t.rate, t.taxableAmount, t.taxAmount) for t in invoice.taxBreakdown] == [
        (D(19), D("1110.00"), D("210.00"))
    ]


def test_an_issued_version_1_invoice_is_never_recomputed():
    issued = Invoice.model_validate(LEGACY | {"status": "SENT", "invoiceNumber": "INV-1"})

    edited = edits.update_invoice(issued, InvoiceFields(note="paid by card"), actor=ACTOR, now=NOW).invoice

    assert (edited.calculationVersion, edited.totalTax, edited.total) == (1, D("210.00"), D("1188.00"))
    assert edited.rows == issued.rows


def test_a_version_1_invoice_has_no_per_rate_detail_to_give():
    issued = Invoice.model_validate(LEGACY | {"status": "SENT", "invoiceNumber": "INV-1"})

    with pytest.raises(Unprocessable, match="calculation version 1"):
        edits.figures_of(issued)


def test_a_version_1_draft_is_repriced_under_the_current_rule_on_its_next_edit():
    draft = Invoice.model_validate(LEGACY)

    edited = edits.update_invoice(draft, InvoiceFields(note="x"), actor=ACTOR, now=NOW).invoice

    assert (edited.calculationVersion, edited.taxRounding) == (CALCULATION_VERSION, TaxRounding.PER_RATE)
    # discount 111.00 off the 19 % base: 999.00 -> 189.81
    assert (edited.discountAmount, edited.totalTax, edited.total) == (D("111.00"), D("189.81"), D("1188.81"))


def test_publishing_issues_the_figures_of_the_current_rule_and_keeps_them():
    draft = Invoice.model_validate(LEGACY)
    number = lifecycle.NumberAssignment("invoice#2026", 1, "INV-1")

    issued = lifecycle.publish(draft, number, actor=ACTOR, now=NOW).invoice
    row = RowInput(quantity=D(1), unitPrice=D(1))

    assert (issued.status, issued.calculationVersion, issued.totalTax) == (InvoiceStatus.SENT, 2, D("189.81"))
    assert edits.priced(issued, PER_LINE) == issued
    with pytest.raises(Exception, match=r"frozen|published"):
        edits.add_row(issued, row, actor=ACTOR, now=NOW)


# --- the rules, over random invoices --------------------------------------------------------------

CURRENCIES = st.sampled_from(["EUR", "JPY", "KWD", "USD"])
RATES = st.sampled_from([D(0), D(5), D(7), D("7.7"), D(19), D(20), D(25)])
LINES = st.lists(
    st.builds(
        LineTerms,
        st.decimals(min_value=D(-50), max_value=D(500), places=3),
        st.decimals(min_value=D(-100), max_value=D(10_000), places=4),
        st.sampled_from([D(0), D(0), D(5), D("12.5"), D(100)]),
        RATES,
    ),
    max_size=25,
)
PERCENT = st.sampled_from([D(0), D(0), D(3), D("12.5"), D(100)])
AMOUNT = st.decimals(min_value=D(0), max_value=D(1000), places=3)


@settings(max_examples=3000, deadline=None)
@given(
    CURRENCIES,
    LINES,
    PERCENT,
    PERCENT,
    RATES,
    AMOUNT,
    RATES,
    AMOUNT,
    st.sampled_from(list(TaxRounding)),
)
def test_the_totals_follow_en_16931(
    currency, lines, discount, fees, fees_rate, shipping, shipping_rate, paid, rounding
):
    terms = InvoiceTerms(currency, discount, fees, fees_rate, shipping, shipping_rate, (), paid, rounding)

    figures = invoice_figures(lines, terms)

    nets = [
        round_money(item.quantity * item.unit_price * (100 - item.discount_percentage) / 100, currency)
        for item in lines
    ]
    assert [row.net for row in figures.lines] == nets
    assert figures.lines_total == sum(nets, D(0))  # BR-CO-10
    assert figures.allowances_total == sum((a.amount for a in figures.adjustments if not a.is_charge), D(0))
    assert figures.charges_total == sum((a.amount for a in figures.adjustments if a.is_charge), D(0))
    assert (
        figures.total_excluding_tax == figures.lines_total - figures.allowances_total + figures.charges_total
    )
    assert figures.total_tax == sum((t.tax_amount for t in figures.tax_breakdown), D(0))  # BR-CO-14
    assert figures.total_with_tax == figures.total_excluding_tax + figures.total_tax  # BR-CO-15
    assert figures.amount_due == figures.total_with_tax - round_money(paid, currency)  # BR-CO-16
    assert figures.discount_amount + figures.fees_amount * 0 == figures.allowances_total
    assert figures.fees_amount + figures.shipping_amount == figures.charges_total
    assert [t.rate for t in figures.tax_breakdown] == sorted({t.rate for t in figures.tax_breakdown})
    assert sum((t.taxable_amount for t in figures.tax_breakdown), D(0)) == figures.total_excluding_tax
    for subtotal in figures.tax_breakdown:
        members = [n for n, item in enumerate(lines) if item.tax_rate == subtotal.rate]
        line_nets = sum((nets[n] for n in members), D(0))
        adjusted = sum((a.signed_amount for a in figures.adjustments if a.tax_rate == subtotal.rate), D(0))
        assert subtotal.taxable_amount == line_nets + adjusted  # BR-S-08
        line_tax = sum((figures.lines[n].tax_amount for n in members), D(0))
        if rounding is TaxRounding.PER_RATE:
            assert subtotal.tax_amount == round_money(subtotal.taxable_amount * subtotal.rate / 100, currency)
            assert line_tax == round_money(line_nets * subtotal.rate / 100, currency)
        else:
            for n in members:
                assert figures.lines[n].tax_amount == round_money(nets[n] * subtotal.rate / 100, currency)
        if discount:
            share = [
                a.amount
                for a in figures.adjustments
                if a.kind is AdjustmentKind.DISCOUNT and a.tax_rate == subtotal.rate
            ]
            assert sum(share, D(0)) == round_money(line_nets * discount / 100, currency)
    for amount in (
        figures.total_with_tax,
        figures.amount_due,
        *(t.tax_amount for t in figures.tax_breakdown),
    ):
        assert is_exact(amount, currency)
