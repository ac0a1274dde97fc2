"""The balance an invoice asks of one payment method (`method_prices.price_for` on what is owed), and how
a payment divides into what it settles and its surcharge or cash discount."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from invoicing.invoices.calculator import MethodPrice
from invoicing.invoices.enums import PaymentMethod
from invoicing.invoices.model import Invoice
from invoicing.money import round_money
from invoicing.payments.method_prices import PaymentMethodOption, PaymentSettings, price_for


class MethodPricing(Protocol):
    """The use cases' port: what paying the invoice's balance by `method` costs."""

    def balance(self, invoice: Invoice, method: PaymentMethod) -> MethodPrice: ...


class MethodBalances:
    """`payment_settings_of(tenant_id)` is the tenant's `payments` settings section."""

    def __init__(self, payment_settings_of: Callable[[str], PaymentSettings]) -> None:
        self._payment_settings_of = payment_settings_of

    def balance(self, invoice: Invoice, method: PaymentMethod) -> MethodPrice:
        settings = self._payment_settings_of(invoice.tenantId)
        return price_for(invoice.amountDue, invoice.currency, PaymentMethodOption.of(method), settings)


@dataclass(frozen=True)
class PaymentShare:
    """A payment of `paid`: the part of the invoice it settles, and its surcharge or cash discount."""

    paid: Decimal
    settles: Decimal
    surcharge: Decimal
    cash_discount: Decimal


def share_of(balance: MethodPrice, paid: Decimal, currency: str) -> PaymentShare:
    """The whole method balance settles the whole base; a part settles its share, rounded once."""
    if paid == balance.total or not balance.total:
        settles = balance.base
    else:
        settles = round_money(paid * balance.base / balance.total, currency)
    difference = paid - settles
    return PaymentShare(paid, settles, max(difference, Decimal(0)), max(-difference, Decimal(0)))
