"""Edits of an invoice: pure functions from the current invoice to the next one.

Every change returns the new invoice and the one event that records it; storage writes both in one
conditional transaction (see `invoicing.adapters.invoice_store`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from invoicing.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from invoicing.invoices.calculator import (
    CALCULATION_VERSION,
    InvoiceFigures,
    InvoiceTerms,
    LineTerms,
    TaxRounding,
    invoice_figures,
)
from invoicing.invoices.enums import (
    PUBLISHED_STATUSES,
    UNPUBLISHED_STATUSES,
    EventType,
    InvoiceStatus,
    InvoiceType,
    RowType,
)
from invoicing.invoices.kernel import Actor, Change, NewId, new_event, new_id
from invoicing.invoices.limits import within_limits
from invoicing.invoices.model import (
    MAX_ROWS,
    Invoice,
    InvoiceCreate,
    InvoiceFields,
    Row,
    RowInput,
    TaxBreakdown,
)
from invoicing.invoices.publishing import with_due_date
from invoicing.money import round_money
from invoicing.recurring.schedule import agreed
from invoicing.scheduling.send_time import follow_invoice_date

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
        "feesTaxRate",
        "shippingTaxRate",
    }
)
#: what an issued invoice prints and states besides its figures (the buyer, how to pay, how amounts
#: and dates read): frozen with them once it is published. The seller is kept as issued and is never
#: edited. The note, the contact e-mail (where mail goes), references and mail texts stay editable:
#: the issued PDF is kept as rendered then, so they show only on later renditions (a paid copy).
FROZEN_FIELDS = FINANCIAL_FIELDS | {"customer", "paymentReference", "locale"}


def _row(row: RowInput, make_id: NewId) -> Row:
    """A row with its terms; `priced` computes its figures with the rest of the invoice."""
    zero = Decimal(0)
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
        total=zero,
        taxAmount=zero,
        totalWithTax=zero,
    )


def _has_amount(row: Row) -> bool:
    """A TEXT row is a line of text between rows: it carries no amount."""
    return row.type != RowType.TEXT


def invoice_terms(invoice: Invoice, rounding: TaxRounding) -> InvoiceTerms:
    return InvoiceTerms(
        currency=invoice.currency,
        discount_percentage=invoice.discountPercentage,
        fees_percentage=invoice.feesPercentage,
        fees_tax_rate=invoice.feesTaxRate,
        shipping_amount=invoice.shippingAmount,
        shipping_tax_rate=invoice.shippingTaxRate,
        paid=invoice.paid,
        rounding=rounding,
    )


def _figures(invoice: Invoice, rounding: TaxRounding) -> InvoiceFigures:
    lines = [
        LineTerms(row.quantity, row.unitPrice, row.discountPercentage, row.taxRate)
        for row in invoice.rows
        if _has_amount(row)
    ]
    return invoice_figures(lines, invoice_terms(invoice, rounding))


def figures_of(invoice: Invoice) -> InvoiceFigures:
    """The calculator's figures of `invoice`, equal to its stored ones, with the detail the invoice
    does not store (the allowances and charges per rate an e-invoice lists). Unprocessable for an
    invoice issued under calculation version 1: its figures follow no longer known detail."""
    if invoice.calculationVersion != CALCULATION_VERSION or invoice.taxRounding is None:
        raise Unprocessable(
            f"Invoice {invoice.invoiceNumber or invoice.id} was issued under calculation version "
            f"{invoice.calculationVersion}, whose figures have no per-rate allowances and charges."
        )
    return _figures(invoice, invoice.taxRounding)


def priced(invoice: Invoice, tax_rounding: TaxRounding | None = None) -> Invoice:
    """A draft's derived figures (rows, totals, tax breakdown, dueDate) recomputed from its terms,
    under the current calculation rule and `tax_rounding` (else the invoice's own, else PER_RATE).

    An issued invoice (any status but DRAFT and SCHEDULED) keeps the figures it was issued with,
    whatever rule it was computed by: it is returned as it is.
    """
    if invoice.status not in UNPUBLISHED_STATUSES:
        return invoice
    rounding = tax_rounding or invoice.taxRounding or TaxRounding.PER_RATE
    figures = _figures(invoice, rounding)
    line_figures = iter(figures.lines)
    zero = round_money(Decimal(0), invoice.currency)
    rows = []
    for row in invoice.rows:
        if _has_amount(row):
            line = next(line_figures)
            update = {"total": line.net, "taxAmount": line.tax_amount, "totalWithTax": line.total_with_tax}
        else:
            update = {"total": zero, "taxAmount": zero, "totalWithTax": zero}
        rows.append(row.model_copy(update=update))
    due_date = None
    if invoice.invoiceDate is not None:
        due_date = invoice.invoiceDate + timedelta(days=invoice.paymentTermDays or 0)
    return invoice.model_copy(
        update={
            "rows": rows,
            "dueDate": due_date,
            "calculationVersion": CALCULATION_VERSION,
            "taxRounding": rounding,
            "linesTotal": figures.lines_total,
            "totalExcludingTax": figures.total_excluding_tax,
            "totalTax": figures.total_tax,
            "totalWithTax": figures.total_with_tax,
            "discountAmount": figures.discount_amount,
            "feesAmount": figures.fees_amount,
            "shippingAmount": figures.shipping_amount,
            "total": figures.total_with_tax,
            "taxBreakdown": [
                TaxBreakdown(rate=item.rate, taxableAmount=item.taxable_amount, taxAmount=item.tax_amount)
                for item in figures.tax_breakdown
            ],
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


def create_invoice(
    fields: InvoiceCreate,
    *,
    actor: Actor,
    now: datetime,
    make_id: NewId = new_id,
    tax_rounding: TaxRounding = TaxRounding.PER_RATE,
) -> Change:
    """A new draft, priced with `tax_rounding` (the tenant's choice) for as long as it is a draft.
    Numbers are assigned when an invoice leaves DRAFT, never before."""
    fields = with_due_date(fields, fields.invoiceDate, now)
    values = fields.model_dump(exclude_unset=True, exclude={"rows", "type"})
    rows = [_row(row, make_id) for row in fields.rows]
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
    return Change(within_limits(priced(invoice, tax_rounding)), event)


def empty_invoice(
    currency: str,
    *,
    actor: Actor,
    now: datetime,
    make_id: NewId = new_id,
    tax_rounding: TaxRounding = TaxRounding.PER_RATE,
) -> Change:
    return create_invoice(
        InvoiceCreate(currency=currency), actor=actor, now=now, make_id=make_id, tax_rounding=tax_rounding
    )


def _ensure_editable(invoice: Invoice, changed: set[str]) -> None:
    if invoice.status == InvoiceStatus.CANCELLED:
        raise Conflict("A cancelled invoice cannot be changed.")
    if invoice.status == InvoiceStatus.ISSUED:
        raise Conflict(f"Credit note {invoice.invoiceNumber} is issued: it cannot be changed.")
    frozen = sorted(changed & FROZEN_FIELDS)
    if frozen and invoice.status in PUBLISHED_STATUSES:
        raise Conflict(
            f"The invoice is published, so what it prints is frozen: {', '.join(frozen)} "
            "cannot change. Cancel it and issue a new invoice instead.",
            field_errors={name: ["Frozen once the invoice is published."] for name in frozen},
        )


def touched(invoice: Invoice, actor: Actor, now: datetime, **update: object) -> Invoice:
    return invoice.model_copy(update={**update, "updated": now, "updatedBy": actor.subject})


def _may_be_empty(name: str) -> bool:
    """The stored invoice may lack `name` (its model allows None), so a null may clear it."""
    field = Invoice.model_fields.get(name)
    return field is not None and not field.is_required() and field.default is None


def _refuse_nulls(values: dict[str, object]) -> None:
    """A null for a field every invoice has (type, currency, rows, percentages...) is refused rather
    than stored: such an invoice could not be read back."""
    refused = sorted(name for name, value in values.items() if value is None and not _may_be_empty(name))
    if refused:
        raise ValidationFailed(
            f"{', '.join(refused)} cannot be empty: send a value or leave the field out.",
            field_errors={name: ["Send a value or leave the field out."] for name in refused},
        )


def update_invoice(
    invoice: Invoice, patch: InvoiceFields, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    """Apply the fields present in `patch`; `rows`, when present, replaces every row; a null clears."""
    dated = patch.invoiceDate if "invoiceDate" in patch.model_fields_set else invoice.invoiceDate
    patch = with_due_date(patch, dated, now)
    values = patch.model_dump(exclude_unset=True)
    _refuse_nulls(values)
    _ensure_editable(invoice, set(values))
    update: dict[str, object] = {name: getattr(patch, name) for name in values if name != "rows"}
    if patch.recurringAgreement is not None:
        update["recurringAgreement"] = agreed(
            patch.recurringAgreement, invoice.recurringAgreement, invoice.recurringInvoicesIssued
        )
    if "rows" in values and patch.rows is not None:
        rows = [_row(row, make_id) for row in patch.rows]
        _check_unique_row_ids(rows)
        update["rows"] = rows
    changed = ", ".join(sorted(values)) or "nothing"
    updated = follow_invoice_date(within_limits(priced(touched(invoice, actor, now, **update))), now)
    return Change(updated, new_event(actor, now, EventType.UPDATE, f"Updated {changed}.", make_id))


def add_row(
    invoice: Invoice, row: RowInput, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    _ensure_editable(invoice, {"rows"})
    if len(invoice.rows) >= MAX_ROWS:
        raise ValidationFailed(
            f"An invoice has at most {MAX_ROWS} rows.", field_errors={"rows": ["Too many rows."]}
        )
    new_row = _row(row, make_id)
    rows = [*invoice.rows, new_row]
    _check_unique_row_ids(rows)
    updated = within_limits(priced(touched(invoice, actor, now, rows=rows)))
    return Change(updated, new_event(actor, now, EventType.ROW_ADDED, f"Row {new_row.id} added.", make_id))


def remove_row(
    invoice: Invoice, row_id: str, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    _ensure_editable(invoice, {"rows"})
    rows = [row for row in invoice.rows if row.id != row_id]
    if len(rows) == len(invoice.rows):
        raise NotFound(f"Invoice {invoice.id} has no row {row_id}.")
    updated = within_limits(priced(touched(invoice, actor, now, rows=rows)))
    return Change(updated, new_event(actor, now, EventType.ROW_REMOVED, f"Row {row_id} removed.", make_id))


#: a character that is not blank, neither to Python (`str.isspace`) nor to ECMA-262 (`\s`): the one
#: class the code and the OpenAPI document (a pattern, read by JavaScript-minded tools) both judge by
NOT_BLANK = r"[^\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"


def add_comment(
    invoice: Invoice, text: str, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    comment = text.strip()
    if re.search(NOT_BLANK, comment) is None:
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
    if invoice.status not in UNPUBLISHED_STATUSES:
        raise Conflict(
            f"You can't delete published invoices. Invoice {invoice.invoiceNumber or invoice.id} is "
            f"{invoice.status.value}: only draft and scheduled invoices can be deleted."
        )
