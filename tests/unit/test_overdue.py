"""The overdue rules without storage: due-ness, the cadence and its catch-up rule, the late fee,
and the job's use case over in-memory ports (exactly once, one failure never stops the others)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from invoicing.adapters.invoice_jobs import DueInvoice
from invoicing.errors import DependencyUnavailable, InvoiceChanged, NotFound, Unprocessable
from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.enums import EventType, InvoiceStatus, PaymentMethod, RowType
from invoicing.invoices.figures import figures_delta
from invoicing.invoices.lifecycle import NumberingPolicy
from invoicing.invoices.model import Event, Invoice, InvoiceCreate, ReminderStep, RowInput
from invoicing.overdue.cadence import is_past_due, overdue_job_due_at, plan_reminders
from invoicing.overdue.job import OverdueJob
from invoicing.overdue.late_fee import late_fee_amount, with_late_fee
from invoicing.overdue.policy import LateFee, LateFeeType, ReminderSettings
from invoicing.overdue.steps import overdue_step

ISSUED = datetime(2026, 11, 1, tzinfo=UTC)
DUE = datetime(2026, 11, 15, tzinfo=UTC)
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")
JOB = kernel.Actor(tenant_id="acme", subject="system:overdue-job")
DEFAULT = ReminderSettings()


def sent(total: str = "100", **fields: object) -> Invoice:
    create = InvoiceCreate(
        currency="EUR",
        paymentTermDays=14,
        invoiceDate=ISSUED,
        contactEmail="buyer@example.com",
        rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal(total))],
        **fields,
    )
    draft = edits.create_invoice(create, actor=ACTOR, now=ISSUED).invoice
    number = lifecycle.next_number(NumberingPolicy(), 2026, 0)
    return lifecycle.publish(draft, number, actor=ACTOR, now=ISSUED).invoice


def days(n: float) -> datetime:
    return DUE + timedelta(days=n)


def step(invoice: Invoice, now: datetime, policy: ReminderSettings = DEFAULT, *, reminded: bool = True):
    return overdue_step(invoice, policy, now, actor=JOB, reminded=reminded)


# --- due-ness and the cadence ------------------------------------------------------------------


def test_an_invoice_is_past_due_once_its_due_date_has_passed_while_it_is_owed():
    invoice = sent()

    assert invoice.dueDate == DUE
    assert not is_past_due(invoice, DUE)
    assert is_past_due(invoice, DUE + timedelta(seconds=1))
    partly = lifecycle.add_payment(
        invoice, Decimal(10), ISSUED, PaymentMethod.CASH, actor=ACTOR, now=ISSUED
    ).invoice
    assert partly.status is InvoiceStatus.PARTIALLY_PAID
    assert is_past_due(partly, days(1))
    paid = lifecycle.mark_as_paid(invoice, ISSUED, actor=ACTOR, now=ISSUED).invoice
    assert not is_past_due(paid, days(1))


def test_the_default_cadence_is_1_7_and_14_days_after_the_due_date():
    plan = plan_reminders(DUE, DEFAULT.cadenceDays, None, days(0.5))

    assert plan.due is None
    assert plan.next == ReminderStep(step=1, daysAfterDue=1, at=days(1))
    assert plan_reminders(DUE, DEFAULT.cadenceDays, None, days(1)).due == ReminderStep(
        step=1, daysAfterDue=1, at=days(1)
    )


def test_catch_up_acts_on_the_latest_step_that_fell_due_only():
    after_an_outage = plan_reminders(DUE, [1, 7, 14], None, days(10))

    assert after_an_outage.due == ReminderStep(step=2, daysAfterDue=7, at=days(7))
    assert after_an_outage.next == ReminderStep(step=3, daysAfterDue=14, at=days(14))


def test_a_step_at_or_before_the_last_one_is_never_acted_on_again():
    last = ReminderStep(step=2, daysAfterDue=7, at=days(7))

    assert plan_reminders(DUE, [1, 7, 14], last, days(13)).due is None
    assert plan_reminders(DUE, [1, 7, 14], last, days(30)).due == ReminderStep(
        step=3, daysAfterDue=14, at=days(14)
    )
    assert plan_reminders(DUE, [1, 7, 14], ReminderStep(step=3, daysAfterDue=14, at=days(14)), days(99)) == (
        plan_reminders(DUE, [], None, days(99))
    )


def test_a_changed_cadence_counts_steps_by_their_days_after_the_due_date():
    last = ReminderStep(step=2, daysAfterDue=7, at=days(7))

    plan = plan_reminders(DUE, [3, 5, 10], last, days(8))

    assert (plan.due, plan.next) == (None, ReminderStep(step=3, daysAfterDue=10, at=days(10)))


@pytest.mark.parametrize(
    ("cadence", "field"),
    [([7, 1], "cadenceDays"), ([1, 1], "cadenceDays"), (list(range(11)), "cadenceDays"), ([], "cadenceDays")],
)
def test_a_cadence_is_increasing_and_has_one_to_ten_steps(cadence, field):
    with pytest.raises(ValueError, match=field):
        ReminderSettings(cadenceDays=cadence)


def test_a_late_fee_is_off_by_default_and_a_percentage_is_at_most_100():
    assert DEFAULT.lateFee is None
    assert DEFAULT.enabled
    with pytest.raises(ValueError, match="at most 100"):
        LateFee(type=LateFeeType.PERCENTAGE, amount=Decimal(101))


# --- when the job looks at an invoice ----------------------------------------------------------


def test_the_job_looks_at_an_owed_invoice_at_its_due_date_and_at_each_planned_step():
    invoice = sent()
    assert overdue_job_due_at(invoice) == DUE

    moved = step(invoice, days(0.5))
    assert moved is not None
    assert overdue_job_due_at(moved.invoice) == days(1)
    done = moved.invoice.model_copy(update={"nextReminder": None, "lastReminder": moved.invoice.nextReminder})
    assert overdue_job_due_at(done) is None
    assert (
        overdue_job_due_at(lifecycle.mark_as_paid(invoice, ISSUED, actor=ACTOR, now=ISSUED).invoice) is None
    )


# --- one invoice's step -------------------------------------------------------------------------


def test_the_first_run_after_the_due_date_moves_the_invoice_to_overdue_and_plans_step_1():
    result = step(sent(), days(0.5))

    assert result is not None
    assert result.moved
    assert result.reached is None
    invoice = result.invoice
    assert invoice.status is InvoiceStatus.OVERDUE
    assert invoice.nextReminder == ReminderStep(step=1, daysAfterDue=1, at=days(1))
    assert invoice.overdueNotifiedAt is None
    assert [event.type for event in result.events] == [EventType.STATUS_CHANGED]
    assert figures_delta(sent(), invoice).amounts == {"EUR": {"overdue": Decimal(100)}}


def test_a_step_reached_records_it_and_the_first_reminder_sets_overdue_notified_at():
    moved = step(sent(), days(0.5))
    assert moved is not None

    reached = step(moved.invoice, days(1))

    assert reached is not None
    assert reached.reached == ReminderStep(step=1, daysAfterDue=1, at=days(1))
    assert reached.invoice.lastReminder == reached.reached
    assert reached.invoice.nextReminder == ReminderStep(step=2, daysAfterDue=7, at=days(7))
    assert reached.invoice.overdueNotifiedAt == days(1)
    assert [event.type for event in reached.events] == [EventType.REMINDER_STEP]
    second = step(reached.invoice, days(7))
    assert second is not None
    assert second.invoice.overdueNotifiedAt == days(1)


def test_nothing_is_done_twice_and_nothing_before_the_due_date():
    assert step(sent(), DUE) is None
    moved = step(sent(), days(0.5))
    assert moved is not None
    assert step(moved.invoice, days(0.6)) is None
    reached = step(moved.invoice, days(2))
    assert reached is not None
    assert step(reached.invoice, days(2)) is None


def test_a_paid_or_cancelled_invoice_takes_no_step():
    invoice = sent()
    paid = lifecycle.mark_as_paid(invoice, ISSUED, actor=ACTOR, now=ISSUED).invoice
    cancelled = lifecycle.cancel(invoice, actor=ACTOR, now=ISSUED).invoice

    assert step(paid, days(30)) is None
    assert step(cancelled, days(30)) is None


def test_an_invoice_backdated_past_every_step_gets_the_last_step_at_once():
    result = step(sent(), days(365))

    assert result is not None
    assert result.moved
    assert result.reached == ReminderStep(step=3, daysAfterDue=14, at=days(14))
    assert result.invoice.nextReminder is None
    assert overdue_job_due_at(result.invoice) is None


def test_reminders_off_still_walk_the_cadence_without_mail():
    off = ReminderSettings(enabled=False)
    moved = step(sent(), days(8), off, reminded=False)

    assert moved is not None
    assert moved.reached is not None
    assert moved.invoice.overdueNotifiedAt is None
    assert "no reminder mailed" in moved.events[-1].description


# --- late fee ------------------------------------------------------------------------------------


def test_a_fixed_late_fee_is_one_fee_row_per_step_priced_by_the_calculator():
    fee = ReminderSettings(lateFee=LateFee(type=LateFeeType.FIXED, amount=Decimal("5")))
    moved = step(sent(), days(1), fee)
    assert moved is not None
    assert moved.fee_added

    invoice = moved.invoice
    fee_rows = [row for row in invoice.rows if row.type is RowType.FEE]
    assert [(row.id, row.total) for row in fee_rows] == [("late-fee-1d", Decimal("5.00"))]
    assert (invoice.total, invoice.amountDue, invoice.status) == (
        Decimal("105.00"),
        Decimal("105.00"),
        InvoiceStatus.OVERDUE,
    )
    assert invoice.dueDate == DUE
    assert fee.lateFee is not None
    assert moved.reached is not None
    assert with_late_fee(invoice, fee.lateFee, moved.reached) is invoice
    later = step(invoice, days(7), fee)
    assert later is not None
    assert later.invoice.total == Decimal("110.00")


def test_a_percentage_late_fee_is_of_the_balance_rounded_to_the_currency():
    invoice = lifecycle.add_payment(
        sent("99.99"), Decimal("33.33"), ISSUED, PaymentMethod.CASH, actor=ACTOR, now=ISSUED
    ).invoice
    fee = LateFee(type=LateFeeType.PERCENTAGE, amount=Decimal("2.5"))

    assert late_fee_amount(fee, invoice) == Decimal("1.67")


# --- the job over in-memory ports ----------------------------------------------------------------


class MemoryInvoices:
    """The invoice store's contract: a save wins only over the version it read."""

    def __init__(self, *invoices: Invoice) -> None:
        self.invoices = {invoice.id: invoice.model_copy(update={"version": 1}) for invoice in invoices}
        self.fail_on: set[str] = set()

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        if invoice_id in self.fail_on:
            raise DependencyUnavailable("the table is throttling")
        if invoice_id not in self.invoices:
            raise NotFound(invoice_id)
        return self.invoices[invoice_id]

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number=None) -> Invoice:
        if self.invoices[invoice.id].version != previous.version:
            raise InvoiceChanged("changed")
        assert events
        stored = invoice.model_copy(
            update={"version": previous.version + len(events), "events": [*previous.events, *events]}
        )
        self.invoices[invoice.id] = stored
        return stored

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return 0


