"""What can happen to an invoice: pure functions from the current invoice to the next one.

Every change returns the new invoice and the one event that records it; storage writes both in one
conditional transaction (see `invoicing.adapters.invoice_store`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from invoicing.errors import Conflict, NotFound, ValidationFailed
from invoicing.invoices.calculator import InvoiceTerms, RowFigures, RowTerms, invoice_figures, row_figures
from invoicing.invoices.enums import PUBLISHED_STATUSES, EventType, InvoiceStatus, InvoiceType
from invoicing.invoices.model import MAX_ROWS, Event, Invoice, InvoiceCreate, InvoiceFields, Row, RowInput

#: fields whose change alters what the customer owes; frozen once an invoice is published
FINANCIAL_FIELDS = frozenset(
    {
        "currency",
        "invoiceDate",
        "paymentTermDays",
        "rows",
        "discountPercentage",
        "feesPercentage",
        "shippingAmount",
    }
)
DELETABLE_STATUSES = frozenset({InvoiceStatus.DRAFT, InvoiceStatus.SCHEDULED})


@dataclass(frozen=True)
class Actor:
    """Who makes a change, for `createdBy`/`updatedBy` and the audit trail."""

    tenant_id: str
    subject: str


@dataclass(frozen=True)
class Change:
    invoice: Invoice
    event: Event


NewId = Callable[[], str]
#: a change applied to the invoice as read, by an actor (handlers pass these to the repository)
ChangeFunction = Callable[[Invoice, Actor], Change]


def new_id() -> str:
    return str(uuid.uuid4())


def new_event(actor: Actor, now: datetime, event_type: EventType, description: str, make_id: NewId) -> Event:
    return Event(id=make_id(), type=event_type, date=now, authorId=actor.subject, description=description)


def _row(row: RowInput, currency: str, make_id: NewId) -> Row:
    figures = row_figures(
        RowTerms(row.quantity, row.unitPrice, row.discountPercentage, row.taxRate), currency
    )
    return Row(
        id=row.id or make_id(),
        type=row.type,
        description=row.description,
        productId=row.productId,
        productName=row.productName,
        sku=row.sku,
        quantity=row.quantity,
        quantityType=row.quantityType,
        unitPrice=row.unitPrice,
        discountPercentage=row.discountPercentage,
        taxRate=row.taxRate,
        total=figures.total,
        taxAmount=figures.tax_amount,
        totalWithTax=figures.total_with_tax,
    )


def priced(invoice: Invoice) -> Invoice:
    """Recompute every derived figure (rows, totals, dueDate) from the invoice's terms."""
    rows = [_row(RowInput.model_validate(row.model_dump()), invoice.currency, new_id) for row in invoice.rows]
    figures = invoice_figures(
        (RowFigures(row.total, row.taxAmount, row.totalWithTax) for row in rows),
        InvoiceTerms(
            invoice.currency, invoice.discountPercentage, invoice.feesPercentage, invoice.shippingAmount
        ),
    )
    due_date = None
    if invoice.invoiceDate is not None:
        due_date = invoice.invoiceDate + timedelta(days=invoice.paymentTermDays or 0)
    return invoice.model_copy(
        update={
            "rows": rows,
            "dueDate": due_date,
            "totalExcludingTax": figures.total_excluding_tax,
            "totalTax": figures.total_tax,
            "totalWithTax": figures.total_with_tax,
            "discountAmount": figures.discount_amount,
            "feesAmount": figures.fees_amount,
            "shippingAmount": figures.shipping_amount,
            "total": figures.total,
        }
    )


def _check_unique_row_ids(rows: list[Row]) -> None:
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if row.id in seen:
            raise ValidationFailed(
                f"Row id {row.id!r} appears twice.",
                field_errors={f"rows[{index}].id": ["Row ids must be unique."]},
            )
        seen.add(row.id)


def create_invoice(fields: InvoiceCreate, *, actor: Actor, now: datetime, make_id: NewId = new_id) -> Change:
    """A new draft. Numbers are assigned when an invoice leaves DRAFT, never before."""
    values = fields.model_dump(exclude_unset=True, exclude={"rows"})
    rows = [_row(row, fields.currency, make_id) for row in fields.rows]
    _check_unique_row_ids(rows)
    invoice = Invoice(
        **values,
        id=make_id(),
        tenantId=actor.tenant_id,
        status=InvoiceStatus.DRAFT,
        type=fields.type or InvoiceType.MANUAL,
        rows=rows,
        created=now,
        createdBy=actor.subject,
        updated=now,
        updatedBy=actor.subject,
    )
    event = new_event(actor, now, EventType.CREATE, "Invoice created.", make_id)
    return Change(priced(invoice), event)


