"""Read-change-write loops: how a change reaches storage, and when it is worth retrying.

Plain edits are not retried when the invoice changed under them: the loser of a race gets 409 and
decides. Changes that are re-checked against the fresh invoice on every attempt are re-read and
retried (`retry=True`): payments (one that no longer fits is refused), publishing (a number is taken
afresh), cancelling (a paid invoice is refused). A transaction DynamoDB cancels without a failed
condition (a conflict with another transaction on the tenant's figures, throttling) changed
nothing, so the store resends it itself, whatever the change (`adapters.invoice_store`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from invoicing.backoff import Backoff, Sleep
from invoicing.errors import ConcurrentChange
from invoicing.invoices import credit_notes, lifecycle
from invoicing.invoices.credit_notes import CreditNoteRequest
from invoicing.invoices.kernel import Actor, Change, ChangeFunction
from invoicing.invoices.lifecycle import NumberAssignment, NumberingPolicy
from invoicing.invoices.model import Event, Invoice, Seller
from invoicing.public_links import public_link

#: a few seconds at most: with the store's own resends, a request ends inside a 10 s function timeout
CONCURRENT_CHANGE_RETRIES = Backoff(base_seconds=0.005, cap_seconds=0.2, budget_seconds=6, max_attempts=60)
#: numbering a document races every other publisher of the tenant for the counter: fifty at once take
#: fifty rounds, so these retry for longer, inside the 28 s of the functions that number (lifecycle,
#: delivery) and API Gateway's 29 s
NUMBERING_RETRIES = Backoff(base_seconds=0.005, cap_seconds=0.2, budget_seconds=20, max_attempts=200)


class InvoiceStore(Protocol):
    def get(self, tenant_id: str, invoice_id: str) -> Invoice: ...

    def save(
        self, invoice: Invoice, *events: Event, previous: Invoice, number: NumberAssignment | None = None
    ) -> Invoice: ...

    def current_sequence(self, tenant_id: str, counter: str) -> int: ...


def change_invoice(
    store: InvoiceStore,
    tenant_id: str,
    invoice_id: str,
    change: Callable[[Invoice], Change],
    *,
    retry: bool = False,
    sleep: Sleep = time.sleep,
) -> Invoice:
    retries = CONCURRENT_CHANGE_RETRIES.retries(sleep=sleep)
    while True:
        current = store.get(tenant_id, invoice_id)
        result = change(current)
        try:
            return store.save(result.invoice, result.event, previous=current)
        except ConcurrentChange:
            if not retry or not retries.wait():
                raise


def change_as(
    store: InvoiceStore,
    actor: Actor,
    invoice_id: str,
    change: ChangeFunction,
    *,
    retry: bool = False,
    sleep: Sleep = time.sleep,
) -> Invoice:
    """`change` made by `actor` to an invoice of its tenant (`change_invoice`)."""
    return change_invoice(
        store, actor.tenant_id, invoice_id, lambda current: change(current, actor), retry=retry, sleep=sleep
    )


class _AlreadyRecorded(Exception):
    pass


def change_invoice_once(
    store: InvoiceStore,
    tenant_id: str,
    invoice_id: str,
    event_id: str,
    change: Callable[[Invoice], Change],
    *,
    sleep: Sleep = time.sleep,
) -> Invoice | None:
    """Apply `change` unless the invoice already records the event `event_id` (retried on a concurrent
    change); None when it did. For steps that arrive more than once: redelivered messages, retries."""

    def unless_recorded(current: Invoice) -> Change:
        if current.has_event(event_id):
            raise _AlreadyRecorded
        return change(current)

    try:
        return change_invoice(store, tenant_id, invoice_id, unless_recorded, retry=True, sleep=sleep)
    except _AlreadyRecorded:
        return None


def publish_invoice(
    store: InvoiceStore,
    policy: NumberingPolicy,
    tenant_id: str,
    invoice_id: str,
    *,
    actor: Actor,
    now: datetime,
    prepare: Callable[[Invoice], Change] | None = None,
    seller: Seller | None = None,
    sleep: Sleep = time.sleep,
) -> Invoice:
    """Number and publish an invoice, after `prepare` (seed 003's update-and-publish) if given; the
    update, the number, the counter and the status change are one transaction. The invoice keeps
    `seller` (`invoicing.tenants.settings.seller_as_issued`) as the seller it was issued by."""
    retries = NUMBERING_RETRIES.retries(sleep=sleep)
    while True:
        current = store.get(tenant_id, invoice_id)
        events: list[Event] = []
        candidate = current
        if prepare is not None:
            prepared = prepare(current)
            candidate, events = prepared.invoice, [prepared.event]
        lifecycle.ensure_publishable(candidate)
        year = lifecycle.numbering_year(candidate, now)
        number = lifecycle.next_number(
            policy, year, store.current_sequence(tenant_id, policy.counter_for(year))
        )
        published = lifecycle.publish(candidate, number, actor=actor, now=now, seller=seller)
        published = public_link.with_new_link(published, now)
        try:
            return store.save(published.invoice, *events, published.event, previous=current, number=number)
        except ConcurrentChange:
            if not retries.wait():
                raise


class CreditNoteStore(InvoiceStore, Protocol):
    def save_credit_note(
        self,
        credit_note: Invoice,
        credit_note_event: Event,
        invoice: Invoice,
        invoice_event: Event,
        *,
        previous: Invoice,
        number: NumberAssignment,
    ) -> tuple[Invoice, Invoice]: ...


def issue_credit_note(
    store: CreditNoteStore,
    tenant_id: str,
    invoice_id: str,
    request: CreditNoteRequest,
    *,
    actor: Actor,
    now: datetime,
    sleep: Sleep = time.sleep,
) -> Invoice:
    """Number and issue a credit note of the invoice, and take it off what the invoice is owed, in one
    transaction; re-read and retried when another request changed the invoice or took the number."""
    retries = NUMBERING_RETRIES.retries(sleep=sleep)
    policy = credit_notes.CREDIT_NOTE_NUMBERS
    while True:
        invoice = store.get(tenant_id, invoice_id)
        credit_notes.ensure_creditable(invoice)
        year = now.year
        number = lifecycle.next_number(
            policy, year, store.current_sequence(tenant_id, policy.counter_for(year))
        )
        note = credit_notes.credit_note_of(invoice, request, number, actor=actor, now=now)
        credited = credit_notes.credited_by(invoice, note.invoice, actor=actor, now=now)
        try:
            stored, _ = store.save_credit_note(
                note.invoice, note.event, credited.invoice, credited.event, previous=invoice, number=number
            )
            return stored
        except ConcurrentChange:
            if not retries.wait():
                raise
