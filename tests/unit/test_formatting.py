"""The one formatter: amounts with their currency's minor units, symbol or code, in the locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from invoicing.formatting import (
    exact_amount,
    format_date,
    format_money,
    format_number,
    format_percent,
    format_unit_price,
)


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1234.5", "EUR", None, "€1,234.50"),
        ("-5", "USD", None, "-$5.00"),
        ("1234.5", "JPY", None, "¥1,235"),
        ("12.3456", "KWD", None, "12.346 KWD"),
        ("99.9", "PLN", None, "99.90 PLN"),
        ("1234567.891", "KWD", "en", "1,234,567.891 KWD"),
        ("1234.5", "EUR", "de", "1.234,50\u00a0€"),
        ("-1234.5", "EUR", "fr", "-1\u00a0234,50\u00a0€"),
        ("1234.5", "PLN", "pl", "1\u00a0234,50 PLN"),
        ("0", "EUR", "en", "€0.00"),
    ],
)
def test_money_has_the_currencys_minor_units_and_the_locales_separators(amount, currency, locale, expected):
    assert format_money(Decimal(amount), currency, locale) == expected


def test_unit_prices_keep_their_digits_below_the_minor_unit():
    assert format_unit_price(Decimal("0.0125"), "EUR") == "€0.0125"
    assert format_unit_price(Decimal("120"), "EUR") == "€120.00"
    assert format_unit_price(Decimal("0.0125"), "EUR", "de") == "0,0125\u00a0€"


def test_numbers_and_rates_show_the_digits_they_have():
    assert (format_number(Decimal("1234.500")), format_number(Decimal("100"))) == ("1,234.5", "100")
    assert format_number(Decimal("-0.25"), "de") == "-0,25"
    assert (format_percent(Decimal("19.00")), format_percent(Decimal("7.5"), "fr")) == ("19 %", "7,5 %")


def test_dates_are_iso_by_default_and_local_when_the_invoice_says():
    moment = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)

    assert (format_date(moment), format_date(moment, "de"), format_date(date(2026, 1, 2), "fr")) == (
        "2026-12-06",
        "06.12.2026",
        "02/01/2026",
    )
    assert format_date(None) == ""


def test_machines_get_plain_exact_amounts():
    assert (exact_amount(Decimal("1492.2"), "EUR"), exact_amount(Decimal(1500), "JPY")) == ("1492.20", "1500")
    assert exact_amount(Decimal("1.25"), "KWD") == "1.250"
