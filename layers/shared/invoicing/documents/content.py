"""What an invoice PDF says: every string on the page, computed from the invoice, its seller and its
theme. The renderer only lays these strings out, so tests can check the content without a PDF.

Amounts are the invoice's computed fields (`invoicing.invoices.calculator`), formatted to the
currency's minor units; tax per rate sums the rows' already-rounded amounts and is never re-rounded.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from invoicing.documents.theme import Theme
from invoicing.invoices.enums import PUBLISHED_STATUSES, QuantityType, RowType
from invoicing.invoices.model import Address, Invoice, Row
from invoicing.money import ROUNDING, minor_units
from invoicing.tenants.model import Tenant

#: symbols written before the amount; every other currency is written as "1,234.50 PLN"
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "ILS": "₪"}
_UNITS = {
    QuantityType.AMOUNT: "",
    QuantityType.HOURS: "h",
    QuantityType.DAYS: "d",
    QuantityType.MONTHS: "mo",
    QuantityType.KILOGRAMS: "kg",
    QuantityType.LITERS: "l",
    QuantityType.METERS: "m",
}


def format_number(value: Decimal, places: int) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING):,.{places}f}"


def _with_currency(amount: Decimal, places: int, currency: str) -> str:
    number = format_number(abs(amount), places)
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def format_money(amount: Decimal, currency: str) -> str:
    """`€1,234.50`, `-¥1,235`, `12.345 KWD`: the currency's minor units, symbol or code."""
    return _with_currency(amount, minor_units(currency), currency)


def format_unit_price(amount: Decimal, currency: str) -> str:
    """Unit prices may be finer than the minor unit (0.0125 EUR per item): show every digit given."""
    exponent = amount.normalize().as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return _with_currency(amount, max(minor_units(currency), digits), currency)


def format_plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "") if whole.lstrip("-").isdigit() else text


def format_percent(value: Decimal) -> str:
    return f"{format_plain(value)} %"


def format_date(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else ""


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

    def fingerprint(self) -> str:
        """SHA-256 of everything that shapes the PDF: equal fingerprints, equal documents."""
        content = asdict(self) | {"theme": self.theme.model_dump()}
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _address(address: Address | None) -> list[str]:
    if address is None:
        return []
    place = " ".join(part for part in (address.zip, address.city) if part)
    return [line for line in (address.line1, address.line2, place, address.stateName) if line]


def _buyer(invoice: Invoice) -> tuple[str, ...]:
    customer = invoice.customer
    if customer is None:
        return tuple(line for line in (invoice.clientId, invoice.contactEmail) if line)
    person = " ".join(part for part in (customer.firstName, customer.lastName) if part)
    contact = f"Attn. {person}" if customer.companyName and person else person
    lines = [customer.companyName, contact]
    lines += _address(customer.billingAddress)
    lines.append(customer.email or invoice.contactEmail)
    return tuple(line for line in lines if line)


def _row_line(row: Row, currency: str) -> RowLine:
    text = " - ".join(part for part in (row.productName, row.description) if part)
    if row.sku:
        text = f"{text} ({row.sku})" if text else row.sku
    if row.type == RowType.TEXT:
        return RowLine(text, "", "", "", "", "", "")
    return RowLine(
        description=text,
        quantity=format_plain(row.quantity),
        unit=_UNITS[row.quantityType],
        unit_price=format_unit_price(row.unitPrice, currency),
        discount=format_percent(row.discountPercentage) if row.discountPercentage else "",
        tax_rate=format_percent(row.taxRate),
        amount=format_money(row.total, currency),
    )


def _taxes(invoice: Invoice) -> tuple[TaxLine, ...]:
    taxable: dict[Decimal, Decimal] = defaultdict(Decimal)
    tax: dict[Decimal, Decimal] = defaultdict(Decimal)
    for row in invoice.rows:
        if row.type != RowType.TEXT:
            taxable[row.taxRate.normalize()] += row.total
            tax[row.taxRate.normalize()] += row.taxAmount
    return tuple(
        TaxLine(
            format_percent(rate),
            format_money(taxable[rate], invoice.currency),
            format_money(tax[rate], invoice.currency),
        )
        for rate in sorted(taxable)
    )


def _totals(invoice: Invoice) -> tuple[tuple[str, str], ...]:
    def money(amount: Decimal) -> str:
        return format_money(amount, invoice.currency)

    lines = [("Subtotal", money(invoice.totalExcludingTax)), ("Tax", money(invoice.totalTax))]
    lines.append(("Total incl. tax", money(invoice.totalWithTax)))
    if invoice.discountAmount:
        lines.append(
            (f"Discount {format_percent(invoice.discountPercentage)}", money(-invoice.discountAmount))
        )
    if invoice.feesAmount:
        lines.append((f"Fees {format_percent(invoice.feesPercentage)}", money(invoice.feesAmount)))
    if invoice.shippingAmount:
        lines.append(("Shipping", money(invoice.shippingAmount)))
    lines += [
        ("Total due", money(invoice.total)),
        ("Paid", money(invoice.paid)),
        ("Balance due", money(invoice.total - invoice.paid)),
    ]
    return tuple(lines)


def _facts(invoice: Invoice) -> tuple[tuple[str, str], ...]:
    facts = [
        ("Invoice number", invoice.invoiceNumber or "Draft"),
        ("Invoice date", format_date(invoice.invoiceDate)),
        ("Due date", format_date(invoice.dueDate)),
        (
            "Payment terms",
            f"{invoice.paymentTermDays} days net" if invoice.paymentTermDays is not None else "",
        ),
        ("Payment reference", invoice.paymentReference or invoice.invoiceNumber or ""),
        ("Currency", invoice.currency),
    ]
    return tuple((label, value) for label, value in facts if value)


def pdf_file_name(invoice: Invoice) -> str:
    return f"invoice-{invoice.invoiceNumber or 'draft-' + invoice.id[:8]}.pdf"


def invoice_document(
    invoice: Invoice, seller: Tenant, theme: Theme, logo_sha256: str | None = None
) -> InvoiceDocument:
    published = invoice.status in PUBLISHED_STATUSES
    title = "Invoice" if published else f"Invoice ({invoice.status.value.lower()})"
    return InvoiceDocument(
        title=title,
        running_header=" · ".join(part for part in (seller.name, title, invoice.invoiceNumber) if part),
        seller=(seller.name, seller.sender_email),
        buyer=_buyer(invoice),
        facts=_facts(invoice),
        rows=tuple(_row_line(row, invoice.currency) for row in invoice.rows),
        taxes=_taxes(invoice),
        totals=_totals(invoice),
        notes=invoice.note,
        footer=theme.footerText,
        file_name=pdf_file_name(invoice),
        theme=theme,
        logo_sha256=logo_sha256,
    )
