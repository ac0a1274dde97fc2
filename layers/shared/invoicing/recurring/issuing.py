"""The recurring job's use case: issue every occurrence due at or before `now`, however long ago.

Per template, oldest first, each occurrence in three idempotent steps:
1. create the occurrence under its deterministic id (conditional: an id taken means another run
   issued it, and this one goes on with the steps that may not be done yet);
2. with `autoSend`, unless the occurrence records its mail already, publish it and queue its mail
   (`OccurrenceMail`: one mail per occurrence, however many runs ask);
3. count it on the template (once per occurrence, conditional on the template's version), which
   moves `nextInvoiceDate` and so the template's `DueJobs` entry.
A run that stops between steps leaves the template due, and the next run finishes them: none is
skipped, none done twice. Two runs at once race on each conditional write, and one wins each.
An entry met for a template that is gone or no longer plans an occurrence by then is removed.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from invoicing.errors import ConcurrentChange, Conflict, InvoiceChanged, NotFound, Unprocessable
from invoicing.invoices import workflow
from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Event, Invoice
from invoicing.mail.ports import Telemetry
from invoicing.recurring.occurrences import (
    RECURRING_JOB,
    RECURRING_JOB_KIND,
    AlreadyAdvanced,
    advanced,
    issued_event_id,
    next_issue,
    occurrence_of,
    plan_of,
)
from invoicing.recurring.ports import DueEntry, DueTemplates, OccurrenceMail, Occurrences
from invoicing.recurring.schedule import Occurrence, Plan
from invoicing.scheduling.job_runs import JobReport
from invoicing.scheduling.stale_entries import is_stale


class Outcome(StrEnum):
    #: an occurrence this run created
    ISSUED = "issued"
    #: an occurrence this run published and mailed
    SENT = "sent"
    #: due work another run had done: an occurrence it created, or a template it caught up (or that
    #: was deleted or cancelled meanwhile)
    SKIPPED = "skipped"
    #: an occurrence whose mail can never go (no address, a suppressed one, no rows): left a draft
    REFUSED = "refused"
    #: a template left for the next run: this one ran out of time, or issued its most for it
    POSTPONED = "postponed"
    #: a stale entry removed: its template is gone or no longer plans an occurrence by its time
    CLEARED = "cleared"


def metric_name(outcome: str) -> str:
    """`RecurringIssued`, `RecurringSent`, ..., `RecurringFailed` (a template whose catch-up stopped
    on an error; the next run resumes it)."""
    return f"Recurring{outcome[:1].upper()}{outcome[1:]}"


#: the most occurrences a run issues per template; the rest wait for the next run (`postponed`)
OCCURRENCES_PER_RUN = 100


def mail_request_key(occurrence_id: str) -> str:
    """What makes an occurrence's mail one mail, however many runs send it."""
    return f"recurring:{occurrence_id}"


