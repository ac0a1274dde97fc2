"""Scheduled sending's rules and its send use case, with in-memory ports: a send fires once, for the
time the invoice is scheduled for, and a send that stopped halfway is finished, never repeated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from invoicing.errors import Conflict, InvoiceChanged, NotFound, QuotaExceeded, Unprocessable
from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.model import Event, Invoice, InvoiceCreate, InvoiceFields, RowInput
from invoicing.scheduling import sending
from invoicing.scheduling.delivery import ScheduledSending, SendOutcome
from invoicing.scheduling.job_runs import JobReport, run_time
from invoicing.scheduling.send_time import follow_invoice_date, send_time
from invoicing.tenants.model import NewTenant
from invoicing.tenants.settings import StoredSettings, TenantSettings
from tests.fakes import InMemoryTenantRepository

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")


def draft(**fields: object) -> Invoice:
    create = InvoiceCreate(
        currency="EUR",
        contactEmail="ap@globex.test",
        invoiceDate=datetime(2026, 12, 5, tzinfo=UTC),
        rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal("100"))],
        **fields,  # type: ignore[arg-type]
    )
    return edits.create_invoice(create, actor=ACTOR, now=NOW).invoice


def scheduled(at: datetime = AT, **fields: object) -> Invoice:
    change = sending.schedule(
        draft(**fields), at, follows_invoice_date=False, client_pdf=None, actor=ACTOR, now=NOW
    )
    return change.invoice


# --- the rules -------------------------------------------------------------------------------------


def test_the_send_time_is_the_one_asked_for_else_the_invoice_date_and_must_be_in_the_future():
    invoice = draft()

    assert send_time(AT, invoice, NOW) == AT
    assert send_time(None, invoice, NOW) == invoice.invoiceDate
    with pytest.raises(Unprocessable) as refused:
        send_time(NOW, invoice, NOW)
    assert "sendAt" in refused.value.field_errors
    with pytest.raises(Unprocessable):
        send_time(None, invoice.model_copy(update={"invoiceDate": None}), NOW)


def test_scheduling_a_draft_plans_its_send_without_a_number():
    invoice = scheduled()

    assert (invoice.status, invoice.scheduledSendAt, invoice.invoiceNumber) == (
        InvoiceStatus.SCHEDULED,
        AT,
        None,
    )
    assert sending.send_due(invoice) == AT


def test_only_a_draft_with_rows_and_an_address_can_be_scheduled():
    with pytest.raises(Conflict):
        sending.schedule(scheduled(), AT, follows_invoice_date=False, client_pdf=None, actor=ACTOR, now=NOW)
    without_rows = draft().model_copy(update={"rows": []})
    with pytest.raises(Conflict):
        sending.schedule(without_rows, AT, follows_invoice_date=False, client_pdf=None, actor=ACTOR, now=NOW)
    without_address = draft().model_copy(update={"contactEmail": None, "customer": None})
    with pytest.raises(Unprocessable):
        sending.schedule(
            without_address, AT, follows_invoice_date=False, client_pdf=None, actor=ACTOR, now=NOW
        )


def test_unscheduling_makes_a_draft_again_and_nothing_is_planned():
    invoice = sending.unschedule(scheduled(), actor=ACTOR, now=NOW).invoice

    assert (invoice.status, invoice.scheduledSendAt) == (InvoiceStatus.DRAFT, None)
    assert sending.send_due(invoice) is None
    with pytest.raises(Conflict):
        sending.unschedule(invoice, actor=ACTOR, now=NOW)


def test_a_send_fires_only_for_the_time_scheduled_and_once_it_has_come():
    invoice = scheduled()

    with pytest.raises(sending.NotDue):
        sending.fire(invoice, AT, actor=ACTOR, now=AT - timedelta(seconds=1))
    with pytest.raises(sending.NotDue):
        sending.fire(invoice, AT + timedelta(hours=1), actor=ACTOR, now=AT + timedelta(hours=2))
    fired = sending.fire(invoice, AT, actor=ACTOR, now=AT)
    assert fired.event.id == sending.fired_event_id(invoice.id, AT)


def test_a_cancelled_invoice_has_no_send_planned():
    assert sending.send_due(scheduled().model_copy(update={"status": InvoiceStatus.CANCELLED})) is None


def test_an_invoice_sent_on_its_date_follows_a_new_date_that_stays_in_the_future():
    invoice = sending.schedule(
        draft(),
        datetime(2026, 12, 5, tzinfo=UTC),
        follows_invoice_date=True,
        client_pdf=None,
        actor=ACTOR,
        now=NOW,
    ).invoice
    later = datetime(2026, 12, 20, tzinfo=UTC)

    moved = edits.update_invoice(invoice, InvoiceFields(invoiceDate=later), actor=ACTOR, now=NOW).invoice

    assert moved.scheduledSendAt == later
    with pytest.raises(Unprocessable):
        follow_invoice_date(invoice.model_copy(update={"invoiceDate": NOW - timedelta(days=1)}), NOW)
    fixed = scheduled()
    assert (
        edits.update_invoice(
            fixed, InvoiceFields(invoiceDate=later), actor=ACTOR, now=NOW
        ).invoice.scheduledSendAt
        == AT
    )


def test_a_job_takes_its_time_from_its_event_never_the_clock():
    assert run_time({"time": "2026-12-01T09:00:00Z"}) == AT
    assert run_time({"time": "2026-12-01T09:00:00"}) == AT
    with pytest.raises(Exception, match="time"):
        run_time({})


def test_a_job_report_names_every_outcome_and_the_failures():
    report = JobReport()
    report.add("sent")
    report.fail("acme/1")

    assert report.result("sent", "skipped") == {"sent": 1, "skipped": 0, "failed": 1, "failures": ["acme/1"]}


# --- the send --------------------------------------------------------------------------------------


class Invoices:
    """A tenant's invoices with optimistic versions; `lose_next_save` makes the next save lose a race."""

    def __init__(self, *invoices: Invoice) -> None:
        self.invoices = {invoice.id: invoice for invoice in invoices}
        self.lose_next_save: Invoice | None = None

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        if invoice_id not in self.invoices:
            raise NotFound(invoice_id)
        return self.invoices[invoice_id]

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number: object = None) -> Invoice:
        if self.lose_next_save is not None:
            self.invoices[invoice.id], self.lose_next_save = self.lose_next_save, None
            raise InvoiceChanged("another request won")
        if self.invoices[invoice.id].version != previous.version:
            raise InvoiceChanged("changed")
        stored = invoice.model_copy(
            update={"version": previous.version + len(events), "events": [*previous.events, *events]}
        )
        self.invoices[stored.id] = stored
        return stored

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return sum(1 for invoice in self.invoices.values() if invoice.invoiceNumber)


