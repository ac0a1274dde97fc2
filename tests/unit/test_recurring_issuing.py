"""The recurring job's use case over in-memory ports: every due occurrence issued once, each on its own
date; autoSend publishes and mails once; one template's failure never stops the others."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from invoicing.errors import DependencyUnavailable, InvoiceChanged, NotFound, Unprocessable
from invoicing.invoices import edits, lifecycle
from invoicing.invoices.enums import DocumentType, InvoiceStatus, InvoiceType
from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Event, Invoice, InvoiceCreate, InvoiceFields
from invoicing.recurring.issuing import Outcome, RecurringInvoices, mail_request_key
from invoicing.recurring.occurrences import (
    RECURRING_JOB_KIND,
    AlreadyAdvanced,
    advanced,
    next_issue,
    occurrence_id,
    occurrence_of,
)
from invoicing.recurring.schedule import Occurrence, Plan
from invoicing.scheduling.job_runs import JobReport

ALICE = Actor("acme", "alice")
CREATED = datetime(2027, 1, 2, 8, 0, tzinfo=UTC)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


class Invoices:
    """The invoice store's contract: conditional creates and versioned saves."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], Invoice] = {}
        self.sequences: dict[str, int] = {}
        self.failing_reads: set[str] = set()

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        if invoice_id in self.failing_reads:
            raise DependencyUnavailable("throttled")
        try:
            return self.stored[(tenant_id, invoice_id)]
        except KeyError:
            raise NotFound(invoice_id) from None

    def create(self, invoice: Invoice, event: Event) -> Invoice:
        if (invoice.tenantId, invoice.id) in self.stored:
            raise InvoiceChanged(invoice.id)
        stored = self.stored[(invoice.tenantId, invoice.id)] = invoice.model_copy(
            update={"version": 1, "events": [event]}
        )
        return stored

    def save(self, invoice: Invoice, *events: Event, previous: Invoice, number=None) -> Invoice:
        if self.stored[(invoice.tenantId, invoice.id)].version != previous.version:
            raise InvoiceChanged(invoice.id)
        stored = invoice.model_copy(
            update={"version": previous.version + len(events), "events": [*previous.events, *events]}
        )
        self.stored[(invoice.tenantId, invoice.id)] = stored
        return stored

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        return self.sequences.get(counter, 0)

    def series_of(self, template_id: str) -> list[Invoice]:
        found = [
            i for i in self.stored.values() if i.recurringTemplate and i.recurringTemplate.id == template_id
        ]
        return sorted(found, key=lambda invoice: invoice.recurringTemplate.occurrence)


class Mail:
    """Publishes a draft (numbered) and queues one mail per request key; can be told to fail."""

    def __init__(self, invoices: Invoices) -> None:
        self.invoices = invoices
        self.queued: dict[str, str] = {}
        self.fail_with: Exception | None = None

    def send(self, actor: Actor, invoice_id: str, *, request_key: str, now: datetime) -> object:
        if self.fail_with is not None:
            raise self.fail_with
        invoice = self.invoices.get(actor.tenant_id, invoice_id)
        if not invoice.contactEmail:
            raise Unprocessable("no address")
        if invoice.status is InvoiceStatus.DRAFT:
            number = lifecycle.NumberAssignment(
                "invoice", len(self.invoices.sequences) + 1, f"INV-{invoice_id[:4]}"
            )
            self.invoices.sequences[invoice_id] = 1
            published = lifecycle.publish(invoice, number, actor=actor, now=now)
            self.invoices.save(published.invoice, published.event, previous=invoice)
        self.queued.setdefault(request_key, invoice_id)
        return None


@dataclass(frozen=True)
class Entry:
    tenant_id: str
    invoice_id: str
    due: datetime


