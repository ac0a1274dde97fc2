"""The one way amounts, quantities, rates and dates are written for people: PDF, mail and any
channel a person reads. Machines get plain numbers: JSON numbers in the API and `exact_amount` in
CSV and e-invoices.

- An amount has exactly its currency's minor units (`€1,234.50`, `¥1,235`, `1.250 KWD`), rounded
  with the service's one rule when it is finer (it never is for a computed figure).
- The currency is a symbol where one is unambiguous (`_SYMBOLS`), else its ISO 4217 code.
- The invoice's `locale` decides separators, where the symbol goes and how dates are written;
  without one, `en`: `€1,234.50` and ISO 8601 dates (`2026-12-06`).

A handful of locales in a table rather than Babel: CLDR data is about 30 MB, far more than the
shared layer should carry for the locales invoices are written in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from invoicing.money import ROUNDING, minor_units, round_money

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "ILS": "₪"}
_NO_BREAK_SPACE = "\u00a0"


@dataclass(frozen=True)
class LocaleFormat:
    decimal_separator: str
    group_separator: str
    #: `€1,234.50` (True) or `1.234,50 €` (False)
    symbol_first: bool
    #: str.format pattern over `day`, `month`, `year`
    date_pattern: str


LOCALES = {
    "en": LocaleFormat(".", ",", True, "{year:04d}-{month:02d}-{day:02d}"),
    "de": LocaleFormat(",", ".", False, "{day:02d}.{month:02d}.{year:04d}"),
    "fr": LocaleFormat(",", _NO_BREAK_SPACE, False, "{day:02d}/{month:02d}/{year:04d}"),
    "es": LocaleFormat(",", ".", False, "{day:02d}/{month:02d}/{year:04d}"),
    "it": LocaleFormat(",", ".", False, "{day:02d}/{month:02d}/{year:04d}"),
    "nl": LocaleFormat(",", ".", False, "{day:02d}-{month:02d}-{year:04d}"),
    "pl": LocaleFormat(",", _NO_BREAK_SPACE, False, "{day:02d}.{month:02d}.{year:04d}"),
}
DEFAULT_LOCALE = "en"


def _format(locale: str | None) -> LocaleFormat:
    return LOCALES[locale or DEFAULT_LOCALE]


def _digits(value: Decimal, places: int, style: LocaleFormat) -> str:
    """`value` (not negative) with `places` decimals and the locale's separators."""
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING):,.{places}f}"
    return text.replace(",", "\0").replace(".", style.decimal_separator).replace("\0", style.group_separator)


def _with_currency(amount: Decimal, places: int, currency: str, locale: str | None) -> str:
    style = _format(locale)
    number = _digits(abs(amount), places, style)
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    if symbol and style.symbol_first:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number}{_NO_BREAK_SPACE if symbol else ' '}{symbol or currency}"


def format_money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """`€1,234.50`, `-¥1,235`, `12.345 KWD`, `1.234,50 €` (de): the currency's minor units."""
    return _with_currency(amount, minor_units(currency), currency, locale)


def format_unit_price(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """Unit prices may be finer than the minor unit (0.0125 EUR per item): every digit given."""
    exponent = amount.normalize().as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return _with_currency(amount, max(minor_units(currency), digits), currency, locale)


def format_number(value: Decimal, locale: str | None = None) -> str:
    """A quantity or a rate with every digit it has and none it has not: `1,234.5`, `19`."""
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    sign = "-" if value < 0 else ""
    return sign + _digits(abs(value), places, _format(locale))


def format_percent(value: Decimal, locale: str | None = None) -> str:
    return f"{format_number(value, locale)} %"


def format_date(moment: date | datetime | None, locale: str | None = None) -> str:
    """The calendar day (UTC for timestamps), or "" for none."""
    if moment is None:
        return ""
    day = moment.date() if isinstance(moment, datetime) else moment
    return _format(locale).date_pattern.format(day=day.day, month=day.month, year=day.year)


def exact_amount(amount: Decimal, currency: str) -> str:
    """A plain number with exactly the currency's minor units (`1492.20`, `1500`, `1.250`) for
    machines: CSV cells, e-invoice XML."""
    return format(round_money(amount, currency), "f")
