"""Asking for mail (`InvoiceMail`), as the routes and the jobs do: checked, recorded and queued once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from invoicing.errors import DependencyUnavailable, InvoiceChanged, NotFound
from invoicing.invoices import edits, kernel
from invoicing.invoices.enums import EventType, InvoiceStatus
from invoicing.invoices.model import Event, Invoice, InvoiceCreate, RowInput
from invoicing.mail.eligibility import AddressSuppressed
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.ports import Claim, MailRecord, MailState
from invoicing.mail.quota import MailQuota
from invoicing.mail.requests import InvoiceMail, blob_id_of_client_pdf
from invoicing.tenants.model import Tenant
from invoicing.tenants.settings import StoredSettings, TenantSettings
from tests.fakes import InMemoryTenantRepository

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
JOB = kernel.Actor("acme", "scheduler")


class CountedInvoices:
    """The invoices of a tenant, counting reads."""

    def __init__(self, *invoices: Invoice) -> None:
        self.invoices = {invoice.id: invoice for invoice in invoices}
        self.reads = 0
        #: an invoice another request changes just before this call's next write
        self.meddle: Invoice | None = None

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        self.reads += 1
        if invoice_id not in self.invoices:
            raise NotFound(f"No invoice {invoice_id}.")
        return self.invoices[invoice_id]

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number: object = None) -> Invoice:
        if self.meddle is not None:
            self.invoices[self.meddle.id], self.meddle = self.meddle, None
        if self.invoices[invoice.id].version != previous.version:
            raise InvoiceChanged(f"Invoice {invoice.id} changed.")
        stored = invoice.model_copy(
            update={"version": previous.version + len(events), "events": [*previous.events, *events]}
        )
        self.invoices[stored.id] = stored
        return stored

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return 0


class Outbox:
    def __init__(self) -> None:
        self.recorded: dict[str, OutboxMessage] = {}

    def state_of(self, message: OutboxMessage) -> MailState | None:
        return MailState.PENDING if message.message_id in self.recorded else None

    def record(self, message: OutboxMessage, now: datetime) -> None:
        self.recorded.setdefault(message.message_id, message)

    def ses_message_id(self, message: OutboxMessage) -> str | None:
        raise NotImplementedError

    def record_of(self, tenant_id: str, invoice_id: str, mail_id: str) -> MailRecord | None:
        raise NotImplementedError

    def due(self, now: datetime, days: int) -> Iterator[OutboxMessage]:
        raise NotImplementedError

    def postpone(self, message: OutboxMessage, now: datetime) -> None:
        raise NotImplementedError

    def claim(self, message: OutboxMessage, now: datetime, lease: timedelta) -> Claim:
        raise NotImplementedError

    def mark_sent(self, message: OutboxMessage, ses_message_id: str) -> None:
        raise NotImplementedError

    def release(self, message: OutboxMessage) -> None:
        raise NotImplementedError

    def mark_failed(self, message: OutboxMessage, reason: str) -> None:
        raise NotImplementedError

    def mark_cancelled(self, message: OutboxMessage, reason: str) -> None:
        raise NotImplementedError


class Queue:
    def __init__(self) -> None:
        self.messages: list[OutboxMessage] = []
        self.down = False

    def put(self, message: OutboxMessage) -> None:
        if self.down:
            raise DependencyUnavailable("Queueing the mail failed: the queue is gone")
        self.messages.append(message)


class Suppressions:
    def __init__(self) -> None:
        self.reasons: dict[str, str] = {}

    def reason_not_to_mail(self, tenant_id: str, address: str) -> str | None:
        return self.reasons.get(address.lower())

    def suppress(self, tenant_id: str, address: str, reason: str, now: datetime) -> None:
        self.reasons[address.lower()] = reason


class Counter:
    def __init__(self) -> None:
        self.taken = 0

    def ensure_left(self, quota: MailQuota, now: datetime) -> None:
        pass

    def take(self, quota: MailQuota, now: datetime) -> None:
        self.taken += 1


class Telemetry:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.notes: list[tuple[str, Mapping[str, object]]] = []

    def count(self, name: str, value: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + value

    def info(self, message: str, **fields: object) -> None:
        self.notes.append((message, fields))

    def warning(self, message: str, **fields: object) -> None:
        self.notes.append((message, fields))


class Numbers:
    def __init__(self, invoices: CountedInvoices) -> None:
        self._invoices = invoices

    def invoice_id_of(self, tenant_id: str, number: str) -> str | None:
        ids = [invoice.id for invoice in self._invoices.invoices.values() if invoice.invoiceNumber == number]
        return ids[0] if ids else None


class Files:
    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}

    def put_invoice_pdf(
        self, tenant_id: str, invoice_id: str, blob_id: str, content: bytes, file_name: str
    ) -> None:
        self.stored[blob_id] = content


class Settings:
    def get(self, tenant_id: str) -> StoredSettings:
        return StoredSettings(TenantSettings(), 0)

    def save(self, tenant_id: str, settings: TenantSettings, *, read_version: int) -> StoredSettings:
        raise NotImplementedError


def draft() -> Invoice:
    create = InvoiceCreate(
        currency="EUR",
        contactEmail="ap@globex.test",
        rows=[RowInput(description="Consulting", quantity=Decimal(2), unitPrice=Decimal(50))],
    )
    return edits.create_invoice(create, actor=ACTOR, now=NOW).invoice


def sent() -> Invoice:
    return draft().model_copy(update={"status": InvoiceStatus.SENT, "invoiceNumber": "INV-2026-00007"})


class World:
    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice
        self.invoices = CountedInvoices(invoice)
        tenants = InMemoryTenantRepository()
        tenants.tenants["acme"] = Tenant("acme", 1, "Acme Müller GmbH", "EUR", "billing@acme.test", NOW)
        self.outbox, self.queue, self.suppressions = Outbox(), Queue(), Suppressions()
        self.counter, self.telemetry, self.files = Counter(), Telemetry(), Files()
        self.mail = InvoiceMail(
            self.invoices,
            tenants,
            Settings(),
            Numbers(self.invoices),
            self.files,
            self.outbox,
            self.queue,
            self.suppressions,
            self.counter,
            self.telemetry,
            default_quota_per_day=200,
        )

    def events(self) -> list[EventType]:
        return [event.type for event in self.invoices.invoices[self.invoice.id].events]


def test_a_send_publishes_the_draft_and_queues_its_mail_reading_the_invoice_once():
    world = World(draft())

    queued = world.mail.send(ACTOR, world.invoice.id, request_key="key-1", now=NOW)

    assert world.invoices.reads == 1
    assert queued.invoice.status is InvoiceStatus.SENT
    assert queued.invoice.sentMails == ["ap@globex.test"]
    assert queued.invoice == world.invoices.invoices[world.invoice.id]
    assert world.events()[-1] is EventType.MAIL_QUEUED
    assert world.queue.messages == [queued.message]
    assert (queued.message.kind, queued.message.recipient) == (MailKind.INVOICE, "ap@globex.test")
    assert world.counter.taken == 1
    assert world.telemetry.counts == {"MailInvoiceQueued": 1}


def test_a_job_run_twice_with_its_key_queues_one_reminder_and_counts_it_once():
    world = World(sent())

    first = world.mail.remind(JOB, world.invoice.id, request_key="overdue:2026-11-22", now=NOW)
    again = world.mail.remind(JOB, world.invoice.id, request_key="overdue:2026-11-22", now=NOW)

    assert first.message == again.message
    assert first.message.kind is MailKind.REMINDER
    assert first.message.requested_by == "scheduler"
    assert world.events().count(EventType.MAIL_QUEUED) == 1
    assert [reminder.createdBy for reminder in again.invoice.reminders] == ["scheduler"]
    assert world.counter.taken == 1
    assert {message.message_id for message in world.queue.messages} == {first.message.message_id}


def test_a_pdf_stored_before_is_attached_by_its_blob_id_and_nothing_is_uploaded():
    world = World(sent())
    blob_id = blob_id_of_client_pdf(b"%PDF-1.4 scheduled")

    queued = world.mail.send(
        JOB, world.invoice.id, request_key="scheduled", now=NOW, client_pdf_blob_id=blob_id
    )

    assert queued.message.client_pdf_blob_id == blob_id
    assert world.files.stored == {}


def test_a_pdf_sent_with_the_request_is_stored_under_its_content_hash():
    world = World(sent())

    queued = world.mail.send(
        ACTOR, world.invoice.id, request_key="key-1", now=NOW, client_pdf=b"%PDF-1.4 own"
    )

    assert queued.message.client_pdf_blob_id == blob_id_of_client_pdf(b"%PDF-1.4 own")
    assert world.files.stored == {queued.message.client_pdf_blob_id: b"%PDF-1.4 own"}


def test_mail_the_queue_does_not_take_is_left_to_the_relay():
    world = World(sent())
    world.queue.down = True

    queued = world.mail.resend(ACTOR, world.invoice.id, request_key="key-1", now=NOW)

    assert queued.message.message_id in world.outbox.recorded
    assert world.events()[-1] is EventType.MAIL_QUEUED
    assert world.telemetry.counts == {"MailLeftToRelay": 1, "MailInvoiceQueued": 1}


def test_a_suppressed_address_is_refused_and_nothing_is_recorded():
    world = World(draft())
    world.suppressions.suppress("acme", "ap@globex.test", "hard bounce", NOW)

    with pytest.raises(AddressSuppressed):
        world.mail.send(ACTOR, world.invoice.id, request_key="key-1", now=NOW)

    assert world.invoices.invoices[world.invoice.id].status is InvoiceStatus.DRAFT
    assert world.outbox.recorded == {}
    assert world.counter.taken == 0


def test_resend_takes_the_invoice_number_when_no_invoice_has_that_id():
    world = World(sent())

    queued = world.mail.resend(ACTOR, "INV-2026-00007", request_key="key-1", now=NOW)

    assert queued.message.invoice_id == world.invoice.id
    with pytest.raises(NotFound):
        world.mail.resend(ACTOR, "INV-2026-99999", request_key="key-1", now=NOW)


def test_a_copy_goes_to_the_address_given_for_the_invoice_number():
    world = World(sent())

    queued = world.mail.send_copy(ACTOR, "INV-2026-00007", "accounts@buyer.example", request_key="k", now=NOW)

    assert (queued.message.kind, queued.message.recipient) == (MailKind.COPY, "accounts@buyer.example")
    assert queued.invoice.sentMails == ["accounts@buyer.example"]


def test_a_change_by_another_request_meanwhile_is_read_and_kept():
    world = World(sent())
    world.invoices.meddle = world.invoice.model_copy(update={"version": 2, "mailBody": "Changed meanwhile."})

    queued = world.mail.remind(ACTOR, world.invoice.id, request_key="key-1", now=NOW)

    assert world.invoices.reads == 2
    assert queued.invoice.mailBody == "Changed meanwhile."
    assert world.events()[-1] is EventType.MAIL_QUEUED
