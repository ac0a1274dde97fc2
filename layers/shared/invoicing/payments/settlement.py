"""The processor's signed events: an ACH debit settles (the invoice records the payment) or is
returned (before settling: a failed history entry; after: the payment is reversed). Each event is
applied once: the invoice change carries an event id derived from the processor's event id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from invoicing.clock import utc_now
from invoicing.invoices.enums import EventType
from invoicing.invoices.kernel import Actor
from invoicing.invoices.workflow import InvoiceStore
from invoicing.payments.balances import PaymentShare
from invoicing.payments.processor import EventKind, PaymentProcessor, ProcessorEvent
from invoicing.payments.recording import record_attempt, record_paid, record_returned
from invoicing.payments.records import ChargeState, PaymentRecords

PROCESSOR_SUBJECT = "payment-processor"


class PaymentEvents:
    def __init__(
        self,
        invoices: InvoiceStore,
        records: PaymentRecords,
        processor: PaymentProcessor,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._invoices = invoices
        self._records = records
        self._processor = processor
        self._clock = clock

    def receive(self, payload: bytes, signature: str) -> ProcessorEvent | None:
        """Apply a webhook's event (`InvalidSignature` when it does not verify); None when it is about
        no charge of ours."""
        event = self._processor.verify_event(payload, signature, self._clock())
        record = self._records.record(event.tenant_id, event.invoice_id, event.charge_id)
        if record is None:
            return None
        actor = Actor(event.tenant_id, PROCESSOR_SUBJECT)
        now = self._clock()
        event_id = f"processor-{event.id}"
        if event.kind is EventKind.SETTLED and record.state is ChargeState.PENDING:
            share = PaymentShare(record.paid, record.settles, record.surcharge, record.cash_discount)
            record_paid(
                self._invoices,
                actor,
                event.invoice_id,
                charge_id=event.charge_id,
                method=record.method,
                share=share,
                now=now,
                event_id=event_id,
            )
            self._records.put_record(replace(record, state=ChargeState.SUCCEEDED))
            self._release(event)
        elif event.kind is EventKind.RETURNED and record.state is ChargeState.SUCCEEDED:
            record_returned(
                self._invoices,
                actor,
                event.invoice_id,
                charge_id=event.charge_id,
                reason=event.reason or "returned",
                now=now,
                event_id=event_id,
            )
            self._records.put_record(replace(record, state=ChargeState.RETURNED))
        elif event.kind is EventKind.RETURNED and record.state is ChargeState.PENDING:
            code = event.reason or "returned"
            record_attempt(
                self._invoices,
                actor,
                event.invoice_id,
                kind=EventType.PAYMENT_FAILED,
                text=f"ACH payment of {record.paid} returned before settling ({code}).",
                method=record.method,
                now=now,
                charge_id=event.charge_id,
                error_code=code,
                event_id=event_id,
            )
            self._records.put_record(replace(record, state=ChargeState.RETURNED))
            self._release(event)
        return event

    def _release(self, event: ProcessorEvent) -> None:
        holder = self._records.reservation(event.tenant_id, event.invoice_id)
        if holder is not None and holder.pending_charge_id == event.charge_id:
            self._records.release(holder)
