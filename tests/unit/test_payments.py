"""The payment domain over in-memory ports: validation that never repeats a number, how a payment
divides into what it settles and its surcharge, and never charging twice (parallel attempts, a
retried request, a reservation left by a crash, a charge the invoice no longer takes)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import SecretStr

from invoicing.errors import (
    Conflict,
    InvoiceChanged,
    NotFound,
    PaymentDeclined,
    Unprocessable,
    ValidationFailed,
)
from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.calculator import method_price
from invoicing.invoices.enums import EventType, InvoiceStatus, PaymentMethod
from invoicing.invoices.model import Event, Invoice, InvoiceCreate, RowInput
from invoicing.payments.balances import share_of
from invoicing.payments.paying import InvoicePayments, PaymentContext
from invoicing.payments.processor import Charge, ChargeRequest, ChargeStatus, Funding, PaymentToken
from invoicing.payments.records import PaymentInProgress, Reservation
from invoicing.payments.requests import AchPaymentRequest, CardPaymentRequest
from invoicing.payments.validation import valid_bank_account, valid_card

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ALICE = kernel.Actor(tenant_id="acme", subject="alice")
VISA = "4242424242424242"


def card_request(number: str = VISA, amount: str = "100", **changes: object) -> CardPaymentRequest:
    fields: dict[str, object] = {
        "totalAmount": Decimal(amount), "accountNumber": SecretStr(number), "expirationYear": 2030,
        "expirationMonth": 12, "securityCode": SecretStr("123"),
    }  # fmt: skip
    return CardPaymentRequest.model_validate(fields | changes)


def ach_request(**changes: object) -> AchPaymentRequest:
    fields: dict[str, object] = {
        "totalAmount": Decimal(100), "routingNumber": SecretStr("110000000"),
        "accountNumber": SecretStr("000123456789"), "authorizeBankWithdrawal": True,
    }  # fmt: skip
    return AchPaymentRequest.model_validate(fields | changes)


def refused_fields(check, *args) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refusal:
        check(*args)
    return refusal.value.field_errors


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accountNumber": SecretStr("4242424242424241")}, "accountNumber"),
        ({"accountNumber": SecretStr("42424242")}, "accountNumber"),
        ({"expirationYear": 2026, "expirationMonth": 10}, "expirationYear"),
        ({"expirationMonth": 0}, "expirationMonth"),
        ({"securityCode": SecretStr("12a")}, "securityCode"),
        ({"securityCode": SecretStr("12345")}, "securityCode"),
    ],
)
def test_a_bad_card_names_its_field_and_never_the_number(changes, field):
    problems = refused_fields(valid_card, card_request(**changes), date(2026, 11, 22))

    assert list(problems) == [field]
    assert "4242" not in repr(problems)


def test_a_card_expiring_this_month_is_valid_and_its_repr_hides_the_number():
    card = valid_card(card_request(expirationYear=2026, expirationMonth=11), date(2026, 11, 30))

    assert card.last4 == "4242"
    assert VISA not in repr(card)
    assert VISA not in repr(card_request())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"routingNumber": SecretStr("110000001")}, "routingNumber"),
        ({"accountNumber": SecretStr("123")}, "accountNumber"),
        ({"accountNumber": SecretStr("1" * 18)}, "accountNumber"),
        ({"authorizeBankWithdrawal": False}, "authorizeBankWithdrawal"),
    ],
)
def test_a_bad_bank_account_names_its_field(changes, field):
    assert list(refused_fields(valid_bank_account, ach_request(**changes))) == [field]


def test_the_whole_method_balance_settles_the_base_and_a_part_its_share():
    credit = method_price(Decimal("100.00"), "USD", surcharge_percentage=Decimal(3))
    ach = method_price(Decimal("100.00"), "USD", cash_discount_percentage=Decimal(2))

    assert share_of(credit, Decimal("103.00"), "USD").settles == Decimal("100.00")
    assert share_of(credit, Decimal("103.00"), "USD").surcharge == Decimal("3.00")
    half = share_of(credit, Decimal("51.50"), "USD")
    assert (half.settles, half.surcharge) == (Decimal("50.00"), Decimal("1.50"))
    whole = share_of(ach, Decimal("98.00"), "USD")
    assert (whole.settles, whole.cash_discount) == (Decimal("100.00"), Decimal("2.00"))


class Invoices:
    """Version-checked saves that keep events, as the store's conditional transaction does."""

    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice.model_copy(update={"version": 1})
        self.lock = threading.Lock()

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        if (tenant_id, invoice_id) != (self.invoice.tenantId, self.invoice.id):
            raise NotFound("no such invoice")
        return self.invoice

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number: object = None) -> Invoice:
        with self.lock:
            if self.invoice.version != previous.version:
                raise InvoiceChanged("changed")
            self.invoice = invoice.model_copy(
                update={"version": previous.version + 1, "events": [*previous.events, *events]}
            )
            return self.invoice

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return 0


