"""What a charge does to the invoice: a transaction through the lifecycle's payment path, a history
entry for a failure, a pending debit or a return. Each is one conditional change (`workflow.change_as`)."""

from __future__ import annotations

from datetime import datetime

from invoicing.invoices import lifecycle
from invoicing.invoices.enums import EventType, PaymentMethod
from invoicing.invoices.kernel import Actor, Change, new_event, new_id
from invoicing.invoices.model import Invoice
from invoicing.invoices.workflow import InvoiceStore, change_as
from invoicing.payments.balances import PaymentShare


class AlreadyRecorded(Exception):
    """The invoice already records this charge (a retry, or a redelivered event)."""


def recorded_charge(invoice: Invoice, charge_id: str) -> bool:
    return any(transaction.processorTransactionId == charge_id for transaction in invoice.transactions)


def record_paid(
    store: InvoiceStore,
    actor: Actor,
    invoice_id: str,
    *,
    charge_id: str,
    method: PaymentMethod,
    share: PaymentShare,
    now: datetime,
    event_id: str | None = None,
) -> Invoice | None:
    """The charge as a transaction of what it settles, with its surcharge or cash discount; None when
    the invoice records it already."""

    def change(current: Invoice, by: Actor) -> Change:
        if recorded_charge(current, charge_id):
            raise AlreadyRecorded
        paid = lifecycle.add_payment(
            current, share.settles, now, method, actor=by, now=now, description=f"{method.value} payment"
        )
        *earlier, transaction = paid.invoice.transactions
        transaction = transaction.model_copy(
            update={
                "processorTransactionId": charge_id,
                "surchargeAmount": share.surcharge,
                "cashDiscountAmount": share.cash_discount,
            }
        )
        invoice = paid.invoice.model_copy(update={"transactions": [*earlier, transaction]})
        event = paid.event.model_copy(
            update={"transactionId": charge_id, "paymentMethod": method, "id": event_id or paid.event.id}
        )
        return Change(invoice, event)

    try:
        return change_as(store, actor, invoice_id, change, retry=True)
    except AlreadyRecorded:
        return None


def record_attempt(
    store: InvoiceStore,
    actor: Actor,
    invoice_id: str,
    *,
    kind: EventType,
    text: str,
    method: PaymentMethod,
    now: datetime,
    charge_id: str | None = None,
    error_code: str | None = None,
    event_id: str | None = None,
) -> Invoice | None:
    """A history entry and nothing else (a decline, a pending debit, a return before settling);
    None when the invoice has `event_id` already."""

    def change(current: Invoice, by: Actor) -> Change:
        if event_id is not None and current.has_event(event_id):
            raise AlreadyRecorded
        event = new_event(by, now, kind, text, lambda: event_id or new_id()).model_copy(
            update={
                "transactionId": charge_id,
                "paymentMethod": method,
                "errorCode": error_code,
                "errorMessage": text if error_code else None,
            }
        )
        return Change(current, event)

    try:
        return change_as(store, actor, invoice_id, change, retry=True)
    except AlreadyRecorded:
        return None


def record_returned(
    store: InvoiceStore,
    actor: Actor,
    invoice_id: str,
    *,
    charge_id: str,
    reason: str,
    now: datetime,
    event_id: str,
) -> Invoice | None:
    """A settled debit the bank returned: its transaction removed (the status follows), the return
    recorded; None when it was already."""

    def change(current: Invoice, by: Actor) -> Change:
        if current.has_event(event_id):
            raise AlreadyRecorded
        transaction = next(
            (each for each in current.transactions if each.processorTransactionId == charge_id), None
        )
        if transaction is None:
            raise AlreadyRecorded
        removed = lifecycle.remove_payment(current, transaction.id, actor=by, now=now)
        text = f"ACH payment returned by the bank ({reason}); {removed.event.description}"
        event = new_event(by, now, EventType.PAYMENT_RETURNED, text, lambda: event_id).model_copy(
            update={
                "transactionId": charge_id,
                "paymentMethod": PaymentMethod.ACH,
                "errorCode": reason,
                "errorMessage": text,
            }
        )
        return Change(removed.invoice, event)

    try:
        return change_as(store, actor, invoice_id, change, retry=True)
    except AlreadyRecorded:
        return None
