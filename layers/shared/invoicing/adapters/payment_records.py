"""Payment records in the single table, beside (not inside) the invoice's partition:
`TENANT#<t>#INVOICE#<id>#PAYMENTS` holds
- `RESERVATION`           the invoice held for one payment attempt (a conditional put on `attemptId`);
- `CHARGE#<charge id>`    what each charge was (amounts, state, last 4, a hash of the request);
- `ACHAUTH#<attempt id>`  an ACH debit's authorization (text, time, client IP, last 4), two years.
`TENANT#<t>#CLIENT#<client>` / `PAYMENTMETHOD#<token>` is a saved method (token, brand, last 4, expiry),
and `PAYER` the payer's contact details an ACH payment asked to keep.
Records expire (the table's TTL `expiresAt`) two years after they were written. None holds a card or
account number: the port hands over none.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.adapters.invoice_items import invoice_key, tenant_key
from invoicing.errors import DependencyUnavailable
from invoicing.invoices.enums import PaymentMethod
from invoicing.payments.records import (
    AUTHORIZATION_KEPT_FOR,
    AchAuthorization,
    ChargeState,
    PaymentInProgress,
    PaymentRecord,
    Reservation,
    SavedCustomer,
    SavedMethod,
)

RESERVATION = "RESERVATION"
CHARGE_PREFIX = "CHARGE#"
AUTHORIZATION_PREFIX = "ACHAUTH#"
METHOD_PREFIX = "PAYMENTMETHOD#"
CUSTOMER = "PAYER"
#: a pending ACH debit holds its reservation until it settles: a few banking days, far less than this
RESERVATION_KEPT_FOR = timedelta(days=30)
CONDITION_FAILED = "ConditionalCheckFailedException"


def payments_key(tenant_id: str, invoice_id: str) -> str:
    return f"{invoice_key(tenant_id, invoice_id)}#PAYMENTS"


def client_key(tenant_id: str, client: str) -> str:
    return f"{tenant_key(tenant_id)}#CLIENT#{client}"


class PaymentItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    attemptId = UnicodeAttribute(null=True)
    data = UnicodeAttribute()
    expiresAt = NumberAttribute(null=True)


def _json(value: Any) -> str:
    def plain(item: Any) -> Any:
        if isinstance(item, Decimal):
            return str(item)
        if isinstance(item, datetime):
            return item.isoformat()
        raise TypeError(type(item).__name__)

    return json.dumps(value, default=plain, separators=(",", ":"))


def _expiry(at: datetime, kept_for: timedelta) -> int:
    return int((at + kept_for).timestamp())


class DynamoPaymentRecords:
    def __init__(self, table_name: str) -> None:
        self._items: type[PaymentItem] = bind(PaymentItem, table_name)

    def reserve(self, reservation: Reservation, *, replacing: Reservation | None = None) -> None:
        items = self._items
        condition: Condition = (
            items.attemptId.does_not_exist() if replacing is None else items.attemptId == replacing.attempt_id
        )
        try:
            self._reservation_item(reservation).save(condition=condition)
        except PutError as error:
            if error.cause_response_code == CONDITION_FAILED:
                raise PaymentInProgress(
                    f"A payment of invoice {reservation.invoice_id} is in progress."
                ) from error
            raise DependencyUnavailable(f"Reserving the invoice failed: {error.msg}") from error

    def _reservation_item(self, reservation: Reservation) -> PaymentItem:
        return self._items(
            payments_key(reservation.tenant_id, reservation.invoice_id),
            RESERVATION,
            attemptId=reservation.attempt_id,
            data=_json(asdict(reservation)),
            expiresAt=_expiry(reservation.reserved_at, RESERVATION_KEPT_FOR),
        )

    def reservation(self, tenant_id: str, invoice_id: str) -> Reservation | None:
        data = self._data(payments_key(tenant_id, invoice_id), RESERVATION)
        if data is None:
            return None
        return Reservation(
            **{
                **data,
                "method": PaymentMethod(data["method"]),
                "amount": Decimal(data["amount"]),
                "reserved_at": datetime.fromisoformat(data["reserved_at"]),
            }
        )

    def hold_for_settlement(self, reservation: Reservation, charge_id: str) -> None:
        held = Reservation(**{**asdict(reservation), "pending_charge_id": charge_id})
        try:
            self._reservation_item(held).save(condition=self._items.attemptId == reservation.attempt_id)
        except PutError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise DependencyUnavailable(f"Holding the invoice failed: {error.msg}") from error

    def release(self, reservation: Reservation) -> None:
        item = self._items(payments_key(reservation.tenant_id, reservation.invoice_id), RESERVATION)
        try:
            item.delete(condition=self._items.attemptId == reservation.attempt_id)
        except DeleteError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise DependencyUnavailable(f"Releasing the invoice failed: {error.msg}") from error

    def put_record(self, record: PaymentRecord) -> None:
        self._put(
            payments_key(record.tenant_id, record.invoice_id),
            CHARGE_PREFIX + record.charge_id,
            asdict(record),
            _expiry(record.created_at, AUTHORIZATION_KEPT_FOR),
        )

    def record(self, tenant_id: str, invoice_id: str, charge_id: str) -> PaymentRecord | None:
        data = self._data(payments_key(tenant_id, invoice_id), CHARGE_PREFIX + charge_id)
        if data is None:
            return None
        amounts = {name: Decimal(data[name]) for name in ("paid", "settles", "surcharge", "cash_discount")}
        return PaymentRecord(
            **{
                **data,
                **amounts,
                "method": PaymentMethod(data["method"]),
                "state": ChargeState(data["state"]),
                "created_at": datetime.fromisoformat(data["created_at"]),
            }
        )

    def save_method(self, method: SavedMethod) -> None:
        self._put(
            client_key(method.tenant_id, method.client_key),
            METHOD_PREFIX + method.token,
            asdict(method),
            None,
        )

    def save_customer(self, customer: SavedCustomer) -> None:
        self._put(client_key(customer.tenant_id, customer.client_key), CUSTOMER, asdict(customer), None)

    def keep_authorization(self, authorization: AchAuthorization) -> None:
        self._put(
            payments_key(authorization.tenant_id, authorization.invoice_id),
            AUTHORIZATION_PREFIX + authorization.attempt_id,
            asdict(authorization),
            int(authorization.expires_at.timestamp()),
        )

    def _put(self, pk: str, sk: str, data: dict[str, Any], expires_at: int | None) -> None:
        try:
            self._items(pk, sk, data=_json(data), expiresAt=expires_at).save()
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Writing a payment record failed: {error.msg}") from error

    def _data(self, pk: str, sk: str) -> dict[str, Any] | None:
        try:
            item = self._items.get(pk, sk, consistent_read=True)
        except self._items.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading a payment record failed: {error.msg}") from error
        data: dict[str, Any] = json.loads(item.data)
        return data
