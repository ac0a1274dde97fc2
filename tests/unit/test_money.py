from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.invoices.calculator import InvoiceTerms, RowTerms, invoice_figures, row_figures
from invoicing.money import is_currency, is_exact, minor_units, round_money, to_minor_units


@pytest.mark.parametrize(("currency", "digits"), [("JPY", 0), ("EUR", 2), ("USD", 2), ("KWD", 3), ("CLF", 4)])
def test_minor_units_follow_iso_4217(currency, digits):
    assert minor_units(currency) == digits


@pytest.mark.parametrize("code", ["XXX", "eur", "EURO", "", "ZWL"])
def test_unknown_codes_are_not_currencies(code):
    assert not is_currency(code)


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("0.005", "EUR", "0.01"),
        ("-0.005", "EUR", "-0.01"),
        ("0.0049", "EUR", "0.00"),
        ("2.5", "JPY", "3"),
        ("1.0005", "KWD", "1.001"),
    ],
)
def test_rounding_is_half_up_to_the_minor_unit(amount, currency, rounded):
    assert round_money(Decimal(amount), currency) == Decimal(rounded)


def test_a_row_is_quantity_times_price_less_discount_plus_tax():
    figures = row_figures(RowTerms(Decimal("3"), Decimal("19.99"), Decimal("10"), Decimal("19")), "EUR")

    assert (figures.total, figures.tax_amount, figures.total_with_tax) == (
        Decimal("53.97"),
        Decimal("10.25"),
        Decimal("64.22"),
    )


def test_invoice_level_discount_fees_and_shipping_change_the_amount_payable():
    rows = [row_figures(RowTerms(Decimal(1), Decimal(100), tax_rate=Decimal(20)), "EUR")]
    terms = InvoiceTerms("EUR", Decimal(10), Decimal("2.5"), Decimal("4.90"))

    figures = invoice_figures(rows, terms)

    assert figures.total_with_tax == Decimal("120.00")
    assert (figures.discount_amount, figures.fees_amount) == (Decimal("12.00"), Decimal("3.00"))
    assert figures.total == Decimal("115.90")


def test_minor_units_of_an_amount():
    assert to_minor_units(Decimal("12.34"), "EUR") == 1234
    assert to_minor_units(Decimal("12"), "JPY") == 12


currencies = st.sampled_from(["EUR", "JPY", "KWD", "USD", "CLF"])
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10_000), places=3)
prices = st.decimals(min_value=Decimal(0), max_value=Decimal(1_000_000), places=4)
percentages = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
rows = st.lists(st.tuples(quantities, prices, percentages, percentages), min_size=0, max_size=30)


@given(currencies, rows, percentages, percentages)
def test_invoice_totals_are_the_sums_of_their_rows_and_exact_to_the_minor_unit(
    currency, terms, discount, fees
):
    figures = [row_figures(RowTerms(*row), currency) for row in terms]

    totals = invoice_figures(figures, InvoiceTerms(currency, discount, fees))

    assert totals.total_excluding_tax == sum((row.total for row in figures), Decimal(0))
    assert totals.total_tax == sum((row.tax_amount for row in figures), Decimal(0))
    assert totals.total_with_tax == sum((row.total_with_tax for row in figures), Decimal(0))
    for amount in [totals.total, totals.discount_amount, totals.fees_amount, *(r.total for r in figures)]:
        assert is_exact(amount, currency)
    assert totals.total == totals.total_with_tax - totals.discount_amount + totals.fees_amount