class DueEverything:
    def __init__(self, store: MemoryInvoices) -> None:
        self.store = store

    def due(self, kind: str, now: datetime):
        for invoice in list(self.store.invoices.values()):
            at = overdue_job_due_at(invoice)
            if at is not None and at <= now:
                yield DueInvoice(invoice.tenantId, invoice.id, at)

    def forget(self, kind: str, entry: DueInvoice, read: Invoice | None) -> bool:
        raise AssertionError(f"an entry derived from its invoice is never stale: {entry}")


class StoredEntries:
    """Entries as stored, each with the time it says; `forget` removes one only while it still says
    the time read (the adapter's condition)."""

    def __init__(self, *entries: DueInvoice) -> None:
        self.stored = {entry.invoice_id: entry for entry in entries}
        self.read = list(entries)
        self.forgotten: list[str] = []

    def due(self, kind: str, now: datetime):
        return [entry for entry in self.read if entry.invoice_id in self.stored and entry.due <= now]

    def forget(self, kind: str, entry: DueInvoice, read: Invoice | None) -> bool:
        assert kind == "OVERDUE"
        if self.stored.get(entry.invoice_id) != entry:
            return False
        del self.stored[entry.invoice_id]
        self.forgotten.append(entry.invoice_id)
        return True


class Mailer:
    def __init__(self, store: MemoryInvoices) -> None:
        self.store = store
        self.keys: list[str] = []

    def remind(self, actor, invoice_id: str, *, request_key: str, now: datetime) -> object:
        if self.store.invoices[invoice_id].contactEmail is None:
            raise Unprocessable("no address")
        if request_key not in self.keys:
            self.keys.append(request_key)
        return None