@dataclass
class Mail:
    sent: list[tuple[str, str, str | None]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    def send(
        self,
        actor: kernel.Actor,
        invoice_id: str,
        *,
        request_key: str,
        now: datetime,
        client_pdf_blob_id=None,
    ) -> object:
        if self.failures:
            raise self.failures.pop(0)
        if (invoice_id, request_key, client_pdf_blob_id) not in self.sent:
            self.sent.append((invoice_id, request_key, client_pdf_blob_id))
        return None


class Settings:
    def get(self, tenant_id: str) -> StoredSettings:
        return StoredSettings(TenantSettings(), 0)


@dataclass
class Due:
    """The entries a sweep reads (each due at AT unless it says), and what is stored now: `forget`
    removes an entry only while the stored one says the time read (the adapter's condition)."""

    entries: list[tuple[str, str] | tuple[str, str, datetime]] = field(default_factory=list)
    stored: dict[str, datetime] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for entry in self.read():
            self.stored.setdefault(entry.invoice_id, entry.due)

    def read(self) -> list[DueEntry]:
        return [DueEntry(*entry) for entry in self.entries]

    def due(self, kind: str, now: datetime) -> list[DueEntry]:
        assert kind == sending.SEND_JOB
        return [entry for entry in self.read() if entry.invoice_id in self.stored]

    def forget(self, kind: str, entry: DueEntry, read: Invoice | None) -> bool:
        assert kind == sending.SEND_JOB
        if self.stored.get(entry.invoice_id) != entry.due:
            return False
        del self.stored[entry.invoice_id]
        self.forgotten.append(entry.invoice_id)
        return True


@dataclass(frozen=True)
class DueEntry:
    tenant_id: str
    invoice_id: str
    due: datetime = AT


class Telemetry:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def count(self, name: str, value: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + value

    def info(self, message: str, **fields: object) -> None:
        pass

    def warning(self, message: str, **fields: object) -> None:
        pass


def use_case(invoices: Invoices, mail: Mail | None = None, due: Due | None = None) -> ScheduledSending:
    tenants = InMemoryTenantRepository()
    tenants.create_tenant(NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), created=NOW)
    return ScheduledSending(
        invoices, tenants, Settings(), mail or Mail(), due or Due(), Telemetry(), sleep=lambda seconds: None
    )


def test_the_send_publishes_queues_the_mail_and_completes_once():
    invoice = scheduled()
    invoices, mail = Invoices(invoice), Mail()
    sender = use_case(invoices, mail)

    assert sender.send("acme", invoice.id, AT, AT) is SendOutcome.SENT
    assert sender.send("acme", invoice.id, AT, AT + timedelta(minutes=1)) is SendOutcome.SKIPPED
    sent = invoices.get("acme", invoice.id)
    assert (sent.status, sent.invoiceNumber, sent.scheduledSendAt) == (
        InvoiceStatus.SENT,
        "INV-2026-00001",
        None,
    )
    assert mail.sent == [(invoice.id, sending.mail_request_key(invoice.id, AT), None)]
    assert sending.send_due(sent) is None


def test_a_send_that_stopped_after_publishing_is_finished_by_the_next_run_not_repeated():
    invoice = scheduled()
    invoices, mail = Invoices(invoice), Mail(failures=[QuotaExceeded("spent", retry_after_seconds=60)])
    sender = use_case(invoices, mail, Due([("acme", invoice.id)]))

    with pytest.raises(QuotaExceeded):
        sender.send("acme", invoice.id, AT, AT)
    halfway = invoices.get("acme", invoice.id)
    report = sender.sweep(AT + timedelta(minutes=5))

    assert (halfway.status, sending.send_due(halfway)) == (InvoiceStatus.SENT, AT)
    assert report.result(*SendOutcome)["sent"] == 1
    assert invoices.get("acme", invoice.id).invoiceNumber == halfway.invoiceNumber
    assert len(mail.sent) == 1


def test_a_send_that_loses_to_an_unschedule_sends_nothing():
    invoice = scheduled()
    invoices, mail = Invoices(invoice), Mail()
    invoices.lose_next_save = sending.unschedule(invoice, actor=ACTOR, now=AT).invoice.model_copy(
        update={"version": invoice.version + 1}
    )

    assert use_case(invoices, mail).send("acme", invoice.id, AT, AT) is SendOutcome.SKIPPED
    assert invoices.get("acme", invoice.id).status is InvoiceStatus.DRAFT
    assert mail.sent == []


def test_a_moved_schedule_fires_for_nothing_and_the_new_time_is_sent_when_it_comes():
    invoice = scheduled(AT + timedelta(days=1))
    invoices, mail = Invoices(invoice), Mail()
    sender = use_case(invoices, mail)

    assert sender.send("acme", invoice.id, AT, AT) is SendOutcome.SKIPPED
    assert sender.send("acme", invoice.id, None, AT + timedelta(days=1)) is SendOutcome.SENT
    assert len(mail.sent) == 1


def test_a_mail_that_cannot_go_out_still_completes_the_send_and_says_why():
    invoice = scheduled()
    invoices = Invoices(invoice)

    outcome = use_case(invoices, Mail(failures=[Unprocessable("address suppressed")])).send(
        "acme", invoice.id, AT, AT
    )

    assert outcome is SendOutcome.SENT
    assert "address suppressed" in invoices.get("acme", invoice.id).events[-1].description


def test_the_sweep_reports_each_failure_and_goes_on():
    first, second = scheduled(), scheduled()
    invoices = Invoices(first, second)
    mail = Mail(failures=[RuntimeError("queue down")])
    sender = use_case(invoices, mail, Due([("acme", first.id), ("acme", "gone"), ("acme", second.id)]))

    result = sender.sweep(AT).result(*SendOutcome)

    assert (result["sent"], result["cleared"], result["failed"]) == (1, 1, 1)
    assert result["failures"] == [f"acme/{first.id}"]


def test_the_sweep_removes_once_an_entry_whose_invoice_is_gone_or_no_longer_plans_that_send():
    unscheduled, moved_later = draft(), scheduled(AT + timedelta(hours=1))
    invoices = Invoices(unscheduled, moved_later)
    due = Due([("acme", "gone"), ("acme", unscheduled.id), ("acme", moved_later.id)])
    sender = use_case(invoices, Mail(), due)

    first = sender.sweep(AT + timedelta(minutes=5)).result(*SendOutcome)
    again = sender.sweep(AT + timedelta(minutes=5)).result(*SendOutcome)

    assert (first["cleared"], first["gone"], first["skipped"]) == (3, 0, 0)
    assert due.forgotten == ["gone", unscheduled.id, moved_later.id]
    assert sender.telemetry.counts["ScheduledSendCleared"] == 3  # type: ignore[attr-defined]
    assert (again["cleared"], again["gone"], again["skipped"]) == (0, 0, 0)


def test_an_entry_written_again_meanwhile_is_kept():
    moved_later = scheduled(AT + timedelta(hours=1))
    due = Due([("acme", moved_later.id, AT)], stored={moved_later.id: AT + timedelta(hours=1)})
    sender = use_case(Invoices(moved_later), Mail(), due)

    result = sender.sweep(AT + timedelta(minutes=5)).result(*SendOutcome)

    assert (result["cleared"], result["skipped"]) == (0, 1)
    assert due.stored == {moved_later.id: AT + timedelta(hours=1)}


def test_an_entry_its_invoice_still_plans_is_never_removed():
    later = scheduled(AT + timedelta(hours=1))
    due = Due([("acme", later.id, AT + timedelta(hours=1))])
    sender = use_case(Invoices(later), Mail(), due)

    result = sender.sweep(AT).result(*SendOutcome)

    assert (result["cleared"], result["skipped"]) == (0, 1)
    assert due.forgotten == []


def test_a_sweep_out_of_time_leaves_the_rest_due_as_postponed():
    first, second = scheduled(), scheduled()
    invoices, mail = Invoices(first, second), Mail()
    sender = use_case(invoices, mail, Due([("acme", first.id), ("acme", second.id)]))
    answers = iter([True, False])

    result = sender.sweep(AT, lambda: next(answers)).result(*SendOutcome)

    assert (result["sent"], result["postponed"]) == (1, 1)
    assert sending.send_due(invoices.get("acme", second.id)) == AT


def test_publishing_a_scheduled_invoice_by_hand_drops_its_plan_but_its_own_send_keeps_it():
    invoice = scheduled()
    number = lifecycle.NumberAssignment("invoice#2026", 1, "INV-2026-00001")

    by_hand = lifecycle.publish(invoice, number, actor=ACTOR, now=NOW).invoice
    fired = sending.fire(invoice, AT, actor=ACTOR, now=AT).invoice
    by_its_send = lifecycle.publish(fired, number, actor=ACTOR, now=AT).invoice

    assert (by_hand.scheduledSendAt, sending.send_due(by_hand)) == (None, None)
    assert sending.send_due(by_its_send) == AT
