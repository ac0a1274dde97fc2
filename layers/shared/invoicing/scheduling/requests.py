"""Scheduling requests: schedule and unschedule an invoice, and list the recurring templates.

The invoice changes first (a conditional write), then its one-time schedule follows. A schedule
that cannot be created or moved is left to the sweep, which finds the invoice through its `DueJobs`
entry; one that cannot be deleted fires for an invoice that is no longer scheduled and does nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from invoicing.errors import DependencyUnavailable
from invoicing.invoices import workflow
from invoicing.invoices.enums import AttachmentType, InvoiceStatus
from invoicing.invoices.kernel import Actor, Change
from invoicing.invoices.model import Attachment, Invoice
from invoicing.scheduling import sending
from invoicing.scheduling.ports import ClientPdfs, ScheduledInvoices, SendSchedules, Telemetry
from invoicing.scheduling.send_time import send_time

#: templates `with-recurring-drafts` answers at most (newest invoice date first)
MAX_TEMPLATES = 500


@dataclass(frozen=True)
class ScheduleRequest:
    send_at: datetime | None = None
    client_pdf: bytes | None = None


@dataclass(frozen=True)
class Scheduling:
    invoices: ScheduledInvoices
    schedules: SendSchedules
    files: ClientPdfs
    telemetry: Telemetry

    def schedule(self, actor: Actor, invoice_id: str, request: ScheduleRequest, now: datetime) -> Invoice:
        """DRAFT -> SCHEDULED at `send_at`, else on the invoice date (which it then follows)."""
        pdf = self._keep_client_pdf(actor, invoice_id, request.client_pdf, now)

        def scheduled(current: Invoice) -> Change:
            at = send_time(request.send_at, current, now)
            return sending.schedule(
                current,
                at,
                follows_invoice_date=request.send_at is None,
                client_pdf=pdf,
                actor=actor,
                now=now,
            )

        invoice = workflow.change_invoice(self.invoices, actor.tenant_id, invoice_id, scheduled, retry=True)
        self.follow(invoice)
        self.telemetry.count("InvoiceScheduled")
        return invoice

    def unschedule(self, actor: Actor, invoice_id: str, now: datetime) -> Invoice:
        """SCHEDULED -> DRAFT; against a send firing at the same moment exactly one wins."""
        invoice = workflow.change_invoice(
            self.invoices,
            actor.tenant_id,
            invoice_id,
            lambda current: sending.unschedule(current, actor=actor, now=now),
            retry=True,
        )
        try:
            self.schedules.delete(actor.tenant_id, invoice_id)
        except DependencyUnavailable as error:
            self.telemetry.warning(
                "Schedule left to fire for nothing", invoice_id=invoice_id, error=str(error)
            )
        self.telemetry.count("InvoiceUnscheduled")
        return invoice

    def follow(self, invoice: Invoice) -> None:
        """Keep a SCHEDULED invoice's one-time schedule at its `scheduledSendAt` (after scheduling,
        and after an update that moved its invoice date)."""
        if invoice.status is not InvoiceStatus.SCHEDULED or invoice.scheduledSendAt is None:
            return
        try:
            self.schedules.put(invoice.tenantId, invoice.id, invoice.scheduledSendAt)
        except DependencyUnavailable as error:
            self.telemetry.warning("Schedule left to the sweep", invoice_id=invoice.id, error=str(error))
            self.telemetry.count("ScheduleLeftToSweep")

    def recurring_templates(self, tenant_id: str) -> list[Invoice]:
        """The tenant's invoices with a recurring agreement, through the sparse index of templates."""
        ids = self.invoices.ids_with_recurring_agreement(tenant_id, MAX_TEMPLATES)
        return self.invoices.get_many(tenant_id, ids)

    def _keep_client_pdf(
        self, actor: Actor, invoice_id: str, content: bytes | None, now: datetime
    ) -> Attachment | None:
        if content is None:
            return None
        self.invoices.get(actor.tenant_id, invoice_id)
        blob_id = f"sent-{hashlib.sha256(content).hexdigest()[:40]}"
        name = f"{invoice_id}.pdf"
        self.files.put_invoice_pdf(actor.tenant_id, invoice_id, blob_id, content, name)
        return Attachment(
            blobId=blob_id,
            created=now,
            extension="pdf",
            fileSize=len(content),
            name=name,
            type=AttachmentType.PDF,
        )
