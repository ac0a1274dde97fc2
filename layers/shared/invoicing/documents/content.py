"""What an invoice PDF says: every string on the page, computed from the invoice, its seller and its
theme. The renderer only lays these strings out, so tests can check the content without a PDF.

Amounts are the invoice's computed fields (`invoicing.invoices.calculator`), tax per rate is its
`taxBreakdown`, and every amount, number and date is written by `invoicing.formatting` in the
invoice's locale: nothing here computes a figure.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal

from invoicing.countries import country_name
from invoicing.documents.theme import Theme
from invoicing.formatting import format_date, format_money, format_number, format_percent, format_unit_price
from invoicing.invoices.calculator import LEGACY_CALCULATION_VERSION
from invoicing.invoices.enums import PUBLISHED_STATUSES, DocumentType, QuantityType, RowType
from invoicing.invoices.model import Address, Invoice, Row, SellerAddress
from invoicing.tenants.model import Tenant

_UNITS = {
    QuantityType.AMOUNT: "",
    QuantityType.HOURS: "h",
    QuantityType.DAYS: "d",
    QuantityType.MONTHS: "mo",
    QuantityType.KILOGRAMS: "kg",
    QuantityType.LITERS: "l",
    QuantityType.METERS: "m",
}


@dataclass(frozen=True)
class RowLine:
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount: str
    tax_rate: str
    amount: str


@dataclass(frozen=True)
class TaxLine:
    rate: str
    taxable: str
    tax: str


@dataclass(frozen=True)
class InvoiceDocument:
    title: str
    #: the line at the top of every page after the first
    running_header: str
    seller: tuple[str, ...]
    buyer: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]
    rows: tuple[RowLine, ...]
    taxes: tuple[TaxLine, ...]
    totals: tuple[tuple[str, str], ...]
    notes: str | None
    footer: str | None
    file_name: str
    theme: Theme
    logo_sha256: str | None
    #: a word printed across every page: DRAFT on a preview, PAID on the paid copy
    stamp: str | None = None

    def fingerprint(self) -> str:
        """SHA-256 of everything that shapes the PDF: equal fingerprints, equal documents."""
        content = asdict(self) | {"theme": self.theme.model_dump()}
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _address(address: Address | SellerAddress | None) -> list[str]:
    if address is None:
        return []
    place = " ".join(part for part in (address.zip, address.city) if part)
    state = address.stateName if isinstance(address, Address) else None
    country = country_name(address.country) if address.country else None
    return [line for line in (address.line1, address.line2, place, state, country) if line]


def _iban(iban: str) -> str:
    """In groups of four, as IBANs are printed: DE89 3704 0044 0532 0130 00."""
    return " ".join(iban[start : start + 4] for start in range(0, len(iban), 4))


def _seller(invoice: Invoice, tenant: Tenant) -> tuple[str, ...]:
    """The seller the invoice was issued by, as it was then; a draft (and an invoice issued before
    invoices kept their seller) shows the tenant's name and address."""
    seller = invoice.seller
    if seller is None:
        return (tenant.name, tenant.sender_email)
    labelled = (
        ("VAT ID", seller.vatId),
        ("Tax number", seller.taxNumber),
        ("IBAN", _iban(seller.iban) if seller.iban else None),
        ("BIC", seller.bic),
    )
    lines = [seller.legalName or tenant.name, *_address(seller.address), seller.email, seller.phone]
    lines += [f"{label} {value}" for label, value in labelled if value]
    lines.append(seller.paymentInstructions)
    return tuple(line for line in lines if line)


def _buyer(invoice: Invoice) -> tuple[str, ...]:
    customer = invoice.customer
    if customer is None:
        return tuple(line for line in (invoice.clientId, invoice.contactEmail) if line)
    person = " ".join(part for part in (customer.firstName, customer.lastName) if part)
    contact = f"Attn. {person}" if customer.companyName and person else person
    lines = [customer.companyName, contact]
    lines += _address(customer.billingAddress)
    lines.append(customer.email or invoice.contactEmail)
    lines.append(f"VAT ID {customer.vatId}" if customer.vatId else None)
    return tuple(line for line in lines if line)


def _row_line(row: Row, invoice: Invoice) -> RowLine:
    text = " - ".join(part for part in (row.productName, row.description) if part)
    if row.sku:
        text = f"{text} ({row.sku})" if text else row.sku
    if row.type == RowType.TEXT:
        return RowLine(text, "", "", "", "", "", "")
    currency, locale = invoice.currency, invoice.locale
    return RowLine(
        description=text,
        quantity=format_number(row.quantity, locale),
        unit=_UNITS[row.quantityType],
        unit_price=format_unit_price(row.unitPrice, currency, locale),
        discount=format_percent(row.discountPercentage, locale) if row.discountPercentage else "",
        tax_rate=format_percent(row.taxRate, locale),
        amount=format_money(row.total, currency, locale),
    )