def empty_invoice(currency: str, *, actor: Actor, now: datetime, make_id: NewId = new_id) -> Change:
    return create_invoice(InvoiceCreate(currency=currency), actor=actor, now=now, make_id=make_id)


def _ensure_editable(invoice: Invoice, changed: set[str]) -> None:
    if invoice.status == InvoiceStatus.CANCELLED:
        raise Conflict("A cancelled invoice cannot be changed.")
    frozen = sorted(changed & FINANCIAL_FIELDS)
    if frozen and invoice.status in PUBLISHED_STATUSES:
        raise Conflict(
            f"The invoice is published, so its financial content is frozen: {', '.join(frozen)} "
            "cannot change. Cancel it and issue a new invoice instead.",
            field_errors={name: ["Frozen once the invoice is published."] for name in frozen},
        )


def touched(invoice: Invoice, actor: Actor, now: datetime, **update: object) -> Invoice:
    return invoice.model_copy(update={**update, "updated": now, "updatedBy": actor.subject})


def update_invoice(
    invoice: Invoice, patch: InvoiceFields, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    """Apply the fields present in `patch`; `rows`, when present, replaces every row."""
    values = patch.model_dump(exclude_unset=True)
    values = {
        name: value for name, value in values.items() if value is not None or name not in FINANCIAL_FIELDS
    }
    _ensure_editable(invoice, set(values))
    currency = values.get("currency", invoice.currency)
    update: dict[str, object] = {name: getattr(patch, name) for name in values if name != "rows"}
    if "rows" in values and patch.rows is not None:
        rows = [_row(row, currency, make_id) for row in patch.rows]
        _check_unique_row_ids(rows)
        update["rows"] = rows
    changed = ", ".join(sorted(values)) or "nothing"
    updated = priced(touched(invoice, actor, now, **update))
    return Change(updated, new_event(actor, now, EventType.UPDATE, f"Updated {changed}.", make_id))


def add_row(
    invoice: Invoice, row: RowInput, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    _ensure_editable(invoice, {"rows"})
    if len(invoice.rows) >= MAX_ROWS:
        raise ValidationFailed(
            f"An invoice has at most {MAX_ROWS} rows.", field_errors={"rows": ["Too many rows."]}
        )
    new_row = _row(row, invoice.currency, make_id)
    rows = [*invoice.rows, new_row]
    _check_unique_row_ids(rows)
    updated = priced(touched(invoice, actor, now, rows=rows))
    return Change(updated, new_event(actor, now, EventType.ROW_ADDED, f"Row {new_row.id} added.", make_id))


def remove_row(
    invoice: Invoice, row_id: str, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    _ensure_editable(invoice, {"rows"})
    rows = [row for row in invoice.rows if row.id != row_id]
    if len(rows) == len(invoice.rows):
        raise NotFound(f"Invoice {invoice.id} has no row {row_id}.")
    updated = priced(touched(invoice, actor, now, rows=rows))
    return Change(updated, new_event(actor, now, EventType.ROW_REMOVED, f"Row {row_id} removed.", make_id))


def add_comment(
    invoice: Invoice, text: str, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    comment = text.strip()
    if not comment:
        raise ValidationFailed(
            "A comment cannot be empty.", field_errors={"body": ["Send a non-empty string."]}
        )
    return Change(touched(invoice, actor, now), new_event(actor, now, EventType.COMMENT, comment, make_id))


def link_opportunity(
    invoice: Invoice, opportunity_id: str, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    _ensure_editable(invoice, set())
    updated = touched(invoice, actor, now, opportunityId=opportunity_id)
    description = f"Linked to opportunity {opportunity_id}."
    return Change(updated, new_event(actor, now, EventType.OPPORTUNITY_LINKED, description, make_id))


def ensure_deletable(invoice: Invoice) -> None:
    if invoice.status not in DELETABLE_STATUSES:
        raise Conflict(
            f"You can't delete published invoices: invoice {invoice.invoiceNumber or invoice.id} is "
            f"{invoice.status.value}. Only draft and scheduled invoices can be deleted."
        )