class Due:
    """Every run reads each entry; its time is the one its template plans, as the store keeps it (with
    `invoices`), else `stale_at`. `forget` removes an entry while it still says the time read."""

    def __init__(
        self, *entries: tuple[str, str], invoices: Invoices | None = None, stale_at: datetime = CREATED
    ) -> None:
        self.keys = list(entries)
        self.invoices = invoices
        self.stale_at = stale_at
        self.kinds: list[str] = []
        self.forgotten: list[str] = []

    def _entry(self, tenant_id: str, invoice_id: str) -> Entry:
        planned = None
        if self.invoices is not None and (tenant_id, invoice_id) in self.invoices.stored:
            planned = next_issue(self.invoices.stored[(tenant_id, invoice_id)])
        return Entry(tenant_id, invoice_id, planned or self.stale_at)

    @property
    def entries(self) -> list[Entry]:
        return [self._entry(*key) for key in self.keys]

    def due(self, kind: str, now: datetime) -> Iterable[Entry]:
        self.kinds.append(kind)
        return self.entries

    def forget(self, kind: str, entry: Entry, read: Invoice | None) -> bool:
        assert kind == RECURRING_JOB_KIND
        key = (entry.tenant_id, entry.invoice_id)
        if key not in self.keys or self._entry(*key) != entry:
            return False
        self.keys.remove(key)
        self.forgotten.append(entry.invoice_id)
        return True


class Telemetry:
    def __init__(self) -> None:
        self.metrics: dict[str, int] = {}
        self.warnings: list[str] = []

    def count(self, name: str, value: int = 1) -> None:
        self.metrics[name] = self.metrics.get(name, 0) + value

    def info(self, message: str, **fields: object) -> None:
        pass

    def warning(self, message: str, **fields: object) -> None:
        self.warnings.append(message)


def counts(report: JobReport) -> tuple[int, ...]:
    """issued, sent, skipped, refused, failed, postponed"""
    return tuple(
        report.counts[name] for name in ("issued", "sent", "skipped", "refused", "failed", "postponed")
    )


def template(invoices: Invoices, **agreement: object) -> Invoice:
    fields = InvoiceCreate.model_validate(
        {
            "currency": "EUR",
            "paymentTermDays": 14,
            "contactEmail": "ap@globex.test",
            "clientId": "globex",
            "note": "Monthly hosting",
            "mailBody": "Your invoice",
            "customer": {"companyName": "Globex", "email": "billing@globex.test"},
            "rows": [{"description": "Hosting", "quantity": "1", "unitPrice": "100.00", "taxRate": "19"}],
            "recurringAgreement": {
                "intervalMonths": 1,
                "nextInvoiceDate": "2027-01-31T00:00:00Z",
                **agreement,
            },
        }
    )
    change = edits.create_invoice(fields, actor=ALICE, now=CREATED)
    return invoices.create(change.invoice, change.event)


@pytest.fixture
def invoices() -> Invoices:
    return Invoices()


def job(invoices: Invoices, *templates: Invoice) -> tuple[RecurringInvoices, Mail]:
    mail = Mail(invoices)
    due = Due(*[(t.tenantId, t.id) for t in templates], invoices=invoices)
    return RecurringInvoices(invoices, due, mail, Telemetry()), mail


def test_after_a_two_month_outage_each_missed_month_end_is_issued_once_on_its_own_date(invoices):
    series = template(invoices)
    recurring, _ = job(invoices, series)

    run = recurring.issue_due(at(2027, 3, 31) + timedelta(hours=1))

    issued = invoices.series_of(series.id)
    assert [invoice.invoiceDate for invoice in issued] == [at(2027, 1, 31), at(2027, 2, 28), at(2027, 3, 31)]
    assert [invoice.dueDate for invoice in issued] == [at(2027, 2, 14), at(2027, 3, 14), at(2027, 4, 14)]
    assert [invoice.recurringTemplate.occurrence for invoice in issued] == [1, 2, 3]
    assert run.result(*Outcome) == {
        "issued": 3,
        "sent": 0,
        "skipped": 0,
        "refused": 0,
        "postponed": 0,
        "cleared": 0,
        "failed": 0,
        "failures": [],
    }
    stored = invoices.get("acme", series.id)
    assert (stored.recurringAgreement.nextInvoiceDate, stored.recurringInvoicesIssued) == (at(2027, 4, 30), 3)


def test_an_occurrence_copies_the_template_and_is_a_recurring_draft_without_the_agreement(invoices):
    series = template(invoices)
    recurring, mail = job(invoices, series)

    recurring.issue_due(at(2027, 1, 31))

    (first,) = invoices.series_of(series.id)
    assert first.id == occurrence_id("acme", series.id, 1)
    assert (first.status, first.type, first.invoiceNumber) == (
        InvoiceStatus.DRAFT,
        InvoiceType.RECURRING,
        None,
    )
    assert first.recurringAgreement is None
    assert [(row.description, row.total) for row in first.rows] == [
        (r.description, r.total) for r in series.rows
    ]
    same = (
        "currency",
        "customer",
        "contactEmail",
        "clientId",
        "paymentTermDays",
        "note",
        "mailBody",
        "total",
    )
    assert {name: getattr(first, name) for name in same} == {name: getattr(series, name) for name in same}
    assert mail.queued == {}


