"""The payment records port: the invoice's reservation, what each charge was, saved payment methods
and ACH authorizations. Nothing in a record is a card or account number: last 4 digits at most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from invoicing.errors import ConcurrentChange
from invoicing.invoices.enums import PaymentMethod

#: longer than a payment request can run: a reservation older than this was left by a crash
RESERVATION_LEASE = timedelta(seconds=60)
#: Nacha: an ACH debit's authorization is kept two years
AUTHORIZATION_KEPT_FOR = timedelta(days=2 * 365 + 1)


class PaymentInProgress(ConcurrentChange):
    """Another payment of the invoice is under way (or an ACH debit awaits its settlement): 409, and
    an answer the idempotency layer does not keep, so the same request may be retried later."""

    customer_message = "A payment of this invoice is already in progress."


@dataclass(frozen=True)
class Reservation:
    """The invoice held for one payment attempt, written conditionally before the processor is called."""

    tenant_id: str
    invoice_id: str
    attempt_id: str
    #: the processor call's idempotency key (from the request's Idempotency-Key, else the attempt)
    idempotency_key: str
    method: PaymentMethod
    amount: Decimal
    reserved_at: datetime
    #: an ACH debit awaiting its settlement: the reservation stays until the processor's event
    pending_charge_id: str | None = None

    def is_stale(self, now: datetime) -> bool:
        return self.pending_charge_id is None and self.reserved_at + RESERVATION_LEASE < now


class ChargeState(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"
    RETURNED = "RETURNED"
    REFUNDED = "REFUNDED"


@dataclass(frozen=True)
class PaymentRecord:
    tenant_id: str
    invoice_id: str
    charge_id: str
    method: PaymentMethod
    state: ChargeState
    paid: Decimal
    settles: Decimal
    surcharge: Decimal
    cash_discount: Decimal
    last4: str
    #: SHA-256 of the request without its numbers: which request made the charge
    request_hash: str
    created_at: datetime


@dataclass(frozen=True)
class SavedMethod:
    tenant_id: str
    client_key: str
    token: str
    brand: str
    last4: str
    expiry_month: int | None
    expiry_year: int | None
    saved_at: datetime


@dataclass(frozen=True)
class SavedCustomer:
    """The payer's details an ACH payment asked to keep (`saveCustomerInfo`): contact, not account."""

    tenant_id: str
    client_key: str
    first_name: str | None
    last_name: str | None
    company_name: str | None
    email: str | None
    mobile_number: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state_id: int | None
    postal_code: str | None
    saved_at: datetime


@dataclass(frozen=True)
class AchAuthorization:
    tenant_id: str
    invoice_id: str
    attempt_id: str
    text: str
    authorized_at: datetime
    client_ip: str
    account_last4: str

    @property
    def expires_at(self) -> datetime:
        return self.authorized_at + AUTHORIZATION_KEPT_FOR


class PaymentRecords(Protocol):
    def reserve(self, reservation: Reservation, *, replacing: Reservation | None = None) -> None:
        """Hold the invoice, if no reservation holds it (or exactly `replacing` does); else
        `PaymentInProgress`."""
        ...

    def reservation(self, tenant_id: str, invoice_id: str) -> Reservation | None: ...

    def hold_for_settlement(self, reservation: Reservation, charge_id: str) -> None: ...

    def release(self, reservation: Reservation) -> None:
        """Let the invoice go, if this attempt still holds it."""
        ...

    def put_record(self, record: PaymentRecord) -> None: ...

    def record(self, tenant_id: str, invoice_id: str, charge_id: str) -> PaymentRecord | None: ...

    def save_method(self, method: SavedMethod) -> None: ...

    def save_customer(self, customer: SavedCustomer) -> None: ...

    def keep_authorization(self, authorization: AchAuthorization) -> None: ...
