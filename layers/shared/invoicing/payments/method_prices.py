"""What each payment method costs: the `payments` section of `/v1/settings` and the per-method price.

A surcharge applies to credit cards only, never to debit or prepaid cards, as card network rules
and US law require, and is at most 3 %. A cash discount applies
to bank debit (ACH) only. Both are a percentage of what is paid, rounded once by the one rule
(`invoicing.invoices.calculator.method_price`).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from invoicing.invoices.calculator import MethodPrice, method_price
from invoicing.invoices.enums import PaymentMethod
from invoicing.invoices.model import Money

MAX_SURCHARGE_PERCENTAGE = Decimal(3)
MAX_CASH_DISCOUNT_PERCENTAGE = Decimal(10)
ZERO = Decimal(0)

ProcessorId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]


class PaymentMethodOption(StrEnum):
    """Seed 003's payment methods, as `?paymentMethod=` and `invoiceCalculations` name them."""

    CREDIT_CARD = "creditCard"
    DEBIT_CARD = "debitCard"
    ACH = "ach"

    @property
    def payment_method(self) -> PaymentMethod:
        return _PAYMENT_METHODS[self]

    @classmethod
    def of(cls, method: PaymentMethod) -> PaymentMethodOption | None:
        """The option priced for `method`; None for the methods priced at the base (cash, ...)."""
        return next((option for option, known in _PAYMENT_METHODS.items() if known is method), None)


_PAYMENT_METHODS = {
    PaymentMethodOption.CREDIT_CARD: PaymentMethod.CREDIT_CARD,
    PaymentMethodOption.DEBIT_CARD: PaymentMethod.DEBIT_CARD,
    PaymentMethodOption.ACH: PaymentMethod.ACH,
}


class PaymentSettings(BaseModel):
    """The tenant's pricing per payment method and the processors it takes payments through."""

    model_config = ConfigDict(extra="forbid")

    creditCardSurchargePercentage: Annotated[
        Money, Field(ge=0, le=MAX_SURCHARGE_PERCENTAGE, decimal_places=2)
    ] = Field(default=ZERO, description="Added to credit card payments only (0 to 3); never to debit cards.")
    achCashDiscountPercentage: Annotated[
        Money, Field(ge=0, le=MAX_CASH_DISCOUNT_PERCENTAGE, decimal_places=2)
    ] = Field(default=ZERO, description="Taken off payments by bank debit (ACH) (0 to 10).")
    cardPaymentProcessorId: ProcessorId | None = Field(
        default=None, description="The processor card payments go through, unless an invoice names its own."
    )
    achPaymentProcessorId: ProcessorId | None = Field(
        default=None, description="The processor ACH payments go through, unless an invoice names its own."
    )


def price_for(
    balance: Decimal, currency: str, method: PaymentMethodOption | None, settings: PaymentSettings
) -> MethodPrice:
    """What paying `balance` by `method` costs (None: the base price, no surcharge or discount)."""
    surcharge = settings.creditCardSurchargePercentage if method is PaymentMethodOption.CREDIT_CARD else ZERO
    discount = settings.achCashDiscountPercentage if method is PaymentMethodOption.ACH else ZERO
    return method_price(
        max(balance, ZERO), currency, surcharge_percentage=surcharge, cash_discount_percentage=discount
    )
