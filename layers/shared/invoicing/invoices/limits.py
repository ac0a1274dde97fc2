"""The documented bound of every amount: at most 10^12 either way, computed totals included.

Inputs are bounded by their models; what the calculator derives from them (999,999 x 999,999,999,999
is a row total of about 10^18) is checked here once an invoice is priced, before it is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pydantic import BaseModel

from invoicing.errors import ValidationFailed
from invoicing.invoices.model import MAX_AMOUNT, Invoice


def within_limits(invoice: Invoice) -> Invoice:
    """`invoice` unchanged, or ValidationFailed naming each amount over the bound (`rows[3].total`)."""
    over = list(_amounts_over_limit(invoice, ""))
    if over:
        raise ValidationFailed(
            f"{', '.join(over)} would exceed {MAX_AMOUNT:,.0f}: lower the quantities or prices.",
            field_errors={name: [f"At most {MAX_AMOUNT:,.0f}."] for name in over},
        )
    return invoice


def _amounts_over_limit(model: BaseModel, path: str) -> Iterator[str]:
    for name, value in model:
        here = f"{path}.{name}" if path else name
        if isinstance(value, Decimal) and abs(value) > MAX_AMOUNT:
            yield here
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _amounts_over_limit(item, f"{here}[{index}]")