def test_a_second_run_issues_nothing_twice(invoices):
    series = template(invoices, autoSend=True)
    recurring, mail = job(invoices, series)
    recurring.issue_due(at(2027, 2, 28))

    again = recurring.issue_due(at(2027, 2, 28))

    assert counts(again) == (0, 0, 1, 0, 0, 0)
    assert len(invoices.series_of(series.id)) == 2
    assert len(mail.queued) == 2


def test_with_auto_send_each_occurrence_is_published_and_mailed_once(invoices):
    series = template(invoices, autoSend=True)
    recurring, mail = job(invoices, series)

    run = recurring.issue_due(at(2027, 2, 28))

    issued = invoices.series_of(series.id)
    assert [invoice.status for invoice in issued] == [InvoiceStatus.SENT, InvoiceStatus.SENT]
    assert mail.queued == {mail_request_key(invoice.id): invoice.id for invoice in issued}
    assert counts(run) == (2, 2, 0, 0, 0, 0)


def test_a_run_that_stopped_after_creating_an_occurrence_is_finished_by_the_next_once(invoices):
    series = template(invoices, autoSend=True)
    first = occurrence_of(series, Occurrence(1, at(2027, 1, 31)), actor=ALICE, now=CREATED)
    invoices.create(first.invoice, first.event)
    recurring, mail = job(invoices, series)

    run = recurring.issue_due(at(2027, 1, 31))

    assert counts(run) == (0, 1, 1, 0, 0, 0)
    assert [invoice.status for invoice in invoices.series_of(series.id)] == [InvoiceStatus.SENT]
    assert invoices.get("acme", series.id).recurringInvoicesIssued == 1
    assert list(mail.queued.values()) == [first.invoice.id]


def test_mail_that_may_pass_later_leaves_the_template_due_and_the_next_run_sends_it_once(invoices):
    series = template(invoices, autoSend=True)
    recurring, mail = job(invoices, series)
    mail.fail_with = DependencyUnavailable("queue throttled")

    failed = recurring.issue_due(at(2027, 1, 31))
    mail.fail_with = None
    resumed = recurring.issue_due(at(2027, 1, 31))

    assert counts(failed) == (1, 0, 0, 0, 1, 0)
    assert "queue throttled" in failed.failures[0]
    assert counts(resumed) == (0, 1, 1, 0, 0, 0)
    assert len(invoices.series_of(series.id)) == 1
    assert len(mail.queued) == 1


def test_mail_that_can_never_go_is_a_refusal_and_the_series_goes_on(invoices):
    series = template(invoices, autoSend=True)
    invoices.stored[("acme", series.id)] = series.model_copy(update={"contactEmail": None, "customer": None})
    recurring, _ = job(invoices, series)

    run = recurring.issue_due(at(2027, 2, 28))

    assert counts(run) == (2, 0, 0, 2, 0, 0)
    assert [invoice.status for invoice in invoices.series_of(series.id)] == [InvoiceStatus.DRAFT] * 2
    assert invoices.get("acme", series.id).recurringInvoicesIssued == 2


def test_no_occurrence_after_the_end_date(invoices):
    series = template(invoices, endDate="2027-02-28T00:00:00Z")
    recurring, _ = job(invoices, series)

    recurring.issue_due(at(2028, 1, 1))

    assert [invoice.invoiceDate for invoice in invoices.series_of(series.id)] == [
        at(2027, 1, 31),
        at(2027, 2, 28),
    ]
    assert invoices.get("acme", series.id).recurringAgreement.nextInvoiceDate is None


def test_a_cancelled_or_deleted_template_issues_nothing(invoices):
    cancelled = template(invoices)
    invoices.stored[("acme", cancelled.id)] = cancelled.model_copy(update={"status": InvoiceStatus.CANCELLED})
    recurring = RecurringInvoices(
        invoices, Due(("acme", cancelled.id), ("acme", "deleted")), Mail(invoices), Telemetry()
    )

    run = recurring.issue_due(at(2027, 6, 1))

    assert counts(run) == (0, 0, 0, 0, 0, 0)
    assert run.counts["cleared"] == 2
    assert invoices.series_of(cancelled.id) == []


