from decimal import Decimal

import pytest

from invoicing.money import is_currency, minor_units, round_money, to_minor_units


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


def test_rounding_never_gives_a_negative_zero():
    assert str(round_money(Decimal("-0.004"), "EUR")) == "0.00"


def test_minor_units_of_an_amount():
    assert to_minor_units(Decimal("12.34"), "EUR") == 1234
    assert to_minor_units(Decimal("12"), "JPY") == 12