class Records:
    def __init__(self) -> None:
        self.held: Reservation | None = None
        self.lock = threading.Lock()
        self.records: dict[str, object] = {}
        self.saved: list[object] = []
        self.authorizations: list[object] = []

    def reserve(self, reservation: Reservation, *, replacing: Reservation | None = None) -> None:
        with self.lock:
            current = self.held.attempt_id if self.held else None
            if current != (replacing.attempt_id if replacing else None):
                raise PaymentInProgress("held")
            self.held = reservation

    def reservation(self, tenant_id: str, invoice_id: str) -> Reservation | None:
        return self.held

    def hold_for_settlement(self, reservation: Reservation, charge_id: str) -> None:
        self.held = replace(reservation, pending_charge_id=charge_id)

    def release(self, reservation: Reservation) -> None:
        with self.lock:
            if self.held is not None and self.held.attempt_id == reservation.attempt_id:
                self.held = None

    def put_record(self, record) -> None:
        self.records[record.charge_id] = record

    def record(self, tenant_id, invoice_id, charge_id):
        return self.records.get(charge_id)

    def save_method(self, method) -> None:
        self.saved.append(method)

    save_customer = save_method

    def keep_authorization(self, authorization) -> None:
        self.authorizations.append(authorization)


class Processor:
    """Idempotent by key; `while_charging` runs inside the charge (a concurrent change)."""

    def __init__(self, funding: Funding = Funding.CREDIT, decline: str | None = None) -> None:
        self.funding, self.decline = funding, decline
        self.charges: dict[str, Charge] = {}
        self.refunds: list[str] = []
        self.calls = 0
        self.while_charging = lambda: None

    def tokenize_card(self, card) -> PaymentToken:
        return PaymentToken("tok", "visa", card.last4, self.funding, card.expiry_month, card.expiry_year)

    def tokenize_bank_account(self, account) -> PaymentToken:
        return PaymentToken("tok-ach", "ach", account.last4)

    def charge(self, request: ChargeRequest) -> Charge:
        self.calls += 1
        self.while_charging()
        if request.idempotency_key not in self.charges:
            status = ChargeStatus.DECLINED if self.decline else ChargeStatus.SUCCEEDED
            if request.token == "tok-ach":
                status = ChargeStatus.PENDING
            self.charges[request.idempotency_key] = Charge(
                f"ch_{len(self.charges) + 1}", status, request.amount, self.decline
            )
        return self.charges[request.idempotency_key]

    def refund(self, charge_id: str, amount: Decimal, idempotency_key: str) -> str:
        self.refunds.append(charge_id)
        return "re_1"

    def status(self, idempotency_key: str) -> Charge | None:
        return self.charges.get(idempotency_key)

    def verify_event(self, payload, signature, now):
        raise NotImplementedError


class NoSurcharge:
    def balance(self, invoice: Invoice, method: PaymentMethod):
        return method_price(invoice.amountDue, invoice.currency)


def sent_invoice() -> Invoice:
    create = InvoiceCreate(currency="USD", rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal(100))])
    draft = edits.create_invoice(create, actor=ALICE, now=NOW).invoice
    number = lifecycle.NumberAssignment("invoice#2026", 1, "INV-1")
    return lifecycle.publish(draft, number, actor=ALICE, now=NOW).invoice