def test_an_entry_whose_template_is_gone_or_no_longer_plans_it_is_removed_once(invoices):
    ended, live = template(invoices), template(invoices)
    invoices.stored[("acme", ended.id)] = ended.model_copy(update={"recurringAgreement": None})
    due = Due(("acme", "deleted"), ("acme", ended.id), ("acme", live.id), invoices=invoices)
    telemetry = Telemetry()
    recurring = RecurringInvoices(invoices, due, Mail(invoices), telemetry)

    first = recurring.issue_due(at(2027, 1, 31))
    again = recurring.issue_due(at(2027, 1, 31))

    assert (first.counts["cleared"], first.counts["issued"], first.counts["skipped"]) == (2, 1, 0)
    assert due.forgotten == ["deleted", ended.id]
    assert telemetry.metrics["RecurringCleared"] == 2
    assert (again.counts["cleared"], again.counts["issued"], again.counts["skipped"]) == (0, 0, 1)
    assert due.keys == [("acme", live.id)]


def test_an_entry_written_again_meanwhile_is_kept(invoices):
    ended = template(invoices)
    invoices.stored[("acme", ended.id)] = ended.model_copy(update={"recurringAgreement": None})
    due = Due(("acme", ended.id), invoices=invoices)

    class Rewritten(Due):
        """The template gets its agreement back between this run's read and its removal."""

        def forget(self, kind: str, entry: Entry, read: Invoice | None) -> bool:
            invoices.stored[("acme", ended.id)] = ended
            return super().forget(kind, entry, read)

    rewritten = Rewritten(*due.keys, invoices=invoices)
    run = RecurringInvoices(invoices, rewritten, Mail(invoices), Telemetry()).issue_due(at(2027, 1, 30))

    assert (run.counts["cleared"], run.counts["skipped"]) == (0, 1)
    assert rewritten.keys == [("acme", ended.id)]


def test_one_templates_failure_never_stops_the_others(invoices):
    broken, healthy = template(invoices), template(invoices)
    invoices.failing_reads.add(broken.id)
    recurring, _ = job(invoices, broken, healthy)

    run = recurring.issue_due(at(2027, 1, 31))

    assert counts(run) == (1, 0, 0, 0, 1, 0)
    assert run.failures[0].startswith(f"acme/{broken.id}: ")
    assert len(invoices.series_of(healthy.id)) == 1


def test_a_run_out_of_time_leaves_the_rest_for_the_next(invoices):
    first, second = template(invoices), template(invoices)
    recurring, _ = job(invoices, first, second)
    budget = iter([True, False, False])

    run = recurring.issue_due(at(2027, 3, 31), time_left=lambda: next(budget))
    later = recurring.issue_due(at(2027, 3, 31))

    assert counts(run) == (1, 0, 0, 0, 0, 2)
    assert counts(later) == (5, 0, 0, 0, 0, 0)
    assert [len(invoices.series_of(t.id)) for t in (first, second)] == [3, 3]


def test_the_job_reads_the_recurring_entries(invoices):
    due = Due()
    RecurringInvoices(invoices, due, Mail(invoices), Telemetry()).issue_due(at(2027, 1, 1))

    assert due.kinds == ["RECURRING"]


def test_a_plan_changed_while_an_occurrence_was_issued_still_starts_on_the_date_sent(invoices):
    series = template(invoices)
    read = Plan.of(series.recurringAgreement, 0)
    revised = edits.update_invoice(
        series,
        InvoiceFields.model_validate(
            {"recurringAgreement": {"intervalMonths": 3, "nextInvoiceDate": "2027-05-15T00:00:00Z"}}
        ),
        actor=ALICE,
        now=CREATED,
    ).invoice

    counted = advanced(revised, read, Occurrence(1, at(2027, 1, 31)), actor=ALICE, now=CREATED).invoice

    assert (counted.recurringInvoicesIssued, counted.recurringAgreement.nextInvoiceDate) == (
        1,
        at(2027, 5, 15),
    )
    plan = Plan.of(counted.recurringAgreement, 1)
    assert plan.next() == Occurrence(2, at(2027, 5, 15))
    with pytest.raises(AlreadyAdvanced):
        advanced(counted, read, Occurrence(1, at(2027, 1, 31)), actor=ALICE, now=CREATED)


