"""The overdue job's use case: every invoice due for it, as of `now`, taken one step on.

The invoices come from the job entries (`JOB#OVERDUE`, found through the `DueJobs` index: every
entry due at or before `now`, however old, in proportion to what is due). For each one:
1. the reminder of the step that fell due, if reminders are on, is queued first through the mail
   use case with a key derived from the step, so asking again queues and counts nothing twice;
2. then the invoice moves (OVERDUE, the step reached, the next one planned, the late fee) in one
   conditional write, re-decided on the fresh invoice when another writer came first.
A crash between the two leaves the step due: the next run asks for the same mail (nothing new)
and records the step. A run that finds the step taken does nothing. An entry whose invoice is gone
or no longer plans the job by the entry's time is removed (`cleared`). One invoice's failure is
counted and logged, and the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from invoicing.backoff import Sleep
from invoicing.errors import ConcurrentChange, NotFound, Unprocessable
from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Invoice
from invoicing.invoices.workflow import CONCURRENT_CHANGE_RETRIES, InvoiceStore
from invoicing.overdue.cadence import overdue_job_due_at
from invoicing.overdue.policy import ReminderSettings
from invoicing.overdue.steps import OverdueStep, due_reminder, overdue_step, reminder_request_key
from invoicing.scheduling.stale_entries import is_stale

JOB_KIND = "OVERDUE"
JOB_SUBJECT = "system:overdue-job"


class DueInvoice(Protocol):
    @property
    def tenant_id(self) -> str: ...

    @property
    def invoice_id(self) -> str: ...

    @property
    def due(self) -> datetime:
        """The time the entry says (UTC, whole seconds)."""
        ...


class DueInvoices(Protocol):
    def due(self, kind: str, now: datetime) -> Iterable[DueInvoice]:
        """The invoices whose entry of `kind` is due at or before `now`."""
        ...

    def forget(self, kind: str, entry: DueInvoice, read: Invoice | None) -> bool:
        """Remove a stale entry, only if it and its invoice (`read`; None: gone) are unchanged;
        False when they changed (the entry is fresh) or it is gone already."""
        ...


class ReminderMailer(Protocol):
    """`invoicing.mail.requests.InvoiceMail`: queues a reminder once per `request_key`."""

    def remind(self, actor: Actor, invoice_id: str, *, request_key: str, now: datetime) -> object: ...


ReminderPolicies = Callable[[str], ReminderSettings]


@dataclass
class OverdueReport:
    moved: int = 0
    reminded: int = 0
    fees: int = 0
    skipped: int = 0
    postponed: int = 0
    cleared: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "moved": self.moved,
            "reminded": self.reminded,
            "fees": self.fees,
            "skipped": self.skipped,
            "postponed": self.postponed,
            "cleared": self.cleared,
            "failed": self.failed,
        }


class Telemetry(Protocol):
    def count(self, name: str, value: int = 1) -> None: ...

    def info(self, message: str, **fields: object) -> None: ...

    def warning(self, message: str, **fields: object) -> None: ...


class OverdueJob:
    def __init__(
        self,
        invoices: InvoiceStore,
        due: DueInvoices,
        policies: ReminderPolicies,
        mailer: ReminderMailer,
        telemetry: Telemetry,
        *,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._invoices = invoices
        self._due = due
        self._policies = policies
        self._mailer = mailer
        self._telemetry = telemetry
        self._sleep = sleep

    def run(self, now: datetime, *, time_left: Callable[[], bool] = lambda: True) -> OverdueReport:
        """Take every invoice due at `now` one step on, while `time_left()`: what a run leaves (its
        function about to time out), the next one finds still due."""
        report = OverdueReport()
        policies: dict[str, ReminderSettings] = {}
        for entry in self._due.due(JOB_KIND, now):
            if not time_left():
                report.postponed += 1
                continue
            try:
                if entry.tenant_id not in policies:
                    policies[entry.tenant_id] = self._policies(entry.tenant_id)
                self._advance(entry, policies[entry.tenant_id], now, report)
            except Exception as error:  # one invoice's failure, whatever it is, never stops the others
                report.failed += 1
                report.failures.append(f"{entry.tenant_id}/{entry.invoice_id}: {error}")
                self._telemetry.warning(
                    "Overdue step failed", tenant=entry.tenant_id, invoice=entry.invoice_id, error=str(error)
                )
        for outcome, value in report.counts().items():
            self._telemetry.count(f"Overdue{outcome.title()}", value)
        self._telemetry.info("Overdue job ran", now=now.isoformat(), **report.counts())
        return report

    def _advance(
        self, entry: DueInvoice, policy: ReminderSettings, now: datetime, report: OverdueReport
    ) -> None:
        actor = Actor(entry.tenant_id, JOB_SUBJECT)
        try:
            invoice: Invoice | None = self._invoices.get(entry.tenant_id, entry.invoice_id)
        except NotFound:
            invoice = None
        planned = overdue_job_due_at(invoice) if invoice is not None else None
        if is_stale(planned, entry.due) and self._due.forget(JOB_KIND, entry, invoice):
            report.cleared += 1
            return
        if invoice is None:
            report.skipped += 1
            return
        reminded = self._remind(actor, invoice, policy, now)
        # a queued reminder changed the invoice (its `reminders`): read it again before the step
        step = self._record(
            actor, invoice.id, policy, now, read=None if reminded else invoice, reminded=reminded
        )
        if step is None:
            report.skipped += 1
            return
        report.moved += step.moved
        report.reminded += reminded and step.reached is not None
        report.fees += step.fee_added

    def _remind(self, actor: Actor, invoice: Invoice, policy: ReminderSettings, now: datetime) -> bool:
        """Queue the due step's reminder; False when none is due or the invoice cannot be mailed (no
        address, a suppressed one: the step is taken all the same). A spent quota raises: the step
        stays due and a later run mails it."""
        step = due_reminder(invoice, policy, now)
        if step is None:
            return False
        try:
            self._mailer.remind(actor, invoice.id, request_key=reminder_request_key(invoice, step), now=now)
        except (Unprocessable, NotFound) as error:
            self._telemetry.warning("Reminder not mailed", invoice=invoice.id, reason=str(error))
            return False
        return True

    def _record(
        self,
        actor: Actor,
        invoice_id: str,
        policy: ReminderSettings,
        now: datetime,
        *,
        read: Invoice | None,
        reminded: bool,
    ) -> OverdueStep | None:
        """Write the step on the invoice as `read` (else as it is now), again on a fresh read if it
        changed meanwhile."""
        retries = CONCURRENT_CHANGE_RETRIES.retries(sleep=self._sleep)
        while True:
            try:
                current = read or self._invoices.get(actor.tenant_id, invoice_id)
            except NotFound:
                return None
            read = None
            step = overdue_step(current, policy, now, actor=actor, reminded=reminded)
            if step is None:
                return None
            try:
                self._invoices.save(step.invoice, *step.events, previous=current)
            except ConcurrentChange:
                if not retries.wait():
                    raise
                continue
            return step
