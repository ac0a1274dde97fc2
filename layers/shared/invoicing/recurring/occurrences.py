"""The invoices a template issues, and what issuing one does to the template (pure, like
`invoicing.invoices.edits`).

An occurrence's id derives from (tenant, template, number in the series), so whoever issues it
first creates it and every later attempt finds it there: a conditional create is the guard that
issues each invoice of a series once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from invoicing.invoices.calculator import TaxRounding
from invoicing.invoices.edits import create_invoice, touched
from invoicing.invoices.enums import DocumentType, EventType, InvoiceStatus, InvoiceType
from invoicing.invoices.kernel import Actor, Change, new_event
from invoicing.invoices.model import Invoice, InvoiceCreate, RecurringSource, RowInput
from invoicing.recurring.schedule import Occurrence, Plan

#: who issues a series' invoices, in their `createdBy` and audit trails
RECURRING_JOB = "recurring-job"
#: the kind of the templates' entries in the `DueJobs` index (`next_issue`)
RECURRING_JOB_KIND = "RECURRING"
_OCCURRENCE_IDS = uuid.UUID("5f0c7d52-3f7e-4e0b-9a51-1d7c2b8e6a40")


class AlreadyAdvanced(Exception):
    """The template counts the occurrence as issued already (another run got there first)."""


def occurrence_id(tenant_id: str, template_id: str, number: int) -> str:
    return str(uuid.uuid5(_OCCURRENCE_IDS, f"{tenant_id}/{template_id}/{number}"))


def issued_event_id(tenant_id: str, template_id: str, number: int) -> str:
    return f"{occurrence_id(tenant_id, template_id, number)}-issued"


def plan_of(template: Invoice) -> Plan | None:
    """The plan of an invoice that is a live template: it has an agreement, is an invoice (not a
    credit note) and is not cancelled."""
    if (
        template.recurringAgreement is None
        or template.documentType is not DocumentType.INVOICE
        or template.status is InvoiceStatus.CANCELLED
    ):
        return None
    return Plan.of(template.recurringAgreement, template.recurringInvoicesIssued)


def next_issue(template: Invoice) -> datetime | None:
    """When the recurring job is next due for this invoice: its next occurrence's date, or None."""
    plan = plan_of(template)
    following = plan.next() if plan is not None else None
    return following.date if following is not None else None


def occurrence_of(template: Invoice, occurrence: Occurrence, *, actor: Actor, now: datetime) -> Change:
    """The draft the template issues as `occurrence`: its rows, currency, customer, contact, terms,
    notes and mail texts, dated the occurrence's date (its due date follows from the terms), of type
    RECURRING and linked back to the template. The agreement stays on the template alone."""
    fields = InvoiceCreate(
        type=InvoiceType.RECURRING,
        currency=template.currency,
        invoiceDate=occurrence.date,
        paymentTermDays=template.paymentTermDays,
        rows=[
            RowInput.model_validate(row.model_dump(include=set(RowInput.model_fields)))
            for row in template.rows
        ],
        clientId=template.clientId,
        contactEmail=template.contactEmail,
        customer=template.customer,
        note=template.note,
        mailBody=template.mailBody,
        reminderBody=template.reminderBody,
        discountPercentage=template.discountPercentage,
        feesPercentage=template.feesPercentage,
        shippingAmount=template.shippingAmount,
        feesTaxRate=template.feesTaxRate,
        shippingTaxRate=template.shippingTaxRate,
        locale=template.locale,
    )
    created = create_invoice(
        fields, actor=actor, now=now, tax_rounding=template.taxRounding or TaxRounding.PER_RATE
    )
    invoice = created.invoice.model_copy(
        update={
            "id": occurrence_id(template.tenantId, template.id, occurrence.number),
            "recurringTemplate": RecurringSource(id=template.id, occurrence=occurrence.number),
        }
    )
    description = (
        f"Issued by template {template.id} as invoice {occurrence.number} of its series, "
        f"dated {occurrence.date:%Y-%m-%d}."
    )
    return Change(invoice, created.event.model_copy(update={"description": description}))


def advanced(template: Invoice, read: Plan, occurrence: Occurrence, *, actor: Actor, now: datetime) -> Change:
    """The template once `occurrence`, issued under the plan `read`, is counted: its
    `nextInvoiceDate` moves on (none past the end date). If a client changed the plan meanwhile
    (it then counts from the issued invoices as they were), the plan's first date is kept for the
    next invoice; if the client removed it, the count still grows. AlreadyAdvanced if the template
    counts it already."""
    if template.recurringInvoicesIssued >= occurrence.number:
        raise AlreadyAdvanced
    update: dict[str, object] = {"recurringInvoicesIssued": occurrence.number}
    agreement = template.recurringAgreement
    current = Plan.of(agreement, template.recurringInvoicesIssued) if agreement is not None else None
    if agreement is not None and current is not None and current.counts_like(read):
        following = current.after(occurrence).next()
        next_date = following.date if following is not None else None
        update["recurringAgreement"] = agreement.model_copy(update={"nextInvoiceDate": next_date})
    elif agreement is not None:
        update["recurringAgreement"] = agreement.model_copy(update={"anchorOccurrence": occurrence.number})
    description = (
        f"Recurring invoice {occurrence.number} issued "
        f"({occurrence_id(template.tenantId, template.id, occurrence.number)}, "
        f"dated {occurrence.date:%Y-%m-%d})."
    )
    event = new_event(
        actor,
        now,
        EventType.UPDATE,
        description,
        lambda: issued_event_id(template.tenantId, template.id, occurrence.number),
    )
    return Change(touched(template, actor, now, **update), event)