class Counts:
    def __init__(self) -> None:
        self.counted: list[str] = []
        self.lines: list[dict[str, object]] = []

    def count(self, name: str, value: int = 1) -> None:
        self.counted.append(name)

    def info(self, message: str, **fields: object) -> None:
        self.lines.append(fields)

    warning = info


def payments(processor: Processor, invoices: Invoices, records: Records | None = None, telemetry=None):
    return InvoicePayments(
        invoices, records or Records(), processor, NoSurcharge(), merchant_of=lambda _: "Acme",
        telemetry=telemetry or Counts(), clock=lambda: NOW,
    )  # fmt: skip


def test_four_parallel_attempts_charge_once():
    invoices, processor = Invoices(sent_invoice()), Processor()
    use_case = payments(processor, invoices)
    release = threading.Event()
    processor.while_charging = lambda: release.wait(1)

    def attempt(_: int) -> str:
        try:
            use_case.pay_card(PaymentContext(ALICE), invoices.invoice.id, card_request())
            return "paid"
        except Conflict:
            return "refused"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(attempt, range(4)))
        release.set()

    assert outcomes == ["paid", "refused", "refused", "refused"]
    assert processor.calls == 1
    assert invoices.invoice.status is InvoiceStatus.PAID


def test_a_retried_request_gets_its_first_charge_back_and_is_recorded_once():
    invoices, processor, records = Invoices(sent_invoice()), Processor(), Records()
    use_case = payments(processor, invoices, records)
    context = PaymentContext(ALICE, request_key="key-1")
    use_case.pay_card(context, invoices.invoice.id, card_request(amount="10"))
    crashed = Reservation(
        "acme",
        invoices.invoice.id,
        "attempt-x",
        next(iter(processor.charges)),
        PaymentMethod.CREDIT_CARD,
        Decimal(10),
        NOW,
    )
    records.held = crashed

    use_case.pay_card(context, invoices.invoice.id, card_request(amount="10"))

    assert len(processor.charges) == 1
    assert len(invoices.invoice.transactions) == 1
    assert records.held is None


def test_a_reservation_left_by_a_crash_is_resolved_by_asking_the_processor():
    invoices, processor, records = Invoices(sent_invoice()), Processor(), Records()
    processor.charges["crashed-key"] = Charge("ch_crashed", ChargeStatus.SUCCEEDED, Decimal(100))
    records.held = Reservation(
        "acme", invoices.invoice.id, "attempt-0", "crashed-key", PaymentMethod.CREDIT_CARD, Decimal(100),
        NOW - timedelta(minutes=5),
    )  # fmt: skip

    with pytest.raises(Conflict):
        payments(processor, invoices, records).pay_card(
            PaymentContext(ALICE), invoices.invoice.id, card_request()
        )

    assert [t.processorTransactionId for t in invoices.invoice.transactions] == ["ch_crashed"]
    assert invoices.invoice.status is InvoiceStatus.PAID
    assert processor.calls == 0


def test_a_fresh_reservation_of_another_attempt_is_409_without_calling_the_processor():
    invoices, processor, records = Invoices(sent_invoice()), Processor(), Records()
    records.held = Reservation(
        "acme", invoices.invoice.id, "a", "k", PaymentMethod.CREDIT_CARD, Decimal(1), NOW
    )

    with pytest.raises(PaymentInProgress):
        payments(processor, invoices, records).pay_card(
            PaymentContext(ALICE), invoices.invoice.id, card_request()
        )

    assert processor.calls == 0


def test_a_charge_the_invoice_no_longer_takes_is_refunded():
    invoices, processor = Invoices(sent_invoice()), Processor()

    def paid_meanwhile() -> None:
        marked = lifecycle.mark_as_paid(invoices.invoice, NOW, actor=ALICE, now=NOW)
        invoices.save(marked.invoice, marked.event, previous=invoices.invoice)

    processor.while_charging = paid_meanwhile

    with pytest.raises(Conflict):
        payments(processor, invoices).pay_card(PaymentContext(ALICE), invoices.invoice.id, card_request())

    assert processor.refunds == ["ch_1"]
    assert invoices.invoice.events[-1].errorCode == "refunded"


