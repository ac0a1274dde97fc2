"""Storage rules of invoices: optimistic locking, large invoices, atomic deletes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.adapters.dynamodb import bind
from invoicing.adapters.invoice_items import InvoiceItem, invoice_key
from invoicing.adapters.invoice_store import EVENT_PREFIX, DynamoInvoiceRepository
from invoicing.errors import Conflict, NotFound
from invoicing.invoices import edits, kernel
from invoicing.invoices.model import InvoiceCreate, InvoiceFields, RowInput

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")


@pytest.fixture
def repository(deployment):
    return DynamoInvoiceRepository(deployment.ref("InvoicingTable"))


def stored_invoice(repository, rows: int = 1):
    fields = InvoiceCreate(
        currency="EUR",
        rows=[
            RowInput(description=f"Row {n} " + "x" * 200, quantity=Decimal(1), unitPrice=Decimal("1.10"))
            for n in range(rows)
        ],
    )
    change = edits.create_invoice(fields, actor=ACTOR, now=NOW)
    return repository.create(change.invoice, change.event)


def test_the_second_of_two_updates_from_the_same_read_is_a_conflict_and_loses_nothing(repository):
    original = stored_invoice(repository)
    first = edits.update_invoice(original, InvoiceFields(note="first"), actor=ACTOR, now=NOW)
    second = edits.update_invoice(original, InvoiceFields(paymentReference="second"), actor=ACTOR, now=NOW)

    repository.save(first.invoice, first.event, previous=original)
    with pytest.raises(Conflict, match="changed by another request"):
        repository.save(second.invoice, second.event, previous=original)

    current = repository.get("acme", original.id)
    assert (current.note, current.paymentReference, current.version) == ("first", None, 2)


def test_an_invoice_with_1000_rows_and_10000_events_reads_back_whole(repository, deployment):
    invoice = stored_invoice(repository, rows=1000)
    key = invoice_key("acme", invoice.id)
    event_json = invoice.events[0].model_dump_json()
    bound = bind(InvoiceItem, deployment.ref("InvoicingTable"))
    with bound.batch_write() as batch:
        for version in range(2, 10_001):
            batch.save(bound(pk=key, sk=f"{EVENT_PREFIX}{version:010d}", doc=event_json))

    read = repository.get("acme", invoice.id)

    assert len(read.rows) == 1000
    assert read.totalExcludingTax == Decimal("1100.00")
    assert len(read.events) == 10_000


def test_a_1000_row_invoice_spans_several_row_items_and_updates_cleanly(repository):
    invoice = stored_invoice(repository, rows=1000)
    shorter = edits.update_invoice(
        invoice,
        InvoiceFields(rows=[RowInput(quantity=Decimal(2), unitPrice=Decimal(5))]),
        actor=ACTOR,
        now=NOW,
    )

    repository.save(shorter.invoice, shorter.event, previous=invoice)

    read = repository.get("acme", invoice.id)
    assert [row.total for row in read.rows] == [Decimal("10.00")]


def test_delete_removes_every_item_of_the_invoice(repository, deployment):
    invoice = stored_invoice(repository, rows=1000)

    repository.delete(invoice)

    with pytest.raises(NotFound):
        repository.get("acme", invoice.id)
    bound = bind(InvoiceItem, deployment.ref("InvoicingTable"))
    assert list(bound.query(invoice_key("acme", invoice.id))) == []


def test_a_stale_delete_is_a_conflict(repository):
    invoice = stored_invoice(repository)
    change = edits.add_comment(invoice, "keep me", actor=ACTOR, now=NOW)
    repository.save(change.invoice, change.event, previous=invoice)

    with pytest.raises(Conflict):
        repository.delete(invoice)

    assert repository.get("acme", invoice.id).version == 2
