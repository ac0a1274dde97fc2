"""An issued invoice as an EN 16931 document: the invoice's own figures, its seller as issued, its buyer.

Nothing is computed afresh but the per-rate allowances and charges the invoice does not store, which
`edits.figures_of` derives with the calculator the invoice was priced with. What EN 16931 needs
and the invoice lacks (the seller's VAT id or tax number and address, the buyer's name and country)
is refused with Unprocessable, naming every missing field at once.

The amount due for payment is the total less what was paid (BR-CO-16): what credit notes take off
the invoice is stated on the credit notes, each an e-invoice of its own referring to this one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from invoicing.einvoice.document import (
    AMOUNT_QUANTUM,
    DocumentAdjustment,
    DocumentType,
    EInvoice,
    Line,
    Party,
    PaymentAccount,
    PostalAddress,
    TaxSubtotal,
    Totals,
)
from invoicing.errors import Conflict, Unprocessable
from invoicing.invoices import edits
from invoicing.invoices.calculator import CALCULATION_VERSION, AdjustmentKind
from invoicing.invoices.enums import ISSUED_STATUSES, QuantityType, RowType
from invoicing.invoices.model import Address, Invoice, Row

#: UN/ECE Recommendation 20 unit codes
UNIT_CODES = {
    QuantityType.AMOUNT: "C62",
    QuantityType.HOURS: "HUR",
    QuantityType.DAYS: "DAY",
    QuantityType.MONTHS: "MON",
    QuantityType.KILOGRAMS: "KGM",
    QuantityType.LITERS: "LTR",
    QuantityType.METERS: "MTR",
}
ADJUSTMENT_REASONS = {
    AdjustmentKind.DISCOUNT: "Discount",
    AdjustmentKind.FEES: "Fees",
    AdjustmentKind.SHIPPING: "Shipping",
    AdjustmentKind.ALLOWANCE: "Allowance",
    AdjustmentKind.CHARGE: "Charge",
}
MISSING = "Required for an EN 16931 e-invoice."


def _address(address: Address | None) -> PostalAddress | None:
    if address is None or address.country is None:
        return None
    return PostalAddress(address.country, address.line1, address.line2, address.city, address.zip)


def _line(row: Row, line_id: str) -> Line:
    quantity, price = row.quantity, row.unitPrice
    if price < 0:
        quantity, price = -quantity, -price
    gross = (quantity * price).quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_UP)
    allowance = gross - row.total if row.discountPercentage else Decimal(0)
    name = row.productName or row.description or row.sku or f"Line {line_id}"
    return Line(
        line_id=line_id,
        name=name,
        quantity=quantity,
        unit_code=UNIT_CODES[row.quantityType],
        net_price=price,
        net_amount=row.total,
        tax_rate=row.taxRate,
        description=row.description if row.productName and row.description else None,
        seller_item_id=row.sku,
        allowance=allowance,
    )


def tax_within_tolerance(invoice: Invoice) -> bool:
    """BR-CO-17 and BR-S-09 check each rate's tax against its taxable amount x rate, by magnitude, to
    less than one currency unit: per-rate rounding always is; per-line rounding of many lines can
    drift further."""
    for item in invoice.taxBreakdown:
        exact = abs(item.taxableAmount) * item.rate / 100
        if abs(abs(item.taxAmount) - exact.quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_UP)) >= 1:
            return False
    return True


def _amounts_fit(invoice: Invoice) -> bool:
    """EN 16931 writes amounts with at most two decimals (BR-DEC-*)."""
    amounts = [invoice.total, invoice.totalTax, invoice.paid, *(row.total for row in invoice.rows)]
    amounts += [item.taxableAmount for item in invoice.taxBreakdown]
    return all(amount == amount.quantize(AMOUNT_QUANTUM) for amount in amounts)


def _seller(invoice: Invoice, missing: dict[str, list[str]]) -> Party | None:
    seller = invoice.seller
    address = seller.address if seller is not None else None
    postal = None
    if address is not None and address.country:
        postal = PostalAddress(address.country, address.line1, address.line2, address.city, address.zip)
    if seller is None or not seller.legalName:
        missing["seller.legalName"] = [MISSING]
    if postal is None:
        missing["seller.address.country"] = [MISSING]
    if seller is None or not (seller.vatId or seller.taxNumber):
        missing["seller.vatId"] = ["Required for an EN 16931 e-invoice (or seller.taxNumber)."]
    if seller is None or not seller.legalName or postal is None:
        return None
    return Party(
        seller.legalName,
        postal,
        vat_id=seller.vatId,
        tax_number=seller.taxNumber,
        email=seller.email,
        phone=seller.phone,
    )


def _buyer(invoice: Invoice, missing: dict[str, list[str]]) -> Party | None:
    customer = invoice.customer
    name = postal = None
    if customer is not None:
        person = " ".join(part for part in (customer.firstName, customer.lastName) if part)
        name = customer.companyName or person or None
        postal = _address(customer.billingAddress)
    if not name:
        missing["customer.companyName"] = ["Required for an EN 16931 e-invoice (or the customer's name)."]
    if postal is None:
        missing["customer.billingAddress.country"] = [MISSING]
    if customer is None or not name or postal is None:
        return None
    return Party(name, postal, vat_id=customer.vatId, email=customer.email or invoice.contactEmail)


def einvoice_of(invoice: Invoice) -> EInvoice:
    """The issued invoice as an EN 16931 invoice; Conflict for a draft, Unprocessable naming what an
    e-invoice needs and the invoice lacks."""
    if invoice.status not in ISSUED_STATUSES or invoice.invoiceNumber is None:
        raise Conflict(
            f"Invoice {invoice.id} is {invoice.status.value}: only an issued invoice has an e-invoice."
        )
    missing: dict[str, list[str]] = {}
    if invoice.invoiceDate is None:
        missing["invoiceDate"] = [MISSING]
    seller, buyer = _seller(invoice, missing), _buyer(invoice, missing)
    if invoice.calculationVersion != CALCULATION_VERSION and (
        invoice.discountAmount or invoice.feesAmount or invoice.shippingAmount
    ):
        missing["calculationVersion"] = [
            "Its discount, fees or shipping were computed by the rule before EN 16931's model."
        ]
    if not tax_within_tolerance(invoice):
        missing["taxRounding"] = [
            "Rounded per line, its tax of a rate is further from the rate's taxable amount times the "
            "rate than EN 16931 allows (BR-CO-17: one currency unit)."
        ]
    if not _amounts_fit(invoice):
        missing["currency"] = [f"EN 16931 amounts have at most two decimals; {invoice.currency} has more."]
    if missing or seller is None or buyer is None or invoice.seller is None or invoice.invoiceDate is None:
        names = ", ".join(missing)
        raise Unprocessable(
            f"Invoice {invoice.invoiceNumber} cannot be written as an EN 16931 e-invoice: {names}.",
            field_errors=missing,
        )
    figures = edits.figures_of(invoice)
    amount_rows = [row for row in invoice.rows if row.type != RowType.TEXT]
    text_rows = [row.description for row in invoice.rows if row.type == RowType.TEXT and row.description]
    lines = tuple(_line(row, str(index)) for index, row in enumerate(amount_rows, start=1))
    adjustments = tuple(
        DocumentAdjustment(
            is_charge=item.is_charge,
            amount=item.amount,
            tax_rate=item.tax_rate,
            reason=ADJUSTMENT_REASONS[item.kind],
            base_amount=item.base_amount,
            percentage=item.percentage,
        )
        for item in figures.adjustments
    )
    issued_seller = invoice.seller
    terms = issued_seller.paymentInstructions or (
        f"{invoice.paymentTermDays} days net" if invoice.paymentTermDays is not None else None
    )
    credited = invoice.creditedInvoice
    return EInvoice(
        document_type=DocumentType.CREDIT_NOTE if credited is not None else DocumentType.INVOICE,
        number=invoice.invoiceNumber,
        issue_date=invoice.invoiceDate.date(),
        currency=invoice.currency,
        seller=seller,
        buyer=buyer,
        lines=lines,
        tax_subtotals=tuple(
            TaxSubtotal(item.rate, item.taxableAmount, item.taxAmount) for item in invoice.taxBreakdown
        ),
        totals=Totals(
            line_total=invoice.linesTotal,
            allowance_total=figures.allowances_total,
            charge_total=figures.charges_total,
            tax_exclusive=invoice.totalExcludingTax,
            tax_total=invoice.totalTax,
            tax_inclusive=invoice.totalWithTax,
            prepaid=invoice.paid,
            payable=invoice.totalWithTax - invoice.paid,
        ),
        adjustments=adjustments,
        due_date=invoice.dueDate.date() if invoice.dueDate else None,
        buyer_reference=invoice.clientId,
        payment_reference=invoice.paymentReference or invoice.invoiceNumber,
        payment_account=PaymentAccount(issued_seller.iban, issued_seller.bic) if issued_seller.iban else None,
        payment_terms=terms,
        notes=tuple(note for note in (invoice.note, *text_rows) if note),
        preceding_invoice=(credited.invoiceNumber, credited.invoiceDate.date()) if credited else None,
    )