def test_a_decline_records_a_failed_entry_and_changes_nothing_else():
    invoices, processor = Invoices(sent_invoice()), Processor(decline="insufficient_funds")
    before, telemetry = invoices.invoice, Counts()

    with pytest.raises(PaymentDeclined) as declined:
        payments(processor, invoices, telemetry=telemetry).pay_card(
            PaymentContext(ALICE), before.id, card_request()
        )

    assert telemetry.counted == ["PaymentDeclined"]
    assert telemetry.lines[0]["decline_code"] == "insufficient_funds"
    assert VISA not in repr(telemetry.lines)
    assert declined.value.decline_code == "insufficient_funds"
    after = invoices.invoice
    assert after.model_dump(exclude={"version", "events"}) == before.model_dump(exclude={"version", "events"})
    assert (after.events[-1].type, after.events[-1].errorCode) == (
        EventType.PAYMENT_FAILED,
        "insufficient_funds",
    )


def test_a_debit_card_pays_as_a_debit_card_and_a_wrong_amount_names_the_expected_one():
    invoices, processor = Invoices(sent_invoice()), Processor(funding=Funding.DEBIT)
    use_case = payments(processor, invoices)

    with pytest.raises(Unprocessable) as refused:
        use_case.pay_card(PaymentContext(ALICE), invoices.invoice.id, card_request(amount="100.01"))
    assert refused.value.field_errors == {
        "totalAmount": ["Expected 100.00 (or less, for a partial payment)."]
    }
    use_case.pay_card(PaymentContext(ALICE), invoices.invoice.id, card_request(amount="100.00"))

    assert invoices.invoice.transactions[0].paymentMethod is PaymentMethod.DEBIT_CARD
    assert processor.calls == 1


def test_an_ach_debit_keeps_its_authorization_and_holds_the_invoice_until_it_settles():
    invoices, processor, records = Invoices(sent_invoice()), Processor(), Records()
    use_case = payments(processor, invoices, records)

    answer = use_case.pay_ach(
        PaymentContext(ALICE, client_ip="203.0.113.9"),
        invoices.invoice.id,
        ach_request(saveCustomerInfo=True),
    )

    assert answer.customerInfoSaved
    assert records.saved[0].client_key == invoices.invoice.id
    [authorization] = records.authorizations
    assert (authorization.client_ip, authorization.account_last4) == ("203.0.113.9", "6789")
    assert authorization.expires_at - authorization.authorized_at >= timedelta(days=730)
    assert records.held is not None
    assert records.held.pending_charge_id == "ch_1"
    assert invoices.invoice.events[-1].type is EventType.PAYMENT_PENDING
    with pytest.raises(PaymentInProgress):
        use_case.pay_card(PaymentContext(ALICE), invoices.invoice.id, card_request())


def test_a_charge_that_loses_every_race_keeps_its_reservation_for_the_next_attempt(monkeypatch):
    from invoicing.backoff import Backoff
    from invoicing.invoices import workflow

    monkeypatch.setattr(workflow, "CONCURRENT_CHANGE_RETRIES", Backoff(0, 0, 0, max_attempts=1))
    invoices, processor, records = Invoices(sent_invoice()), Processor(), Records()
    lost = invoices.save

    def always_lost(*args, **kwargs):
        raise InvoiceChanged("someone else won")

    invoices.save = always_lost

    with pytest.raises(InvoiceChanged):
        payments(processor, invoices, records).pay_card(
            PaymentContext(ALICE), invoices.invoice.id, card_request()
        )

    assert processor.refunds == []
    assert records.held is not None
    invoices.save = lost
    stale = replace(records.held, reserved_at=NOW - timedelta(minutes=5))
    records.held = stale
    with pytest.raises(Conflict):
        payments(processor, invoices, records).pay_card(
            PaymentContext(ALICE), invoices.invoice.id, card_request()
        )
    assert [t.processorTransactionId for t in invoices.invoice.transactions] == ["ch_1"]
    assert processor.calls == 1
