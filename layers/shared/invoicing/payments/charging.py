"""One charge per payment: the invoice's reservation (taken before the processor is called,
resolved with the processor when a crash left it), and recording what the processor charged (or
refunding a charge the invoice no longer takes)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from invoicing.errors import ConcurrentChange, Conflict, ValidationFailed
from invoicing.invoices.enums import EventType, PaymentMethod
from invoicing.invoices.kernel import Actor, NewId
from invoicing.invoices.workflow import InvoiceStore
from invoicing.mail.ports import Telemetry
from invoicing.payments.balances import MethodPricing, PaymentShare, share_of
from invoicing.payments.processor import Charge, ChargeStatus, PaymentProcessor
from invoicing.payments.recording import record_attempt, record_paid
from invoicing.payments.records import PaymentInProgress, PaymentRecords, Reservation


def processor_key(tenant_id: str, invoice_id: str, request_key: str | None) -> str | None:
    """The processor call's idempotency key of a request with an Idempotency-Key."""
    if request_key is None:
        return None
    made_of = f"{tenant_id}\n{invoice_id}\n{request_key}"
    return "req-" + hashlib.sha256(made_of.encode()).hexdigest()[:48]


class OneCharge:
    def __init__(
        self,
        invoices: InvoiceStore,
        records: PaymentRecords,
        processor: PaymentProcessor,
        pricing: MethodPricing,
        telemetry: Telemetry,
        *,
        clock: Callable[[], datetime],
        make_id: NewId,
    ) -> None:
        self._invoices = invoices
        self._records = records
        self._processor = processor
        self._pricing = pricing
        self._telemetry = telemetry
        self._clock = clock
        self._make_id = make_id

    def record_paid_or_refund(
        self,
        actor: Actor,
        invoice_id: str,
        charge: Charge,
        method: PaymentMethod,
        share: PaymentShare,
        reservation: Reservation,
    ) -> None:
        """Record a charge the processor made; one the invoice no longer takes is refunded. A record
        that lost every race keeps the reservation: the next attempt records the charge (`_resolve`)."""
        try:
            record_paid(
                self._invoices,
                actor,
                invoice_id,
                charge_id=charge.id,
                method=method,
                share=share,
                now=self._clock(),
            )
        except ConcurrentChange:
            raise
        except (Conflict, ValidationFailed) as refusal:
            self._refund(actor, invoice_id, charge, method, reservation, refusal.message)
            self._records.release(reservation)
            raise
        self._records.release(reservation)

    def _refund(
        self,
        actor: Actor,
        invoice_id: str,
        charge: Charge,
        method: PaymentMethod,
        reservation: Reservation,
        reason: str,
    ) -> None:
        self._processor.refund(charge.id, charge.amount, f"refund:{reservation.idempotency_key}")
        self._telemetry.count("PaymentRefunded")
        self._telemetry.warning("PaymentRefunded", invoice_id=invoice_id, charge_id=charge.id)
        record_attempt(
            self._invoices,
            actor,
            invoice_id,
            kind=EventType.PAYMENT_FAILED,
            text=f"Payment {charge.id} refunded: {reason}",
            method=method,
            now=self._clock(),
            charge_id=charge.id,
            error_code="refunded",
        )

    def reserve(
        self, actor: Actor, invoice_id: str, request_key: str | None, method: PaymentMethod, amount: Decimal
    ) -> Reservation:
        """Hold the invoice for this attempt: a holder with the same key is the same request again
        (taken over); another is 409 unless a crash left it (resolved with the processor first)."""
        now, attempt_id = self._clock(), self._make_id()
        key = processor_key(actor.tenant_id, invoice_id, request_key) or attempt_id
        reservation = Reservation(actor.tenant_id, invoice_id, attempt_id, key, method, amount, now)
        for _ in range(3):
            holder = self._records.reservation(actor.tenant_id, invoice_id)
            if holder is not None and holder.idempotency_key != reservation.idempotency_key:
                if not holder.is_stale(now):
                    raise PaymentInProgress(f"A payment of invoice {invoice_id} is in progress.")
                holder = self._resolve(holder)
            try:
                self._records.reserve(reservation, replacing=holder)
                return reservation
            except PaymentInProgress:
                continue
        raise PaymentInProgress(f"A payment of invoice {invoice_id} is in progress.")

    def _resolve(self, holder: Reservation) -> Reservation | None:
        """A reservation left by a crash: the processor says whether its charge happened; one that
        did is recorded. None once the holder is let go; a pending debit stays (409)."""
        charge = self._processor.status(holder.idempotency_key)
        actor = Actor(holder.tenant_id, "payment-recovery")
        if charge is not None and charge.status is ChargeStatus.PENDING:
            self._records.hold_for_settlement(holder, charge.id)
            raise PaymentInProgress(f"An ACH payment of invoice {holder.invoice_id} awaits its settlement.")
        if charge is not None and charge.status is ChargeStatus.SUCCEEDED:
            invoice = self._invoices.get(holder.tenant_id, holder.invoice_id)
            share = share_of(self._pricing.balance(invoice, holder.method), charge.amount, invoice.currency)
            self.record_paid_or_refund(actor, holder.invoice_id, charge, holder.method, share, holder)
            self._telemetry.count("PaymentRecovered")
            return None
        return holder
