"""The invoice state machine (seeds 001 and 003), invoice numbers and payments.

    DRAFT --schedule--> SCHEDULED
      |                    |
      +--publish / mark-as-sent / send--> SENT <--> PARTIALLY_PAID <--> PAID
                                           |   \\-- due date passed (overdue job) --> OVERDUE
                                 SENT, OVERDUE --cancel--> CANCELLED

A number is assigned when an invoice leaves DRAFT, in the same transaction as the status change.
After every payment change the status follows from what is paid: nothing -> SENT (OVERDUE once the
due date has passed), part -> PARTIALLY_PAID, everything -> PAID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from invoicing.errors import Conflict, NotFound, ValidationFailed
from invoicing.invoices.edits import priced, touched
from invoicing.invoices.enums import (
    CANCELLABLE_STATUSES,
    OWED_STATUSES,
    PUBLISHED_STATUSES,
    UNPUBLISHED_STATUSES,
    EventType,
    InvoiceStatus,
    PaymentMethod,
)
from invoicing.invoices.kernel import Actor, Change, NewId, new_event, new_id
from invoicing.invoices.model import Invoice, Seller, Transaction
from invoicing.money import is_exact, minor_units, round_money
from invoicing.scheduling.sending import plan_after_publishing
from invoicing.tenants.model import DEFAULT_NUMBER_FORMAT, Tenant, validate_number_format

MAX_PAYMENTS = 500
MARKED_AS_PAID = "Marked as paid"


@dataclass(frozen=True)
class NumberingPolicy:
    """A tenant's invoice number format (`{year}`, `{sequence}` with format specs) and reset rule."""

    number_format: str = DEFAULT_NUMBER_FORMAT
    yearly_reset: bool = True
    #: the counter's name: each series is numbered on its own (invoices, credit notes)
    series: str = "invoice"

    def __post_init__(self) -> None:
        validate_number_format(self.number_format)

    @classmethod
    def of(cls, tenant: Tenant) -> NumberingPolicy:
        return cls(tenant.number_format, tenant.yearly_number_reset)

    def counter_for(self, year: int) -> str:
        """The counter that numbers an invoice of `year`: one per year, or one for ever."""
        return f"{self.series}#{year}" if self.yearly_reset else self.series

    def render(self, year: int, sequence: int) -> str:
        return self.number_format.format(year=year, sequence=sequence)


@dataclass(frozen=True)
class NumberAssignment:
    """The next number of a counter. Storage moves the counter from `sequence - 1` to `sequence`
    conditionally, in the publishing transaction: racing publishers never share or skip a number."""

    counter: str
    sequence: int
    number: str


def numbering_year(invoice: Invoice, now: datetime) -> int:
    return (invoice.invoiceDate or now).year


def next_number(policy: NumberingPolicy, year: int, current_sequence: int) -> NumberAssignment:
    sequence = current_sequence + 1
    return NumberAssignment(policy.counter_for(year), sequence, policy.render(year, sequence))


def _refused(invoice: Invoice, action: str, allowed: str) -> Conflict:
    return Conflict(
        f"Only invoices in {allowed} status can be {action}; invoice {invoice.invoiceNumber or invoice.id} "
        f"is {invoice.status.value}."
    )


def ensure_publishable(invoice: Invoice) -> None:
    if invoice.status not in UNPUBLISHED_STATUSES:
        raise _refused(invoice, "published", "draft or scheduled")
    if not invoice.rows:
        raise Conflict(f"Invoice {invoice.id} has no rows; add at least one before publishing it.")


def publish(
    invoice: Invoice,
    number: NumberAssignment,
    *,
    actor: Actor,
    now: datetime,
    seller: Seller | None = None,
    make_id: NewId = new_id,
) -> Change:
    """DRAFT or SCHEDULED -> SENT, numbered (mark-as-sent, publish, send). An invoice without an
    invoice date is dated today. It keeps `seller` (the tenant's, as it is now) as its seller."""
    ensure_publishable(invoice)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    issued_figures = priced(touched(invoice, actor, now, invoiceDate=invoice.invoiceDate or today))
    published = issued_figures.model_copy(
        update={"status": InvoiceStatus.SENT, "invoiceNumber": number.number}
    )
    published = plan_after_publishing(published.model_copy(update={"seller": seller}))
    description = f"Published as {number.number}: {invoice.status.value} -> SENT."
    return Change(published, new_event(actor, now, EventType.STATUS_CHANGED, description, make_id))


def cancel(invoice: Invoice, *, actor: Actor, now: datetime, make_id: NewId = new_id) -> Change:
    if invoice.status not in CANCELLABLE_STATUSES:
        raise Conflict(
            "Only invoices in published (Due, Past Due) status and not paid can be canceled. "
            f"Invoice {invoice.invoiceNumber or invoice.id} is {invoice.status.value}."
        )
    cancelled = touched(invoice, actor, now, status=InvoiceStatus.CANCELLED, nextReminder=None)
    description = (
        f"Cancelled: {invoice.status.value} -> CANCELLED. Number {invoice.invoiceNumber} stays used."
    )
    return Change(cancelled, new_event(actor, now, EventType.STATUS_CHANGED, description, make_id))


def outstanding(invoice: Invoice) -> Decimal:
    """What is left to pay: the total less payments and credit notes."""
    return invoice.amountDue


def status_after_payments(invoice: Invoice, paid: Decimal, now: datetime) -> InvoiceStatus:
    """What `paid` makes of the invoice; its credit notes count as settled too."""
    if paid + invoice.credited >= invoice.total:
        return InvoiceStatus.PAID
    if paid > 0:
        return InvoiceStatus.PARTIALLY_PAID
    if invoice.dueDate is not None and invoice.dueDate < now:
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.SENT


