"""Credit notes: how an issued invoice is corrected (EN 16931 document type 381).

A credit note is a document of its own: numbered in its own series (`CN-{year}-{sequence:05d}`,
counter `credit-note#<year>`), issued at once with status ISSUED, and never changed afterwards. It
credits the whole invoice, or the rows it names (a row's quantity, or part of it, at the row's
price or a lower one). A whole credit takes over the invoice's discount, fees and shipping; a
partial one its discount and fees percentages only. Its figures come from the same calculator, with
the invoice's tax rounding.

Both documents link to each other (`creditedInvoice`, `creditNotes`), and the invoice's `credited`
grows by the credit note's total, which takes it off what is owed (`amountDue`): a credit that
settles the balance makes an unpaid invoice PAID. What all credit notes take off an invoice is at
most its total. Cancelling stays the way to void an unpaid invoice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from invoicing.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from invoicing.invoices.calculator import TaxRounding
from invoicing.invoices.edits import priced, touched
from invoicing.invoices.enums import PUBLISHED_STATUSES, DocumentType, EventType, InvoiceStatus
from invoicing.invoices.kernel import Actor, Change, NewId, new_event, new_id
from invoicing.invoices.lifecycle import NumberAssignment, NumberingPolicy, status_after_payments
from invoicing.invoices.limits import within_limits
from invoicing.invoices.model import (
    MAX_ROWS,
    Amount,
    ApiModel,
    CreditedInvoice,
    CreditNoteLink,
    Invoice,
    Quantity,
    Row,
    ShortText,
    Text,
)

CREDIT_NOTE_NUMBERS = NumberingPolicy("CN-{year}-{sequence:05d}", yearly_reset=True, series="credit-note")
MAX_CREDIT_NOTES = 100


class CreditedRow(ApiModel):
    rowId: ShortText
    quantity: Quantity | None = Field(
        default=None, description="How much of the row's quantity is credited; all of it when not sent."
    )
    unitPrice: Amount | None = Field(
        default=None, description="The price credited per unit; the row's own when not sent."
    )


class CreditNoteRequest(ApiModel):
    """`rows` names what is credited; without it the whole invoice is."""

    rows: Annotated[list[CreditedRow], Field(min_length=1, max_length=MAX_ROWS)] | None = None
    reason: Text | None = Field(default=None, description="Printed on the credit note as its note.")


def ensure_creditable(invoice: Invoice) -> None:
    if invoice.documentType is DocumentType.CREDIT_NOTE:
        raise Conflict(f"{invoice.invoiceNumber} is a credit note: credit the invoice it corrects instead.")
    if invoice.status not in PUBLISHED_STATUSES:
        raise Conflict(
            f"Only issued, uncancelled invoices can be credited; invoice "
            f"{invoice.invoiceNumber or invoice.id} is {invoice.status.value}. "
            "Cancel an unpaid invoice instead, or publish a draft first."
        )
    if len(invoice.creditNotes) >= MAX_CREDIT_NOTES:
        raise Conflict(f"An invoice has at most {MAX_CREDIT_NOTES} credit notes.")


def _credited_row(row: Row, credited: CreditedRow, index: int, make_id: NewId) -> Row:
    quantity = row.quantity if credited.quantity is None else credited.quantity
    unit_price = row.unitPrice if credited.unitPrice is None else credited.unitPrice
    field = f"rows[{index}]"
    if quantity * row.quantity <= 0 or abs(quantity) > abs(row.quantity):
        raise ValidationFailed(
            f"Row {row.id} has a quantity of {row.quantity}: credit up to that much of it.",
            field_errors={f"{field}.quantity": [f"Between 0 and {row.quantity}, not 0."]},
        )
    if unit_price * row.unitPrice < 0 or abs(unit_price) > abs(row.unitPrice):
        raise ValidationFailed(
            f"Row {row.id} is priced {row.unitPrice}: credit at most that per unit.",
            field_errors={f"{field}.unitPrice": [f"Between 0 and {row.unitPrice}."]},
        )
    return row.model_copy(update={"id": make_id(), "quantity": quantity, "unitPrice": unit_price})


def _rows(invoice: Invoice, request: CreditNoteRequest, make_id: NewId) -> list[Row]:
    if request.rows is None:
        return [row.model_copy(update={"id": make_id()}) for row in invoice.rows]
    by_id = {row.id: row for row in invoice.rows}
    rows = []
    for index, credited in enumerate(request.rows):
        row = by_id.get(credited.rowId)
        if row is None:
            raise NotFound(f"Invoice {invoice.invoiceNumber} has no row {credited.rowId}.")
        rows.append(_credited_row(row, credited, index, make_id))
    return rows


def credit_note_of(
    invoice: Invoice,
    request: CreditNoteRequest,
    number: NumberAssignment,
    *,
    actor: Actor,
    now: datetime,
    make_id: NewId = new_id,
) -> Change:
    """The credit note of `invoice` that `request` asks for, numbered `number`, and its event."""
    ensure_creditable(invoice)
    whole = request.rows is None
    zero = Decimal(0)
    draft = invoice.model_copy(
        update={
            "id": make_id(),
            "status": InvoiceStatus.DRAFT,
            "documentType": DocumentType.CREDIT_NOTE,
            "invoiceNumber": None,
            "invoiceDate": now.replace(hour=0, minute=0, second=0, microsecond=0),
            "paymentTermDays": None,
            "note": request.reason,
            "rows": _rows(invoice, request, make_id),
            "shippingAmount": invoice.shippingAmount if whole else zero,
            "recurringAgreement": None,
            "recurringTemplate": None,
            "recurringInvoicesIssued": 0,
            "paid": zero,
            "paidExcludingTax": zero,
            "credited": zero,
            "datePaid": None,
            "transactions": [],
            "attachments": [],
            "pdf": None,
            "paidPdf": None,
            "reminders": [],
            "overdueNotifiedAt": None,
            "nextReminder": None,
            "lastReminder": None,
            "sentMails": [],
            "events": [],
            "creditNotes": [],
            "creditedInvoice": CreditedInvoice(
                id=invoice.id,
                invoiceNumber=invoice.invoiceNumber or "",
                invoiceDate=invoice.invoiceDate or now,
            ),
            "created": now,
            "createdBy": actor.subject,
            "updated": now,
            "updatedBy": actor.subject,
            "version": 0,
        }
    )
    rounding = invoice.taxRounding or TaxRounding.PER_RATE
    credit_note = within_limits(priced(draft, rounding)).model_copy(
        update={"status": InvoiceStatus.ISSUED, "invoiceNumber": number.number, "dueDate": None}
    )
    if credit_note.total <= 0:
        raise ValidationFailed(
            "A credit note credits a positive amount; these rows credit nothing.",
            field_errors={"rows": ["Name rows whose credit is more than zero."]},
        )
    creditable = invoice.total - invoice.credited
    if credit_note.total > creditable:
        raise Unprocessable(
            f"The credit note would credit {credit_note.total} {invoice.currency}, but only {creditable} "
            f"{invoice.currency} of invoice {invoice.invoiceNumber} is left to credit.",
            field_errors={"rows": [f"Credit at most {creditable} {invoice.currency}."]},
        )
    description = f"Issued as {number.number}, crediting invoice {invoice.invoiceNumber}."
    return Change(credit_note, new_event(actor, now, EventType.CREDIT_NOTE_ISSUED, description, make_id))


def credited_by(
    invoice: Invoice, credit_note: Invoice, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    """The invoice once `credit_note` takes its total off what is owed."""
    link = CreditNoteLink(
        id=credit_note.id, invoiceNumber=credit_note.invoiceNumber or "", total=credit_note.total, created=now
    )
    credited = touched(
        invoice,
        actor,
        now,
        credited=invoice.credited + credit_note.total,
        creditNotes=[*invoice.creditNotes, link],
    )
    status = status_after_payments(credited, credited.paid, now)
    if status is not invoice.status:
        date_paid = now if status is InvoiceStatus.PAID else None
        credited = credited.model_copy(update={"status": status, "datePaid": date_paid})
    description = (
        f"Credited {credit_note.total} {invoice.currency} by credit note {credit_note.invoiceNumber}; "
        f"{credited.amountDue} {invoice.currency} left to pay, status {credited.status.value}."
    )
    return Change(credited, new_event(actor, now, EventType.CREDIT_NOTE_ISSUED, description, make_id))
