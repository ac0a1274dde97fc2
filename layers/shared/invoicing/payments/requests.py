"""Seed 003's card and ACH payment bodies. The numbers are `SecretStr`: they never appear in a repr,
a log line or a validation error, and the OpenAPI document marks them write-only."""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from invoicing.invoices.model import PaymentAmount

#: the body fields that never reach a record, a log line or an answer (the idempotency layer's `never_stored`)
SENSITIVE_FIELDS = frozenset({"accountNumber", "securityCode", "routingNumber"})

Text = Annotated[str, Field(max_length=200)]


class PaymentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    totalAmount: PaymentAmount = Field(
        description="What is paid: the invoice's balance for this method (see /calculations), or less "
        "for a partial payment."
    )
    savePaymentMethod: bool = Field(
        default=False,
        description="Keep the processor's token with brand, last 4 digits and expiry (never the number).",
    )


class CardPaymentRequest(PaymentBody):
    accountNumber: SecretStr = Field(description="The card number (Luhn-checked, never stored).")
    expirationYear: int = Field(description="Four digits, e.g. 2030.")
    expirationMonth: int = Field(description="1 to 12.")
    securityCode: SecretStr = Field(description="The CVC, 3 or 4 digits (never stored).")
    billingCountryId: int | None = None
    billingPostalCode: Annotated[str, Field(max_length=20)] | None = None


class AchPaymentRequest(PaymentBody):
    routingNumber: SecretStr = Field(description="The ABA routing number (checksum-checked, never stored).")
    accountNumber: SecretStr = Field(description="The bank account number, 4 to 17 digits (never stored).")
    accountType: int | None = Field(default=None, description="1 checking, 2 savings.")
    accountHolderType: int | None = Field(default=None, description="1 personal, 2 business.")
    firstName: Text | None = None
    lastName: Text | None = None
    companyName: Text | None = None
    email: Text | None = None
    mobileNumber: Annotated[str, Field(max_length=30)] | None = None
    smsNotification: bool | None = None
    addressLine1: Text | None = None
    addressLine2: Text | None = None
    city: Text | None = None
    stateId: int | None = None
    billingPostalCode: Annotated[str, Field(max_length=20)] | None = None
    saveCustomerInfo: bool = False
    authorizeBankWithdrawal: bool = Field(
        description="The payer authorizes the debit (Nacha): must be true; kept two years."
    )


class PaymentAnswer(BaseModel):
    success: bool
    paymentMethodCreated: bool
    customerInfoSaved: bool


def request_hash(body: PaymentBody) -> str:
    """SHA-256 of the request without its numbers: what a payment record keeps of its request."""
    kept = body.model_dump_json(exclude=set(SENSITIVE_FIELDS))
    return hashlib.sha256(kept.encode()).hexdigest()