def _taxes(invoice: Invoice) -> tuple[TaxLine, ...]:
    def money(amount: Decimal) -> str:
        return format_money(amount, invoice.currency, invoice.locale)

    return tuple(
        TaxLine(format_percent(item.rate, invoice.locale), money(item.taxableAmount), money(item.taxAmount))
        for item in invoice.taxBreakdown
    )


def _totals(invoice: Invoice) -> tuple[tuple[str, str], ...]:
    """Lines, the document allowance and charges, the totals without and with tax, what is paid and
    what is still due. An invoice of calculation version 1 prints its figures as that rule made them."""
    locale = invoice.locale

    def money(amount: Decimal) -> str:
        return format_money(amount, invoice.currency, locale)

    lines = [("Subtotal", money(invoice.linesTotal))]
    adjustments = []
    if invoice.discountAmount:
        adjustments.append(
            (f"Discount {format_percent(invoice.discountPercentage, locale)}", money(-invoice.discountAmount))
        )
    if invoice.feesAmount:
        adjustments.append(
            (f"Fees {format_percent(invoice.feesPercentage, locale)}", money(invoice.feesAmount))
        )
    if invoice.shippingAmount:
        adjustments.append(("Shipping", money(invoice.shippingAmount)))
    if invoice.calculationVersion == LEGACY_CALCULATION_VERSION:
        lines += [("Tax", money(invoice.totalTax)), ("Total incl. tax", money(invoice.totalWithTax))]
        lines += adjustments
    else:
        lines += adjustments
        if adjustments:
            lines.append(("Total excl. tax", money(invoice.totalExcludingTax)))
        lines.append(("Tax", money(invoice.totalTax)))
    if invoice.documentType is DocumentType.CREDIT_NOTE:
        return (*lines, ("Total credited", money(invoice.total)))
    lines += [("Total due", money(invoice.total)), ("Paid", money(invoice.paid))]
    if invoice.credited:
        lines.append(("Credited", money(invoice.credited)))
    lines.append(("Balance due", money(invoice.amountDue)))
    return tuple(lines)


def _facts(invoice: Invoice) -> tuple[tuple[str, str], ...]:
    credited = invoice.creditedInvoice
    if credited is not None:
        return (
            ("Credit note number", invoice.invoiceNumber or ""),
            ("Date", format_date(invoice.invoiceDate, invoice.locale)),
            (
                "Credits invoice",
                f"{credited.invoiceNumber} of {format_date(credited.invoiceDate, invoice.locale)}",
            ),
            ("Currency", invoice.currency),
        )
    facts = [
        ("Invoice number", invoice.invoiceNumber or "Draft"),
        ("Invoice date", format_date(invoice.invoiceDate, invoice.locale)),
        ("Due date", format_date(invoice.dueDate, invoice.locale)),
        (
            "Payment terms",
            f"{invoice.paymentTermDays} days net" if invoice.paymentTermDays is not None else "",
        ),
        ("Payment reference", invoice.paymentReference or invoice.invoiceNumber or ""),
        ("Currency", invoice.currency),
    ]
    return tuple((label, value) for label, value in facts if value)


def pdf_file_name(invoice: Invoice) -> str:
    kind = "credit-note" if invoice.documentType is DocumentType.CREDIT_NOTE else "invoice"
    return f"{kind}-{invoice.invoiceNumber or 'draft-' + invoice.id[:8]}.pdf"


def invoice_document(
    invoice: Invoice, seller: Tenant, theme: Theme, logo_sha256: str | None = None
) -> InvoiceDocument:
    published = invoice.status in PUBLISHED_STATUSES
    title = "Invoice" if published else f"Invoice ({invoice.status.value.lower()})"
    if invoice.documentType is DocumentType.CREDIT_NOTE:
        title = "Credit note"
    seller_lines = _seller(invoice, seller)
    return InvoiceDocument(
        title=title,
        running_header=" · ".join(part for part in (seller_lines[0], title, invoice.invoiceNumber) if part),
        seller=seller_lines,
        buyer=_buyer(invoice),
        facts=_facts(invoice),
        rows=tuple(_row_line(row, invoice) for row in invoice.rows),
        taxes=_taxes(invoice),
        totals=_totals(invoice),
        notes=invoice.note,
        footer=theme.footerText,
        file_name=pdf_file_name(invoice),
        theme=theme,
        logo_sha256=logo_sha256,
    )