def test_every_outcome_is_a_metric_and_failures_are_logged(invoices):
    broken, healthy = template(invoices), template(invoices)
    invoices.failing_reads.add(broken.id)
    telemetry = Telemetry()
    due = Due(("acme", broken.id), ("acme", healthy.id))

    RecurringInvoices(invoices, due, Mail(invoices), telemetry).issue_due(at(2027, 2, 28))

    assert telemetry.metrics == {
        "RecurringIssued": 2,
        "RecurringSent": 0,
        "RecurringSkipped": 0,
        "RecurringRefused": 0,
        "RecurringPostponed": 0,
        "RecurringCleared": 0,
        "RecurringFailed": 1,
    }
    assert telemetry.warnings == ["Recurring template failed"]


def test_an_occurrence_that_records_its_mail_is_not_asked_again(invoices):
    series = template(invoices, autoSend=True)
    first = occurrence_of(series, Occurrence(1, at(2027, 1, 31)), actor=ALICE, now=CREATED)
    invoices.create(first.invoice.model_copy(update={"sentMails": ["ap@globex.test"]}), first.event)
    recurring, mail = job(invoices, series)

    run = recurring.issue_due(at(2027, 1, 31))

    assert counts(run) == (0, 0, 1, 0, 0, 0)
    assert mail.queued == {}
    assert invoices.get("acme", series.id).recurringInvoicesIssued == 1


def test_an_agreement_removed_and_given_again_issues_new_invoices_never_taken_for_issued(invoices):
    series = template(invoices)
    recurring, _ = job(invoices, series)
    recurring.issue_due(at(2027, 2, 28))

    for agreement in (None, {"intervalMonths": 1, "nextInvoiceDate": "2027-06-30T00:00:00Z"}):
        current = invoices.get("acme", series.id)
        change = edits.update_invoice(
            current, InvoiceFields.model_validate({"recurringAgreement": agreement}), actor=ALICE, now=CREATED
        )
        invoices.save(change.invoice, change.event, previous=current)
    run = recurring.issue_due(at(2027, 6, 30))

    assert counts(run) == (1, 0, 0, 0, 0, 0)
    issued = invoices.series_of(series.id)
    assert [(i.recurringTemplate.occurrence, i.invoiceDate) for i in issued] == [
        (1, at(2027, 1, 31)),
        (2, at(2027, 2, 28)),
        (3, at(2027, 6, 30)),
    ]


def test_the_job_is_due_for_a_live_template_at_its_next_date_only(invoices):
    series = template(invoices, endDate="2027-02-28T00:00:00Z")

    assert next_issue(series) == at(2027, 1, 31)
    assert next_issue(series.model_copy(update={"status": InvoiceStatus.CANCELLED})) is None
    assert next_issue(series.model_copy(update={"documentType": DocumentType.CREDIT_NOTE})) is None
    assert next_issue(series.model_copy(update={"recurringInvoicesIssued": 2})) is None
    recurring, _ = job(invoices, series)
    recurring.issue_due(at(2027, 1, 31))
    (first,) = invoices.series_of(series.id)
    assert next_issue(invoices.get("acme", series.id)) == at(2027, 2, 28)
    assert next_issue(first) is None


def test_a_template_years_behind_takes_several_runs_and_never_a_run_from_the_others(invoices):
    behind = template(invoices, intervalDays=1, intervalMonths=0)
    on_time = template(invoices, nextInvoiceDate="2027-03-31T00:00:00Z")
    due = Due(("acme", behind.id), ("acme", on_time.id))
    recurring = RecurringInvoices(invoices, due, Mail(invoices), Telemetry(), per_run=30)

    first = recurring.issue_due(at(2027, 3, 31))
    runs = [recurring.issue_due(at(2027, 3, 31)) for _ in range(2)]

    assert counts(first) == (31, 0, 0, 0, 0, 1)
    assert len(invoices.series_of(on_time.id)) == 1
    assert [counts(run)[0] for run in runs] == [30, 0]
    dates = [invoice.invoiceDate for invoice in invoices.series_of(behind.id)]
    assert dates == [at(2027, 1, 31) + timedelta(days=day) for day in range(60)]
