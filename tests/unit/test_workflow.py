"""Which changes are retried after a concurrent change, and that each retry starts from a fresh read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.errors import CounterMoved, InvoiceChanged
from invoicing.invoices import edits, kernel, workflow
from invoicing.invoices.lifecycle import NumberingPolicy
from invoicing.invoices.model import InvoiceCreate, RowInput

NOW = datetime(2026, 11, 22, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")


class FlakyStore:
    """Loses the first `losses` races, then saves; counts reads."""

    def __init__(self, losses: int, error: type[Exception]) -> None:
        create = InvoiceCreate(currency="EUR", rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal(5))])
        self.invoice = edits.create_invoice(create, actor=ACTOR, now=NOW).invoice.model_copy(
            update={"version": 1}
        )
        self.losses, self.error = losses, error
        self.reads = 0
        self.counter = 0

    def get(self, tenant_id, invoice_id):
        self.reads += 1
        return self.invoice

    def current_sequence(self, tenant_id, counter):
        return self.counter

    def save(self, invoice, *events, previous, number=None):
        if self.losses:
            self.losses -= 1
            self.counter += 1
            raise self.error("someone else won")
        return invoice


def test_a_plain_edit_is_not_retried():
    store = FlakyStore(losses=1, error=InvoiceChanged)

    with pytest.raises(InvoiceChanged):
        workflow.change_invoice(
            store, "acme", "id", lambda current: edits.add_comment(current, "hi", actor=ACTOR, now=NOW)
        )

    assert store.reads == 1


def test_a_retried_change_reads_again_until_it_wins():
    store = FlakyStore(losses=3, error=InvoiceChanged)

    workflow.change_invoice(
        store,
        "acme",
        "id",
        lambda current: edits.add_comment(current, "hi", actor=ACTOR, now=NOW),
        retry=True,
        sleep=lambda _: None,
    )

    assert store.reads == 4


def test_publishing_takes_the_next_number_after_losing_a_race():
    store = FlakyStore(losses=2, error=CounterMoved)

    published = workflow.publish_invoice(
        store, NumberingPolicy(), "acme", "id", actor=ACTOR, now=NOW, sleep=lambda _: None
    )

    assert published.invoiceNumber == "INV-2026-00003"


def test_a_retried_change_gives_up_when_its_attempts_are_spent():
    store = FlakyStore(losses=10_000, error=InvoiceChanged)

    with pytest.raises(InvoiceChanged):
        workflow.change_invoice(
            store,
            "acme",
            "id",
            lambda current: edits.add_comment(current, "hi", actor=ACTOR, now=NOW),
            retry=True,
            sleep=lambda _: None,
        )

    assert store.reads == workflow.CONCURRENT_CHANGE_RETRIES.max_attempts
