"""The recurring job's use case: issue every occurrence due at or before `now`, however long ago.

Per template, oldest first, each occurrence in three idempotent steps:
1. create the occurrence under its deterministic id (conditional: an id taken means another run
   issued it, and this one goes on with the next steps as they may not be done);
2. with `autoSend`, publish it and queue its mail (`OccurrenceMail`, one mail per occurrence
   whatever the number of runs);
3. count it on the template (conditional on the template's version, once per occurrence), which
   moves `nextInvoiceDate` and so the template's `DueJobs` entry.
A run that stops between steps leaves the template due, and the next run finishes the steps: none is
skipped, none done twice. Two runs at once race on each conditional write, and one wins each.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from invoicing.errors import ConcurrentChange, Conflict, InvoiceChanged, NotFound, Unprocessable
from invoicing.invoices import workflow
from invoicing.invoices.kernel import Actor
from invoicing.invoices.model import Invoice
from invoicing.recurring.occurrences import (
    RECURRING_JOB,
    AlreadyAdvanced,
    advanced,
    issued_event_id,
    occurrence_of,
    plan_of,
)
from invoicing.recurring.ports import DueTemplates, OccurrenceMail, Occurrences
from invoicing.recurring.schedule import Occurrence, Plan

#: the kind of the templates' entries in the `DueJobs` index
RECURRING_JOB_KIND = "RECURRING"


def mail_request_key(occurrence_id: str) -> str:
    """What makes an occurrence's mail one mail, however many runs send it."""
    return f"recurring:{occurrence_id}"


@dataclass(frozen=True)
class Failure:
    tenant_id: str
    template_id: str
    reason: str


@dataclass
class RecurringRun:
    """What a run did. `issued`: invoices it created; `sent`: invoices it published and mailed;
    `skipped`: due work another run had done; `refused`: invoices whose mail cannot go (no address,
    a suppressed one, no rows to publish), left as drafts; `failed`: templates whose catch-up stopped
    on an error (the next run resumes them); `postponed`: templates left for the next run (time)."""

    issued: int = 0
    sent: int = 0
    skipped: int = 0
    refused: int = 0
    failed: int = 0
    postponed: int = 0
    failures: list[Failure] = field(default_factory=list)
    refusals: list[Failure] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "issued": self.issued,
            "sent": self.sent,
            "skipped": self.skipped,
            "refused": self.refused,
            "failed": self.failed,
            "postponed": self.postponed,
        }


class RecurringInvoices:
    def __init__(self, invoices: Occurrences, due_templates: DueTemplates, mail: OccurrenceMail) -> None:
        self._invoices = invoices
        self._due_templates = due_templates
        self._mail = mail

    def issue_due(self, now: datetime, *, time_left: Callable[[], bool] = lambda: True) -> RecurringRun:
        """Issue every occurrence due at or before `now` of every template the index finds due.
        A template's failure is counted and reported, and the others go on."""
        run = RecurringRun()
        for tenant_id, template_id in self._due_templates.due(RECURRING_JOB_KIND, now):
            if not time_left():
                run.postponed += 1
                continue
            try:
                self._catch_up(tenant_id, template_id, now, run, time_left)
            except Exception as error:  # one template's failure never stops the others
                run.failed += 1
                run.failures.append(Failure(tenant_id, template_id, f"{type(error).__name__}: {error}"))
        return run

    def _catch_up(
        self,
        tenant_id: str,
        template_id: str,
        now: datetime,
        run: RecurringRun,
        time_left: Callable[[], bool],
    ) -> None:
        """Issue the template's due occurrences one after another, each from the template as stored.
        An entry found due whose template is not (deleted, cancelled, or caught up by another run)
        is skipped."""
        first = True
        while True:
            try:
                template: Invoice | None = self._invoices.get(tenant_id, template_id)
            except NotFound:
                template = None
            plan = plan_of(template) if template is not None else None
            occurrence = next(plan.due(now), None) if plan is not None else None
            if template is None or plan is None or occurrence is None:
                run.skipped += 1 if first else 0
                return
            if not first and not time_left():
                run.postponed += 1
                return
            self._issue(template, plan, occurrence, now, run)
            first = False

    def _issue(
        self, template: Invoice, plan: Plan, occurrence: Occurrence, now: datetime, run: RecurringRun
    ) -> None:
        actor = Actor(template.tenantId, RECURRING_JOB)
        change = occurrence_of(template, occurrence, actor=actor, now=now)
        try:
            self._invoices.create(change.invoice, change.event)
            run.issued += 1
        except InvoiceChanged:
            run.skipped += 1
        agreement = template.recurringAgreement
        if agreement is not None and agreement.autoSend:
            self._send(actor, change.invoice, now, run)
        with contextlib.suppress(AlreadyAdvanced):
            workflow.change_invoice_once(
                self._invoices,
                template.tenantId,
                template.id,
                issued_event_id(template.tenantId, template.id, occurrence.number),
                lambda current: advanced(current, plan, occurrence, actor=actor, now=now),
            )

    def _send(self, actor: Actor, occurrence: Invoice, now: datetime, run: RecurringRun) -> None:
        """Publish and mail the occurrence. What can never be mailed is a refusal; what may pass
        (throttling, a concurrent change, the day's quota) fails the template's catch-up for now."""
        try:
            self._mail_once(actor, occurrence.id, now)
        except ConcurrentChange:
            raise
        except (Conflict, Unprocessable, NotFound) as error:
            self._refused(occurrence, error, run)
        else:
            run.sent += 1

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

    @staticmethod
    def _refused(occurrence: Invoice, error: Exception, run: RecurringRun) -> None:
        run.refused += 1
        template_id = occurrence.recurringTemplate.id if occurrence.recurringTemplate else occurrence.id
        run.refusals.append(Failure(occurrence.tenantId, template_id, f"{occurrence.id}: {error}"))
