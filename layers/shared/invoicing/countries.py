"""ISO 3166-1 countries: alpha-2 codes (`DE`) and their numeric codes (276, seed 003's `countryId`).

pycountry is imported on the first lookup, so a function that never sees a country never loads it.
"""

from __future__ import annotations

from functools import cache


@cache
def _alpha2_by_numeric() -> dict[int, str]:
    import pycountry

    return {int(country.numeric): country.alpha_2 for country in pycountry.countries}


@cache
def _numeric_by_alpha2() -> dict[str, int]:
    return {alpha2: numeric for numeric, alpha2 in _alpha2_by_numeric().items()}


def numeric_code(alpha2: str) -> int | None:
    """276 for `DE`; None if `alpha2` names no ISO 3166-1 country."""
    return _numeric_by_alpha2().get(alpha2)


def alpha2_code(numeric: int) -> str | None:
    """`DE` for 276; None if `numeric` names no ISO 3166-1 country."""
    return _alpha2_by_numeric().get(numeric)


def country_code(code: str) -> str:
    """The upper-case alpha-2 code; ValueError if it names no ISO 3166-1 country."""
    alpha2 = code.strip().upper()
    if numeric_code(alpha2) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return alpha2


def country_name(alpha2: str) -> str:
    """`Germany` for `DE`, as printed on documents; the code itself if it names no country."""
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha2)
    return str(country.name) if country is not None else alpha2
