"""The payment processor port: what the use cases ask of Stripe, or of the built-in sandbox.

A card or bank account is first exchanged for a token (a card's funding type, credit or debit,
decides its surcharge); only the token is charged. Every charge carries an idempotency key, so a
repeat of the call charges nothing twice, and `status` finds a charge by that key after a crash.
ACH charges are PENDING until a signed event settles or returns them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from invoicing.errors import AuthenticationFailed
from invoicing.payments.validation import BankAccount, Card


class Funding(StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"
    PREPAID = "prepaid"
    UNKNOWN = "unknown"


class ChargeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    PENDING = "pending"
    DECLINED = "declined"


class EventKind(StrEnum):
    SETTLED = "settled"
    RETURNED = "returned"


@dataclass(frozen=True)
class PaymentToken:
    """What may be kept of a card or an account: the processor's token, brand, last 4, expiry."""

    token: str
    brand: str
    last4: str
    funding: Funding = Funding.UNKNOWN
    expiry_month: int | None = None
    expiry_year: int | None = None


@dataclass(frozen=True)
class ChargeRequest:
    token: str
    amount: Decimal
    currency: str
    idempotency_key: str
    #: carried back by the processor's events: which invoice of which tenant the charge pays
    tenant_id: str
    invoice_id: str


@dataclass(frozen=True)
class Charge:
    id: str
    status: ChargeStatus
    amount: Decimal
    decline_code: str | None = None


@dataclass(frozen=True)
class ProcessorEvent:
    id: str
    kind: EventKind
    charge_id: str
    tenant_id: str
    invoice_id: str
    at: datetime
    reason: str | None = None


class InvalidSignature(AuthenticationFailed):
    """An event whose signature does not verify (or is too old): refused (401), nothing is read."""


class PaymentProcessor(Protocol):
    def tokenize_card(self, card: Card) -> PaymentToken: ...

    def tokenize_bank_account(self, account: BankAccount) -> PaymentToken: ...

    def charge(self, request: ChargeRequest) -> Charge:
        """Charge (or, for ACH, initiate) once per idempotency key: a repeat answers the first charge."""
        ...

    def refund(self, charge_id: str, amount: Decimal, idempotency_key: str) -> str:
        """The refund's id."""
        ...

    def status(self, idempotency_key: str) -> Charge | None:
        """The charge made with this key, or None when the processor never made one."""
        ...

    def verify_event(self, payload: bytes, signature: str, now: datetime) -> ProcessorEvent:
        """The event a signed webhook delivers; `InvalidSignature` when it is forged or stale."""
        ...
