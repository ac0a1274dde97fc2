"""Exact money: ISO 4217 currencies with their minor units, and the service's one rounding rule.

Rounding rule: every amount is rounded once, to its currency's minor unit, with ROUND_HALF_UP
(commercial rounding: 0.005 EUR -> 0.01 EUR, -0.005 -> -0.01), at the step where it is first
computed. Sums of already-rounded amounts are exact and are never rounded again.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ROUNDING = ROUND_HALF_UP

# Active ISO 4217 codes. Minor units are 2 unless listed in _MINOR_UNITS_EXCEPTIONS.
_CURRENCY_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
    KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)
_MINOR_UNITS_EXCEPTIONS = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}


def is_currency(code: str) -> bool:
    return code in _CURRENCY_CODES


def currency_codes() -> list[str]:
    """Every accepted code, sorted (the OpenAPI document lists them)."""
    return sorted(_CURRENCY_CODES)


def minor_units(currency: str) -> int:
    """Digits after the decimal point for `currency` (JPY 0, EUR 2, KWD 3)."""
    if currency not in _CURRENCY_CODES:
        raise KeyError(f"{currency!r} is not an ISO 4217 currency code")
    return _MINOR_UNITS_EXCEPTIONS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit with the service's one rounding rule; never a negative
    zero (-0.004 EUR is 0.00)."""
    return amount.quantize(quantum(currency), rounding=ROUNDING) + 0


def is_exact(amount: Decimal, currency: str) -> bool:
    """True if `amount` has no digits below the currency's minor unit."""
    return amount == amount.quantize(quantum(currency))


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Integer minor units (cents) of an exact amount."""
    return int(round_money(amount, currency).scaleb(minor_units(currency)))
