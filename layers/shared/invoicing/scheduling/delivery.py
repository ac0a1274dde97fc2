"""The scheduled send itself: what the one-time schedule's target and the sweep run.

A send of time `at` goes in three steps, each recorded once whatever runs it (the schedule, its
retries, the sweep, `make jobs`):
1. publish, conditional on the invoice being SCHEDULED for exactly `at` (`sending.fire` in the
   publishing transaction, which is conditional on the version read): against an unschedule or a
   move at the same moment exactly one wins;
2. queue the mail through the outbox with a request key made of the invoice and `at`;
3. complete: `scheduledSendAt` goes, and with it the invoice's `DueJobs` entry.
A send that stopped after step 1 is still in the index, so a retry or the sweep finishes it. An
entry the sweep meets for an invoice that is gone or no longer scheduled by then, it removes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from invoicing.backoff import Sleep
from invoicing.errors import ConcurrentChange, Conflict, NotFound, Unprocessable
from invoicing.invoices import lifecycle, workflow
from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Invoice
from invoicing.scheduling import sending
from invoicing.scheduling.job_runs import JobReport
from invoicing.scheduling.ports import DueEntries, DueEntry, InvoiceMail, ScheduledInvoices, Telemetry
from invoicing.scheduling.stale_entries import is_stale
from invoicing.tenants.model import TenantLookup, require_tenant
from invoicing.tenants.settings import SettingsStore, current_seller


class SendOutcome(StrEnum):
    SENT = "sent"
    #: unscheduled, not due yet (its time moved later), or already sent
    SKIPPED = "skipped"
    #: the invoice was deleted
    GONE = "gone"
    #: it could not be published (no rows left): a draft again, the reason in its trail
    RETURNED_TO_DRAFT = "returnedToDraft"
    #: the sweep ran out of time before it: still due, for the next run
    POSTPONED = "postponed"
    #: the sweep removed its stale entry: the invoice is gone or no longer scheduled by then
    CLEARED = "cleared"


def metric_name(outcome: str) -> str:
    """`ScheduledSendSent`, `ScheduledSendReturnedToDraft`, `ScheduledSendFailed`, ..."""
    return f"ScheduledSend{outcome[:1].upper()}{outcome[1:]}"


@dataclass(frozen=True)
class ScheduledSending:
    invoices: ScheduledInvoices
    tenants: TenantLookup
    tenant_settings: SettingsStore
    mail: InvoiceMail
    due_entries: DueEntries
    telemetry: Telemetry
    sleep: Sleep = time.sleep

    def send(self, tenant_id: str, invoice_id: str, at: datetime | None, now: datetime) -> SendOutcome:
        """Run the send of time `at` (None: the time the invoice is scheduled for) as of `now`."""
        outcome = self._send(tenant_id, invoice_id, at, now)
        self.telemetry.count(metric_name(outcome))
        return outcome

    def _send(self, tenant_id: str, invoice_id: str, at: datetime | None, now: datetime) -> SendOutcome:
        try:
            invoice = self.invoices.get(tenant_id, invoice_id)
        except NotFound:
            return SendOutcome.GONE
        at = self._send_time(invoice, at)
        if at is None or invoice.has_event(sending.completed_event_id(invoice_id, at)):
            return SendOutcome.SKIPPED
        actor = Actor(tenant_id, sending.SCHEDULER_SUBJECT)
        if not invoice.has_event(sending.fired_event_id(invoice_id, at)):
            try:
                self._publish(actor, invoice_id, at, now)
            except sending.NotDue:
                return SendOutcome.SKIPPED
            except (Conflict, Unprocessable) as error:
                if isinstance(error, ConcurrentChange):
                    raise
                if self._return_to_draft(actor, invoice_id, at, error.message, now):
                    return SendOutcome.RETURNED_TO_DRAFT
                return SendOutcome.SKIPPED
        outcome = self._queue_mail(actor, invoice, at, now)
        workflow.change_invoice_once(
            self.invoices,
            tenant_id,
            invoice_id,
            sending.completed_event_id(invoice_id, at),
            lambda current: sending.complete(current, at, outcome, actor=actor, now=now),
            sleep=self.sleep,
        )
        self.telemetry.info("Scheduled invoice sent", invoice_id=invoice_id, send_at=at.isoformat())
        return SendOutcome.SENT

    def sweep(self, now: datetime, time_left: Callable[[], bool] = lambda: True) -> JobReport:
        """Every send due at or before `now` that is not complete (its schedule was never created,
        ended in the dead-letter queue, or stopped halfway). Once `time_left` says no, the rest is
        counted `postponed` and left due for the next run."""
        report = JobReport()
        for entry in self.due_entries.due(sending.SEND_JOB, now):
            if not time_left():
                report.add(SendOutcome.POSTPONED)
                continue
            try:
                report.add(self._sweep_one(entry, now))
            except Exception as error:  # one invoice's failure never stops the others
                self.telemetry.warning(
                    "Scheduled send failed", invoice_id=entry.invoice_id, error=repr(error)
                )
                self.telemetry.count(metric_name("failed"))
                report.fail(f"{entry.tenant_id}/{entry.invoice_id}")
        self.telemetry.info("Scheduled sends swept", **report.counts)
        return report

    def _sweep_one(self, entry: DueEntry, now: datetime) -> SendOutcome:
        """Send what `entry` is due for; remove the entry when that finds it stale."""
        outcome = self.send(entry.tenant_id, entry.invoice_id, None, now)
        if outcome not in (SendOutcome.GONE, SendOutcome.SKIPPED):
            return outcome
        invoice = None if outcome is SendOutcome.GONE else self._current(entry)
        planned = sending.send_due(invoice) if invoice is not None else None
        if not is_stale(planned, entry.due) or not self.due_entries.forget(sending.SEND_JOB, entry, invoice):
            return outcome
        self.telemetry.count(metric_name(SendOutcome.CLEARED))
        return SendOutcome.CLEARED

    def _current(self, entry: DueEntry) -> Invoice | None:
        try:
            return self.invoices.get(entry.tenant_id, entry.invoice_id)
        except NotFound:
            return None

    def _send_time(self, invoice: Invoice, fired_for: datetime | None) -> datetime | None:
        """The send to run: the one that fired if it started already, else the one the invoice is
        scheduled for now (a schedule moved later fires early: `sending.fire` refuses until then)."""
        if fired_for is not None and invoice.has_event(sending.fired_event_id(invoice.id, fired_for)):
            return fired_for
        return invoice.scheduledSendAt

    def _publish(self, actor: Actor, invoice_id: str, at: datetime, now: datetime) -> None:
        tenant = require_tenant(self.tenants, actor.tenant_id)
        workflow.publish_invoice(
            self.invoices,
            lifecycle.NumberingPolicy.of(tenant),
            actor.tenant_id,
            invoice_id,
            actor=actor,
            now=now,
            prepare=lambda current: sending.fire(current, at, actor=actor, now=now),
            seller=current_seller(self.tenant_settings, tenant),
            sleep=self.sleep,
        )
        self.telemetry.count("ScheduledInvoicePublished")

    def _queue_mail(self, actor: Actor, invoice: Invoice, at: datetime, now: datetime) -> str:
        """Queue the invoice's mail once; what became of it, for the trail."""
        pdf = invoice.scheduledPdf.blobId if invoice.scheduledPdf is not None else None
        try:
            self.mail.send(
                actor,
                invoice.id,
                request_key=sending.mail_request_key(invoice.id, at),
                now=now,
                client_pdf_blob_id=pdf,
            )
        except Unprocessable as error:
            self.telemetry.count("ScheduledMailRefused")
            return f"no mail: {error.message}"
        return "its mail is queued"

    def _return_to_draft(
        self, actor: Actor, invoice_id: str, at: datetime, reason: str, now: datetime
    ) -> bool:
        try:
            workflow.change_invoice(
                self.invoices,
                actor.tenant_id,
                invoice_id,
                lambda current: sending.give_up(current, at, reason, actor=actor, now=now),
                retry=True,
                sleep=self.sleep,
            )
        except sending.NotDue:
            return False
        self.telemetry.count("ScheduledSendReturnedToDraft")
        return True
