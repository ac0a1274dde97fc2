"""The mail log (`sentMails`, `reminders`) in items of the invoice's partition, not in its header."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from invoicing.adapters.dynamodb import bind
from invoicing.adapters.invoice_items import InvoiceItem, invoice_key
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.invoices import edits, kernel, lifecycle, workflow
from invoicing.invoices.model import InvoiceCreate, RowInput
from invoicing.mail import trail
from invoicing.mail.message import MailKind, OutboxMessage

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")


@pytest.fixture
def repository(deployment):
    return DynamoInvoiceRepository(deployment.ref("InvoicingTable"))


@pytest.fixture
def items(deployment):
    return bind(InvoiceItem, deployment.ref("InvoicingTable"))


def published(repository):
    fields = InvoiceCreate(currency="EUR", rows=[RowInput(description="Audit", quantity=1, unitPrice=900)])
    created = edits.create_invoice(fields, actor=ACTOR, now=NOW)
    invoice = repository.create(created.invoice, created.event)
    number = lifecycle.NumberAssignment(number="INV-2026-00001", counter="invoice#2026", sequence=1)
    sent = lifecycle.publish(invoice, number, actor=ACTOR, now=NOW)
    return repository.save(sent.invoice, sent.event, previous=invoice, number=number)


def queue(repository, invoice_id: str, kind: MailKind, recipient: str, request: str) -> None:
    message = OutboxMessage("acme", invoice_id, kind, recipient, request, ACTOR.subject)
    workflow.change_invoice_once(
        repository,
        "acme",
        invoice_id,
        trail.queued_event_id(message),
        lambda current: trail.record_mail_queued(current, message, actor=ACTOR, now=NOW),
    )


def header_document(items, invoice_id: str) -> dict:
    return json.loads(items.get(invoice_key("acme", invoice_id), "INVOICE").doc)


def test_mails_and_reminders_read_back_in_order_and_never_grow_the_header(repository, items):
    invoice = published(repository)
    queue(repository, invoice.id, MailKind.INVOICE, "ap@globex.test", "first")
    header_size = len(items.get(invoice_key("acme", invoice.id), "INVOICE").doc)

    for n in range(30):
        queue(repository, invoice.id, MailKind.COPY, f"copy-{n}@globex.test", f"copy-{n}")
    queue(repository, invoice.id, MailKind.REMINDER, "ap@globex.test", "reminder")

    read = repository.get("acme", invoice.id)
    assert read.sentMails == ["ap@globex.test", *(f"copy-{n}@globex.test" for n in range(30))]
    assert [(reminder.createdBy, reminder.sentOn) for reminder in read.reminders] == [("alice", NOW)]
    document = header_document(items, invoice.id)
    assert "sentMails" not in document
    assert "reminders" not in document
    assert len(items.get(invoice_key("acme", invoice.id), "INVOICE").doc) <= header_size + 16


def test_an_invoice_stored_with_its_mail_log_in_the_header_reads_and_keeps_it(repository, items):
    invoice = published(repository)
    header = items.get(invoice_key("acme", invoice.id), "INVOICE")
    legacy = json.loads(header.doc) | {
        "sentMails": ["old-1@globex.test", "old-2@globex.test"],
        "reminders": [{"createdBy": "bob", "sentOn": "2026-10-01T08:00:00+00:00"}],
    }
    header.doc = json.dumps(legacy)
    header.save()

    before = repository.get("acme", invoice.id)
    queue(repository, invoice.id, MailKind.COPY, "new@globex.test", "after")
    queue(repository, invoice.id, MailKind.REMINDER, "ap@globex.test", "reminder")
    after = repository.get("acme", invoice.id)

    assert before.sentMails == ["old-1@globex.test", "old-2@globex.test"]
    assert [reminder.createdBy for reminder in before.reminders] == ["bob"]
    assert after.sentMails == ["old-1@globex.test", "old-2@globex.test", "new@globex.test"]
    assert [reminder.createdBy for reminder in after.reminders] == ["bob", "alice"]
    assert "sentMails" not in header_document(items, invoice.id)


def test_a_deleted_invoice_leaves_no_mail_log(repository, items):
    fields = InvoiceCreate(currency="EUR", rows=[RowInput(description="Audit", quantity=1, unitPrice=900)])
    created = edits.create_invoice(fields, actor=ACTOR, now=NOW)
    invoice = repository.create(
        created.invoice.model_copy(update={"sentMails": ["a@globex.test"]}), created.event
    )

    repository.delete(repository.get("acme", invoice.id))

    assert list(items.query(invoice_key("acme", invoice.id))) == []
