"""The delivery worker's use case (`MailDelivery`) with in-memory ports: each claim outcome, the
backoff of a failed send, the last attempt, and one tenant read per mail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

import pytest

from invoicing.errors import DependencyUnavailable
from invoicing.invoices import edits, kernel
from invoicing.invoices.enums import EventType, InvoiceStatus
from invoicing.invoices.model import Event, Invoice, InvoiceCreate, RowInput
from invoicing.mail.delivery import Attempt, DeliveryPolicy, MailDelivery, MailInProgress
from invoicing.mail.message import MailKind, OutboxMessage
from invoicing.mail.ports import Claim, MailRecord, MailState
from invoicing.overdue.policy import ReminderSettings
from invoicing.tenants.model import Tenant
from invoicing.tenants.settings import StoredSettings, TenantSettings

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
POLICY = DeliveryPolicy(sender_email="invoices@example.com", attempts=5, retry_base_seconds=30)
CLIENT_PDF = "sent-0123456789"


class Invoices:
    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        return self.invoice

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number: object = None) -> Invoice:
        self.invoice = invoice.model_copy(
            update={"version": previous.version + len(events), "events": [*previous.events, *events]}
        )
        return self.invoice

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return 0

    def events(self) -> list[EventType]:
        return [event.type for event in self.invoice.events]


class Tenants:
    def __init__(self) -> None:
        self.reads = 0

    def find_tenant(self, tenant_id: str) -> Tenant | None:
        self.reads += 1
        return Tenant("acme", 1, "Acme Müller GmbH", "EUR", "billing@acme.test", NOW)


class TenantSettingsStore:
    def __init__(self) -> None:
        self.settings = TenantSettings()
        self.reads = 0

    def get(self, tenant_id: str) -> StoredSettings:
        self.reads += 1
        return StoredSettings(self.settings, 1)

    def save(self, tenant_id: str, settings: TenantSettings, *, read_version: int) -> StoredSettings:
        raise NotImplementedError


class Files:
    def theme(self, tenant_id: str) -> tuple[bytes | None, bytes | None]:
        return None, None

    def put_invoice_pdf(
        self, tenant_id: str, invoice_id: str, blob_id: str, content: bytes, file_name: str
    ) -> None:
        raise NotImplementedError

    def delete_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> None:
        raise NotImplementedError

    def read_invoice_pdf(self, tenant_id: str, invoice_id: str, blob_id: str) -> bytes | None:
        return b"%PDF-1.4 own" if blob_id == CLIENT_PDF else None


class Outbox:
    def __init__(self, claim: Claim = Claim.CLAIMED) -> None:
        self.claim_answer = claim
        self.state: MailState | None = None
        self.sent_as: str | None = "0100-earlier" if claim is Claim.ALREADY_SENT else None

    def claim(self, message: OutboxMessage, now: datetime, lease: timedelta) -> Claim:
        if self.claim_answer is Claim.CLAIMED:
            self.state = MailState.SENDING
        return self.claim_answer

    def ses_message_id(self, message: OutboxMessage) -> str | None:
        return self.sent_as

    def mark_sent(self, message: OutboxMessage, ses_message_id: str) -> None:
        self.state, self.sent_as = MailState.SENT, ses_message_id

    def release(self, message: OutboxMessage) -> None:
        self.state = MailState.PENDING

    def mark_failed(self, message: OutboxMessage, reason: str) -> None:
        self.state = MailState.FAILED

    def mark_cancelled(self, message: OutboxMessage, reason: str) -> None:
        self.state = MailState.CANCELLED

    def state_of(self, message: OutboxMessage) -> MailState | None:
        return self.state

    def record_of(self, tenant_id: str, invoice_id: str, mail_id: str) -> MailRecord | None:
        raise NotImplementedError

    def record(self, message: OutboxMessage, now: datetime) -> None:
        raise NotImplementedError

    def due(self, now: datetime, days: int) -> Iterator[OutboxMessage]:
        raise NotImplementedError

    def postpone(self, message: OutboxMessage, now: datetime) -> None:
        raise NotImplementedError


class Redelivery:
    def __init__(self) -> None:
        self.delays: list[int] = []

    def retry_later(self, queue_arn: str, receipt_handle: str, delay_seconds: int) -> None:
        self.delays.append(delay_seconds)


class Suppressions:
    def reason_not_to_mail(self, tenant_id: str, address: str) -> str | None:
        return None

    def suppress(self, tenant_id: str, address: str, reason: str, now: datetime) -> None:
        raise NotImplementedError


class Sender:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.down = False

    def send(
        self, message: EmailMessage, source: str, recipient: str, *, tags: Mapping[str, str] | None = None
    ) -> str:
        if self.down:
            raise DependencyUnavailable("Sending the mail failed: throttled")
        self.sent.append(message)
        return "0100-ses-id"


class Telemetry:
    def count(self, name: str, value: int = 1) -> None:
        pass

    def info(self, message: str, **fields: object) -> None:
        pass

    def warning(self, message: str, **fields: object) -> None:
        pass


def published(status: InvoiceStatus = InvoiceStatus.SENT) -> Invoice:
    create = InvoiceCreate(
        currency="EUR",
        contactEmail="ap@globex.test",
        rows=[RowInput(description="Consulting", quantity=Decimal(2), unitPrice=Decimal(50))],
    )
    invoice = edits.create_invoice(create, actor=ACTOR, now=NOW).invoice
    return invoice.model_copy(update={"status": status, "invoiceNumber": "INV-2026-00007"})


class World:
    def __init__(self, claim: Claim = Claim.CLAIMED, status: InvoiceStatus = InvoiceStatus.SENT) -> None:
        self.invoices, self.tenants, self.outbox = Invoices(published(status)), Tenants(), Outbox(claim)
        self.redelivery, self.sender = Redelivery(), Sender()
        self.tenant_settings = TenantSettingsStore()
        self.delivery = MailDelivery(
            self.invoices,
            self.tenants,
            Files(),
            self.outbox,
            self.redelivery,
            Suppressions(),
            self.sender,
            Telemetry(),
            POLICY,
            tenant_settings=self.tenant_settings,
            clock=lambda: NOW,
        )

    def message(self, kind: MailKind = MailKind.INVOICE) -> OutboxMessage:
        invoice = self.invoices.invoice
        return OutboxMessage("acme", invoice.id, kind, "ap@globex.test", "key-1", "alice", CLIENT_PDF)

    def deliver(self, kind: MailKind = MailKind.INVOICE, attempt: int = 1) -> None:
        self.delivery.deliver(self.message(kind), Attempt(attempt, "arn:aws:sqs:eu-central-1:1:q", "handle"))


def test_a_claimed_mail_is_sent_once_and_recorded_reading_the_tenant_once():
    world = World()

    world.deliver()

    [mail] = world.sender.sent
    assert mail["Subject"] == "Invoice INV-2026-00007 from Acme Müller GmbH"
    assert world.outbox.state is MailState.SENT
    assert world.invoices.events().count(EventType.MAIL_SENT) == 1
    assert world.tenants.reads == 1


def test_a_reminder_is_sent_under_the_tenants_reminder_sender_name_and_an_invoice_mail_is_not():
    world = World()
    world.tenant_settings.settings = TenantSettings(reminders=ReminderSettings(senderName="Acme Accounts"))

    world.deliver(MailKind.REMINDER)
    world.deliver(MailKind.INVOICE)

    reminder, invoice_mail = world.sender.sent
    assert reminder["From"].startswith("Acme Accounts <")
    assert invoice_mail["From"].startswith("Acme Müller GmbH <")
    assert world.tenant_settings.reads == 1


def test_a_reminder_without_a_reminder_sender_name_is_sent_under_the_tenants_name():
    world = World()

    world.deliver(MailKind.REMINDER)

    [reminder] = world.sender.sent
    assert reminder["From"].startswith("Acme Müller GmbH <")


def test_a_mail_already_sent_is_only_recorded_on_the_invoice():
    world = World(Claim.ALREADY_SENT)

    world.deliver()
    world.deliver()

    assert world.sender.sent == []
    assert world.invoices.events().count(EventType.MAIL_SENT) == 1


def test_a_mail_another_worker_holds_comes_back_later():
    world = World(Claim.IN_PROGRESS)

    with pytest.raises(MailInProgress):
        world.deliver()

    assert world.sender.sent == []
    assert world.redelivery.delays == [30]


def test_a_reminder_of_an_invoice_paid_meanwhile_is_cancelled_not_sent():
    world = World(status=InvoiceStatus.PAID)

    world.deliver(MailKind.REMINDER)

    assert world.sender.sent == []
    assert world.outbox.state is MailState.CANCELLED
    assert world.invoices.events().count(EventType.MAIL_CANCELLED) == 1


def test_a_failed_send_is_handed_back_with_a_growing_backoff_and_the_last_attempt_gives_up():
    world = World()
    world.sender.down = True

    for attempt in (1, 2, 3):
        with pytest.raises(DependencyUnavailable):
            world.deliver(attempt=attempt)
    assert world.outbox.state is MailState.PENDING
    with pytest.raises(DependencyUnavailable):
        world.deliver(attempt=5)

    assert world.redelivery.delays == [30, 60, 120]
    assert world.outbox.state is MailState.FAILED
    assert world.invoices.events().count(EventType.DELIVERY_FAILED) == 1