def _date_paid_in_full(transactions: list[Transaction], total: Decimal) -> datetime | None:
    """The date of the payment that brought what is paid up to `total`, in the order they were
    recorded: a balance marked as paid on the 30th after a part paid on the 1st was paid on the 30th."""
    paid = Decimal(0)
    for transaction in transactions:
        paid += transaction.amount
        if paid >= total:
            return transaction.date
    return None


def _with_transactions(
    invoice: Invoice, transactions: list[Transaction], *, actor: Actor, now: datetime
) -> Invoice:
    paid = sum((transaction.amount for transaction in transactions), Decimal(0))
    ratio = paid / invoice.total if invoice.total else Decimal(0)
    paid_excluding_tax = round_money(invoice.totalExcludingTax * ratio, invoice.currency)
    status = status_after_payments(invoice, paid, now)
    settled = invoice.total - invoice.credited
    date_paid = _date_paid_in_full(transactions, settled) if status == InvoiceStatus.PAID else None
    #: a paid invoice has no reminder planned (the overdue job plans what is owed again)
    next_reminder = None if status == InvoiceStatus.PAID else invoice.nextReminder
    return touched(
        invoice,
        actor,
        now,
        transactions=transactions,
        paid=paid,
        paidExcludingTax=paid_excluding_tax,
        datePaid=date_paid,
        status=status,
        nextReminder=next_reminder,
    )


def add_payment(
    invoice: Invoice,
    amount: Decimal,
    paid_on: datetime,
    method: PaymentMethod,
    *,
    actor: Actor,
    now: datetime,
    description: str | None = None,
    make_id: NewId = new_id,
) -> Change:
    """Record a payment; it must be positive, exact to the minor unit and not exceed what is owed."""
    if invoice.status not in OWED_STATUSES:
        raise _refused(invoice, "paid", "published (SENT, OVERDUE, PARTIALLY_PAID)")
    if amount <= 0 or not is_exact(amount, invoice.currency):
        raise ValidationFailed(
            f"A payment must be a positive amount in whole {invoice.currency} minor units.",
            field_errors={"amount": [f"Positive, at most {minor_units(invoice.currency)} decimals."]},
        )
    owed = outstanding(invoice)
    if amount > owed:
        raise ValidationFailed(
            f"The payment of {amount} {invoice.currency} exceeds the outstanding {owed} {invoice.currency}.",
            field_errors={"amount": [f"At most {owed}."]},
        )
    if len(invoice.transactions) >= MAX_PAYMENTS:
        raise Conflict(f"An invoice records at most {MAX_PAYMENTS} payments.")
    transaction = Transaction(
        id=make_id(),
        tenantId=invoice.tenantId,
        amount=amount,
        date=paid_on,
        description=description,
        paymentMethod=method,
        created=now,
        createdBy=actor.subject,
        updated=now,
        updatedBy=actor.subject,
    )
    updated = _with_transactions(invoice, [*invoice.transactions, transaction], actor=actor, now=now)
    text = f"Payment {transaction.id} of {amount} {invoice.currency} recorded; status {updated.status.value}."
    return Change(updated, new_event(actor, now, EventType.PAYMENT_ADDED, text, make_id))


def remove_payment(
    invoice: Invoice, transaction_id: str, *, actor: Actor, now: datetime, make_id: NewId = new_id
) -> Change:
    if invoice.status not in PUBLISHED_STATUSES:
        raise _refused(invoice, "changed", "published or paid")
    remaining = [transaction for transaction in invoice.transactions if transaction.id != transaction_id]
    if len(remaining) == len(invoice.transactions):
        raise NotFound(f"Invoice {invoice.id} has no payment {transaction_id}.")
    updated = _with_transactions(invoice, remaining, actor=actor, now=now)
    text = f"Payment {transaction_id} removed; status {updated.status.value}."
    return Change(updated, new_event(actor, now, EventType.PAYMENT_REMOVED, text, make_id))


def mark_as_paid(
    invoice: Invoice,
    paid_on: datetime,
    *,
    actor: Actor,
    now: datetime,
    method: PaymentMethod = PaymentMethod.OTHER,
    make_id: NewId = new_id,
) -> Change:
    """Record the outstanding balance as one payment on `paid_on`, paid by `method`."""
    if invoice.status not in OWED_STATUSES:
        raise Conflict(
            "Only invoices in published (Due, Past Due) status and not paid can be marked as paid. "
            f"Invoice {invoice.invoiceNumber or invoice.id} is {invoice.status.value}."
        )
    return add_payment(
        invoice,
        outstanding(invoice),
        paid_on,
        method,
        actor=actor,
        now=now,
        description=MARKED_AS_PAID,
        make_id=make_id,
    )


def unmark_as_paid(invoice: Invoice, *, actor: Actor, now: datetime, make_id: NewId = new_id) -> Change:
    """Remove exactly the payment that mark-as-paid recorded."""
    if invoice.status != InvoiceStatus.PAID:
        raise _refused(invoice, "unmarked as paid", "PAID")
    marked = [t for t in invoice.transactions if t.description == MARKED_AS_PAID]
    if not marked:
        raise Conflict(
            f"Invoice {invoice.invoiceNumber or invoice.id} was paid by payments, not marked as paid."
        )
    return remove_payment(invoice, marked[-1].id, actor=actor, now=now, make_id=make_id)
