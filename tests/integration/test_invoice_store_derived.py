"""The header stores the invoice under the domain's names: what the API derives (amountDue, seed
003's additionalNotes, merchantContactInfo) is computed on reading, never stored; a header written
with them (before they were left out) reads the same."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.adapters.dynamodb import bind
from invoicing.adapters.invoice_items import InvoiceItem, invoice_key
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.invoices import edits, kernel
from invoicing.invoices.model import Invoice, InvoiceCreate, InvoiceFields, RowInput

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")


@pytest.fixture
def repository(deployment):
    return DynamoInvoiceRepository(deployment.ref("InvoicingTable"))


@pytest.fixture
def items(deployment):
    return bind(InvoiceItem, deployment.ref("InvoicingTable"))


def noted(repository) -> Invoice:
    fields = InvoiceCreate(
        currency="EUR", note="Payable by bank transfer.", rows=[RowInput(quantity=1, unitPrice=Decimal(100))]
    )
    created = edits.create_invoice(fields, actor=ACTOR, now=NOW)
    return repository.create(created.invoice, created.event)


def test_the_header_holds_the_note_under_its_own_name_and_no_derived_field(repository, items):
    invoice = noted(repository)
    changed = edits.update_invoice(invoice, InvoiceFields(paymentReference="RF18"), actor=ACTOR, now=NOW)
    repository.save(changed.invoice, changed.event, previous=invoice)

    document = json.loads(items.get(invoice_key("acme", invoice.id), "INVOICE").doc)

    assert document["note"] == "Payable by bank transfer."
    assert not set(Invoice.model_computed_fields) & set(document)
    read = repository.get("acme", invoice.id)
    assert read.additionalNotes == read.note == "Payable by bank transfer."
    assert read.amountDue == read.total


def test_a_header_stored_with_derived_fields_reads_them_from_the_invoice_itself(repository, items):
    invoice = noted(repository)
    header = items.get(invoice_key("acme", invoice.id), "INVOICE")
    header.doc = json.dumps(
        json.loads(header.doc) | {"additionalNotes": "stale", "amountDue": "1", "merchantContactInfo": None}
    )
    header.save()

    read = repository.get("acme", invoice.id)

    assert read.note == read.additionalNotes == "Payable by bank transfer."
    assert read.amountDue == read.total == invoice.total