class Notes:
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.counts: dict[str, int] = {}

    def count(self, name: str, value: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + value

    def info(self, message: str, **fields: object) -> None:
        pass

    def warning(self, message: str, **fields: object) -> None:
        self.warnings.append(message)


def job(store: MemoryInvoices, mailer: Mailer, policy: ReminderSettings = DEFAULT) -> OverdueJob:
    return OverdueJob(
        store, DueEverything(store), lambda tenant: policy, mailer, Notes(), sleep=lambda _: None
    )


def test_the_job_moves_reminds_on_the_cadence_and_reruns_change_nothing():
    invoice = sent()
    store = MemoryInvoices(invoice)
    mailer = Mailer(store)

    assert job(store, mailer).run(days(0.5)).counts() == {
        "moved": 1,
        "reminded": 0,
        "fees": 0,
        "skipped": 0,
        "postponed": 0,
        "cleared": 0,
        "failed": 0,
    }
    assert job(store, mailer).run(days(1)).reminded == 1
    assert job(store, mailer).run(days(1)).counts()["reminded"] == 0
    assert job(store, mailer).run(days(20)).reminded == 1
    assert mailer.keys == [f"overdue-reminder:{invoice.id}:1d", f"overdue-reminder:{invoice.id}:14d"]
    assert store.invoices[invoice.id].lastReminder == ReminderStep(step=3, daysAfterDue=14, at=days(14))


def test_after_an_outage_the_job_sends_one_reminder_the_latest():
    invoice = sent()
    store = MemoryInvoices(invoice)
    mailer = Mailer(store)

    report = job(store, mailer).run(days(10))

    assert (report.moved, report.reminded) == (1, 1)
    assert mailer.keys == [f"overdue-reminder:{invoice.id}:7d"]


def test_a_run_that_loses_the_race_finds_the_step_taken():
    invoice = sent()
    store = MemoryInvoices(invoice)
    mailer = Mailer(store)

    class RivalFirst(MemoryInvoices):
        """Another run writes the same step between this run's read and its write."""

        rival_ran = False

        def save(self, invoice: Invoice, *events: Event, previous: Invoice, number=None) -> Invoice:
            if not self.rival_ran:
                self.rival_ran = True
                assert job(store, mailer).run(days(1)).reminded == 1
            return super().save(invoice, *events, previous=previous)

    racing = RivalFirst()
    racing.invoices = store.invoices
    report = job(racing, mailer).run(days(1))

    assert report.counts() == {
        "moved": 0,
        "reminded": 0,
        "fees": 0,
        "skipped": 1,
        "postponed": 0,
        "cleared": 0,
        "failed": 0,
    }
    assert mailer.keys == [f"overdue-reminder:{invoice.id}:1d"]
    types = [event.type for event in store.invoices[invoice.id].events]
    assert types == [EventType.STATUS_CHANGED, EventType.REMINDER_STEP]


def test_one_invoice_failing_never_stops_the_others():
    broken, fine, unmailable = sent(), sent(), sent()
    unmailable = unmailable.model_copy(update={"contactEmail": None})
    store = MemoryInvoices(broken, fine, unmailable)
    store.fail_on.add(broken.id)
    mailer = Mailer(store)

    report = job(store, mailer).run(days(1))

    assert (report.failed, report.moved, report.reminded) == (1, 2, 1)
    assert report.failures[0].startswith(f"acme/{broken.id}")
    assert store.invoices[unmailable.id].lastReminder is not None


def test_a_run_short_of_time_leaves_the_rest_due_for_the_next():
    first, second = sent(), sent()
    store = MemoryInvoices(first, second)
    mailer = Mailer(store)
    budget = iter([True, False])

    report = job(store, mailer).run(days(1), time_left=lambda: next(budget))

    assert (report.moved, report.postponed) == (1, 1)
    assert job(store, mailer).run(days(1)).moved == 1
    assert {invoice.status for invoice in store.invoices.values()} == {InvoiceStatus.OVERDUE}


def test_an_entry_whose_invoice_is_gone_or_no_longer_owed_is_removed_once():
    owed, paid = sent(), sent()
    paid = lifecycle.mark_as_paid(paid, ISSUED, actor=ACTOR, now=ISSUED).invoice
    store = MemoryInvoices(owed, paid)
    entries = StoredEntries(
        DueInvoice("acme", "gone", DUE), DueInvoice("acme", paid.id, DUE), DueInvoice("acme", owed.id, DUE)
    )
    notes = Notes()
    run = OverdueJob(store, entries, lambda tenant: DEFAULT, Mailer(store), notes, sleep=lambda _: None).run

    report = run(days(0.5))

    assert (report.cleared, report.moved, report.skipped) == (2, 1, 0)
    assert entries.forgotten == ["gone", paid.id]
    assert notes.counts["OverdueCleared"] == 2
    assert [entry.invoice_id for entry in entries.due("OVERDUE", days(0.5))] == [owed.id]


def test_an_entry_written_again_meanwhile_is_kept():
    paid = lifecycle.mark_as_paid(sent(), ISSUED, actor=ACTOR, now=ISSUED).invoice
    store = MemoryInvoices(paid)
    entries = StoredEntries(DueInvoice("acme", paid.id, DUE))
    entries.stored[paid.id] = DueInvoice("acme", paid.id, days(7))

    report = OverdueJob(store, entries, lambda tenant: DEFAULT, Mailer(store), Notes()).run(days(0.5))

    assert (report.cleared, report.skipped) == (0, 1)
    assert entries.stored[paid.id].due == days(7)
