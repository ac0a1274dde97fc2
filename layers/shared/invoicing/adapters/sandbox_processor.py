"""The built-in sandbox payment processor, following Stripe's test numbers:

- cards: 4242424242424242 (Visa credit) and 5555555555554444 (Mastercard credit) succeed,
  4000056655665556 is a Visa debit that succeeds; 4000000000000002 is declined (`card_declined`),
  4000000000009995 `insufficient_funds`, 4000000000000069 `expired_card`, 4000000000000127
  `incorrect_cvc`; any other valid number is a credit card that succeeds;
- ACH with routing 110000000: 000123456789 settles, 000111111116 is declined (`no_account`),
  000222222227 settles and is then returned (`R01`, insufficient funds); any other account settles.

A token names only the outcome it was made for (never a number). Charges are kept by their
idempotency key (`SANDBOX#CHARGE#<key>`), so a repeat answers the first charge. ACH is
asynchronous: a debit is PENDING and its events (settled, returned) are queued, signed, under
`SANDBOX#EVENTS` with the time they are due; the local stack delivers them to the webhook
(`devtools.stack.sandbox_events`). Signatures are Stripe's scheme: `t=<unix time>,v1=<HMAC-SHA256 of
"<t>.<payload>">`, refused when older than SIGNATURE_TOLERANCE.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pynamodb.exceptions import PutError, PynamoDBException

from invoicing.adapters.dynamodb import bind
from invoicing.adapters.payment_records import CONDITION_FAILED, PaymentItem
from invoicing.clock import utc_now
from invoicing.errors import DependencyUnavailable
from invoicing.payments.processor import (
    Charge,
    ChargeRequest,
    ChargeStatus,
    EventKind,
    Funding,
    InvalidSignature,
    PaymentToken,
    ProcessorEvent,
)
from invoicing.payments.validation import BankAccount, Card

EVENTS_KEY = "SANDBOX#EVENTS"
CHARGE_PREFIX = "SANDBOX#CHARGE#"
SIGNATURE_TOLERANCE = timedelta(minutes=5)
SETTLES_AFTER = timedelta(seconds=1)
RETURNED_AFTER = timedelta(seconds=2)
KEPT_FOR = timedelta(days=7)

#: number -> (brand, funding, decline code or None)
TEST_CARDS: dict[str, tuple[str, Funding, str | None]] = {
    "4242424242424242": ("visa", Funding.CREDIT, None),
    "5555555555554444": ("mastercard", Funding.CREDIT, None),
    "4000056655665556": ("visa", Funding.DEBIT, None),
    "4000000000000002": ("visa", Funding.CREDIT, "card_declined"),
    "4000000000009995": ("visa", Funding.CREDIT, "insufficient_funds"),
    "4000000000000069": ("visa", Funding.CREDIT, "expired_card"),
    "4000000000000127": ("visa", Funding.CREDIT, "incorrect_cvc"),
}
TEST_ROUTING = "110000000"
#: account -> outcome: "settles", a decline code, or "returned"
TEST_ACCOUNTS = {"000123456789": "settles", "000111111116": "no_account", "000222222227": "returned"}


def _brand_of(number: str) -> str:
    return {"4": "visa", "5": "mastercard", "3": "amex", "6": "discover"}.get(number[0], "card")


def signature_for(payload: bytes, secret: str, at: datetime) -> str:
    timestamp = int(at.timestamp())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class SandboxProcessor:
    """`signing_secret()` is the webhook signing key (Secrets Manager)."""

    def __init__(
        self, table_name: str, signing_secret: Callable[[], str], clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._items: type[PaymentItem] = bind(PaymentItem, table_name)
        self._signing_secret = signing_secret
        self._clock = clock

    def tokenize_card(self, card: Card) -> PaymentToken:
        brand, funding, decline = TEST_CARDS.get(card.number, (_brand_of(card.number), Funding.CREDIT, None))
        outcome = decline or "succeeds"
        return PaymentToken(
            f"pm_card_{outcome}_{uuid.uuid4().hex[:12]}",
            brand,
            card.last4,
            funding,
            card.expiry_month,
            card.expiry_year,
        )

    def tokenize_bank_account(self, account: BankAccount) -> PaymentToken:
        outcome = (
            TEST_ACCOUNTS.get(account.account_number, "settles")
            if account.routing_number == TEST_ROUTING
            else "settles"
        )
        return PaymentToken(f"pm_ach_{outcome}_{uuid.uuid4().hex[:12]}", "ach", account.last4)

    def charge(self, request: ChargeRequest) -> Charge:
        kept = self.status(request.idempotency_key)
        if kept is not None:
            return kept
        _, method, outcome = request.token.rsplit("_", 1)[0].split("_", 2)
        charge_id = f"{'py' if method == 'ach' else 'ch'}_sandbox_{uuid.uuid4().hex[:20]}"
        if outcome in ("succeeds", "settles", "returned"):
            status = ChargeStatus.PENDING if method == "ach" else ChargeStatus.SUCCEEDED
            charge = Charge(charge_id, status, request.amount)
        else:
            charge = Charge(charge_id, ChargeStatus.DECLINED, request.amount, outcome)
        charge = self._keep(request.idempotency_key, charge)
        if charge.id == charge_id and charge.status is ChargeStatus.PENDING:
            self._queue_events(request, charge, returned=outcome == "returned")
        return charge

    def refund(self, charge_id: str, amount: Decimal, idempotency_key: str) -> str:
        return f"re_sandbox_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]}"

    def status(self, idempotency_key: str) -> Charge | None:
        try:
            item = self._items.get(CHARGE_PREFIX + idempotency_key, "CHARGE", consistent_read=True)
        except self._items.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(f"The sandbox processor failed: {error.msg}") from error
        data = json.loads(item.data)
        return Charge(
            data["id"], ChargeStatus(data["status"]), Decimal(data["amount"]), data.get("decline_code")
        )

    def _keep(self, idempotency_key: str, charge: Charge) -> Charge:
        data = {
            "id": charge.id,
            "status": charge.status.value,
            "amount": str(charge.amount),
            "decline_code": charge.decline_code,
        }
        item = self._items(
            CHARGE_PREFIX + idempotency_key,
            "CHARGE",
            data=json.dumps(data),
            expiresAt=int((self._clock() + KEPT_FOR).timestamp()),
        )
        try:
            item.save(condition=self._items.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == CONDITION_FAILED:
                return self.status(idempotency_key) or charge
            raise DependencyUnavailable(f"The sandbox processor failed: {error.msg}") from error
        return charge

    def _queue_events(self, request: ChargeRequest, charge: Charge, *, returned: bool) -> None:
        now = self._clock()
        due: list[tuple[EventKind, datetime, str | None]] = [(EventKind.SETTLED, now + SETTLES_AFTER, None)]
        if returned:
            due.append((EventKind.RETURNED, now + RETURNED_AFTER, "R01"))
        for kind, at, reason in due:
            event_id = f"evt_sandbox_{uuid.uuid4().hex[:20]}"
            payload = json.dumps(
                {
                    "id": event_id,
                    "type": kind.value,
                    "chargeId": charge.id,
                    "tenantId": request.tenant_id,
                    "invoiceId": request.invoice_id,
                    "created": at.isoformat(),
                    "reason": reason,
                },
                separators=(",", ":"),
            )
            signature = signature_for(payload.encode(), self._signing_secret(), at)
            self._items(
                EVENTS_KEY,
                f"{at:%Y-%m-%dT%H:%M:%S.%f}Z#{event_id}",
                data=json.dumps({"payload": payload, "signature": signature}),
                expiresAt=int((at + KEPT_FOR).timestamp()),
            ).save()

    def verify_event(self, payload: bytes, signature: str, now: datetime) -> ProcessorEvent:
        parts = dict(part.split("=", 1) for part in signature.split(",") if "=" in part)
        try:
            signed_at = datetime.fromtimestamp(int(parts["t"]), UTC)
        except (KeyError, ValueError) as error:
            raise InvalidSignature("The signature header is malformed.") from error
        expected = signature_for(payload, self._signing_secret(), signed_at).split("v1=", 1)[1]
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise InvalidSignature("The signature does not match the payload.")
        if abs(now - signed_at) > SIGNATURE_TOLERANCE:
            raise InvalidSignature("The signature is too old.")
        try:
            data = json.loads(payload)
            return ProcessorEvent(
                data["id"],
                EventKind(data["type"]),
                data["chargeId"],
                data["tenantId"],
                data["invoiceId"],
                datetime.fromisoformat(data["created"]),
                data.get("reason"),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidSignature("The event is not one the sandbox sends.") from error