class RecurringInvoices:
    def __init__(
        self,
        invoices: Occurrences,
        due_templates: DueTemplates,
        mail: OccurrenceMail,
        telemetry: Telemetry,
        *,
        per_run: int = OCCURRENCES_PER_RUN,
    ) -> None:
        self._invoices = invoices
        self._due_templates = due_templates
        self._mail = mail
        self._telemetry = telemetry
        self._per_run = per_run

    def issue_due(self, now: datetime, *, time_left: Callable[[], bool] = lambda: True) -> JobReport:
        """Issue every occurrence due at or before `now` of every template found due. A template's
        failure is reported, and the others go on."""
        report = JobReport()
        for entry in self._due_templates.due(RECURRING_JOB_KIND, now):
            if not time_left():
                report.add(Outcome.POSTPONED)
                continue
            try:
                self._catch_up(entry, now, report, time_left)
            except Exception as error:  # one template's failure never stops the others
                self._telemetry.warning(
                    "Recurring template failed", template_id=entry.invoice_id, error=repr(error)
                )
                report.fail(f"{entry.tenant_id}/{entry.invoice_id}: {error}")
        for outcome in (*Outcome, "failed"):
            self._telemetry.count(metric_name(outcome), report.counts[outcome])
        self._telemetry.info("Recurring invoices issued", **report.counts)
        return report

    def _catch_up(
        self,
        entry: DueEntry,
        now: datetime,
        report: JobReport,
        time_left: Callable[[], bool],
    ) -> None:
        """Issue the template's due occurrences one after another, each from the template as stored,
        at most `per_run`: a template years behind takes several runs, not one run from the others."""
        for count in itertools.count():
            try:
                template: Invoice | None = self._invoices.get(entry.tenant_id, entry.invoice_id)
            except NotFound:
                template = None
            plan = plan_of(template) if template is not None else None
            occurrence = next(plan.due(now), None) if plan is not None else None
            if template is None or plan is None or occurrence is None:
                if count == 0:
                    report.add(self._cleared_or_skipped(entry, template))
                return
            if count == self._per_run or (count > 0 and not time_left()):
                report.add(Outcome.POSTPONED)
                return
            self._issue(template, plan, occurrence, now, report)

    def _cleared_or_skipped(self, entry: DueEntry, template: Invoice | None) -> Outcome:
        """CLEARED when the entry is stale for `template` (None: gone) and is removed."""
        planned = next_issue(template) if template is not None else None
        if is_stale(planned, entry.due) and self._due_templates.forget(RECURRING_JOB_KIND, entry, template):
            return Outcome.CLEARED
        return Outcome.SKIPPED

    def _issue(
        self, template: Invoice, plan: Plan, occurrence: Occurrence, now: datetime, report: JobReport
    ) -> None:
        actor = Actor(template.tenantId, RECURRING_JOB)
        change = occurrence_of(template, occurrence, actor=actor, now=now)
        issued = self._created(change.invoice, change.event, report)
        agreement = template.recurringAgreement
        if agreement is not None and agreement.autoSend and issued is not None and not issued.sentMails:
            report.add(self._send(actor, issued, now))
        with contextlib.suppress(AlreadyAdvanced):
            workflow.change_invoice_once(
                self._invoices,
                template.tenantId,
                template.id,
                issued_event_id(template.tenantId, template.id, occurrence.number),
                lambda current: advanced(current, plan, occurrence, actor=actor, now=now),
            )

    def _created(self, occurrence: Invoice, event: Event, report: JobReport) -> Invoice | None:
        """The occurrence as stored: created now, or as another run issued it (None if its draft
        was deleted since)."""
        try:
            created = self._invoices.create(occurrence, event)
        except InvoiceChanged:
            report.add(Outcome.SKIPPED)
        else:
            report.add(Outcome.ISSUED)
            return created
        try:
            return self._invoices.get(occurrence.tenantId, occurrence.id)
        except NotFound:
            return None

    def _send(self, actor: Actor, occurrence: Invoice, now: datetime) -> Outcome:
        """Publish and mail the occurrence. What can never be mailed is a refusal; what may pass
        (throttling, a concurrent change, the day's quota) raises: the template waits for the next run."""
        try:
            self._mail_once(actor, occurrence.id, now)
        except ConcurrentChange:
            raise
        except (Conflict, Unprocessable, NotFound) as error:
            self._telemetry.warning(
                "Recurring invoice not mailed", invoice_id=occurrence.id, reason=str(error)
            )
            return Outcome.REFUSED
        return Outcome.SENT

    def _mail_once(self, actor: Actor, invoice_id: str, now: datetime) -> None:
        """A run that lost the race to publish the occurrence is refused (it is published now) and
        asks again: for the same mail, which the outbox holds once."""
        key = mail_request_key(invoice_id)
        try:
            self._mail.send(actor, invoice_id, request_key=key, now=now)
        except ConcurrentChange:
            raise
        except Conflict:
            self._mail.send(actor, invoice_id, request_key=key, now=now)
