"""The optional late fee: a FEE row added to an OVERDUE invoice once per reminder step.

The row's id derives from the step (`late-fee-<days>d`), so a step charged twice (a job run twice,
two runs at once) finds its row and adds nothing. The row is priced by the one calculator, as the
invoice's other rows were, and the invoice keeps its status and due date.
"""

from __future__ import annotations

from decimal import Decimal

from invoicing.invoices.calculator import CALCULATION_VERSION
from invoicing.invoices.edits import priced
from invoicing.invoices.enums import InvoiceStatus, QuantityType, RowType
from invoicing.invoices.model import MAX_ROWS, Invoice, ReminderStep, Row
from invoicing.money import round_money
from invoicing.overdue.policy import LateFee, LateFeeType


def late_fee_row_id(step: ReminderStep) -> str:
    return f"late-fee-{step.daysAfterDue}d"


def late_fee_amount(fee: LateFee, invoice: Invoice) -> Decimal:
    """The fee in the invoice's currency: the fixed amount, or the percentage of the balance."""
    amount = fee.amount if fee.type is LateFeeType.FIXED else invoice.amountDue * fee.amount / 100
    return round_money(amount, invoice.currency)


def with_late_fee(invoice: Invoice, fee: LateFee, step: ReminderStep) -> Invoice:
    """`invoice` with the step's fee row, unless it has it already, there is nothing to charge, or
    its figures follow an older calculation rule (which cannot price a new row as it priced the rest)."""
    row_id = late_fee_row_id(step)
    if any(row.id == row_id for row in invoice.rows) or len(invoice.rows) >= MAX_ROWS:
        return invoice
    if invoice.calculationVersion != CALCULATION_VERSION or invoice.taxRounding is None:
        return invoice
    amount = late_fee_amount(fee, invoice)
    if amount <= 0:
        return invoice
    zero = Decimal(0)
    row = Row(
        id=row_id,
        type=RowType.FEE,
        description=f"Late fee: reminder {step.step}, {step.daysAfterDue} days after the due date",
        quantity=Decimal(1),
        quantityType=QuantityType.AMOUNT,
        unitPrice=amount,
        discountPercentage=zero,
        taxRate=zero,
        total=zero,
        taxAmount=zero,
        totalWithTax=zero,
    )
    draft = invoice.model_copy(update={"status": InvoiceStatus.DRAFT, "rows": [*invoice.rows, row]})
    return priced(draft, invoice.taxRounding).model_copy(
        update={"status": invoice.status, "dueDate": invoice.dueDate}
    )
