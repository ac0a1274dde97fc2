"""Invoices as CSV: one line per invoice (or per invoice row), RFC 4180, amounts exact to the minor unit.

- RFC 4180: comma-separated, CRLF line ends, a field holding a comma, quote or line break is quoted
  and its quotes doubled; the first line names the columns. With `bom` the file starts with a UTF-8
  byte-order mark, so Excel on Windows reads "Müller" rather than "MÃ¼ller".
- Amounts are the invoice's computed figures (`invoicing.invoices.calculator`), written with every
  digit of the currency's minor unit (1492.20 EUR, 1500 JPY, 1.250 KWD) and never neutralised, so a
  spreadsheet reads them as numbers. The tax breakdown is two columns per rate found in the export,
  after the fixed ones: `taxableAmount[19]` and `taxAmount[19]` (empty for an invoice without that
  rate). Invoices of calculation version 1 exported per invoice have their breakdown in their rows
  only, so their rate columns are empty.
- `lines=True` writes one line per invoice row instead (LINE_COLUMNS): the invoice it belongs to, then
  the row's terms and computed figures.
- CSV formula injection: the file may be opened by a spreadsheet whose list separator is `;`. It
  splits a cell we wrote as one, and the quotes we put around it no longer open its field, so even a
  line break inside the cell starts a new row there. Every part of a text cell between `,`, `;` and
  line breaks that would read as a formula (`=`, `+`, `-`, `@` or a full-width form of them after any
  blanks or quotes, or a leading tab), and a cell opening with a line break, is prefixed with an
  apostrophe, and the spreadsheet shows it as text.

An export is answered in the response when it fits (a Lambda response is at most 6 MB, and the body
travels JSON-escaped in it); a larger one is stored and answered with `303 See Other`, its link in
`Location` and in an `ExportLocation` body. One export holds at most MAX_EXPORT_ROWS invoices.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from pydantic import Field

from invoicing.clock import iso_utc
from invoicing.formatting import exact_amount
from invoicing.invoices.model import ApiModel, Invoice, Row

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BYTE_ORDER_MARK = "\ufeff"
FORMULA_SIGNS = "=+-@"
_CELL_BREAKS = re.compile("([,;\r\n])")
_BLANKS_AND_QUOTES = re.compile(r'[\s"]*')
MAX_EXPORT_ROWS = 20_000


class ExportLocation(ApiModel):
    """The answer to an export too large for the response (303): where to download it."""

    url: str = Field(description="Pre-signed GET link of the CSV file; also in the Location header.")
    expiresAt: datetime = Field(description="The link works until then.")
    rows: int = Field(description="Invoices in the file.")
    sizeBytes: int
    contentType: str = CSV_CONTENT_TYPE


def _reads_as_formula(part: str) -> bool:
    opening = _BLANKS_AND_QUOTES.match(part)
    lead = opening.group() if opening else ""
    first = part[len(lead) : len(lead) + 1]
    return "\t" in lead or (bool(first) and unicodedata.normalize("NFKC", first)[:1] in FORMULA_SIGNS)


def neutralise(text: str) -> str:
    """The text as a spreadsheet must show it: each part between `,`, `;` and line breaks that would
    read as a formula is escaped with `'`, whichever separator the spreadsheet splits on."""
    parts = _CELL_BREAKS.split(text)
    escaped = "".join(
        f"'{part}" if index % 2 == 0 and _reads_as_formula(part) else part for index, part in enumerate(parts)
    )
    return f"'{escaped}" if text.startswith(("\r", "\n")) else escaped


def _moment(value: datetime | None) -> str:
    return iso_utc(value) if value is not None else ""


def _customer_name(invoice: Invoice) -> str | None:
    customer = invoice.customer
    if customer is None:
        return None
    return " ".join(part for part in (customer.firstName, customer.lastName) if part) or None


_TEXT_COLUMNS: list[tuple[str, Callable[[Invoice], str | None]]] = [
    ("id", lambda invoice: invoice.id),
    ("invoiceNumber", lambda invoice: invoice.invoiceNumber),
    ("status", lambda invoice: invoice.status.value),
    ("type", lambda invoice: invoice.type.value),
    ("invoiceDate", lambda invoice: _moment(invoice.invoiceDate)),
    ("dueDate", lambda invoice: _moment(invoice.dueDate)),
    ("currency", lambda invoice: invoice.currency),
    ("clientId", lambda invoice: invoice.clientId),
    ("customerCompany", lambda invoice: invoice.customer.companyName if invoice.customer else None),
    ("customerName", _customer_name),
    ("customerEmail", lambda invoice: invoice.customer.email if invoice.customer else None),
    ("contactEmail", lambda invoice: invoice.contactEmail),
    ("opportunityId", lambda invoice: invoice.opportunityId),
    ("paymentReference", lambda invoice: invoice.paymentReference),
    ("note", lambda invoice: invoice.note),
]
_AMOUNT_COLUMNS: list[tuple[str, Callable[[Invoice], Decimal]]] = [
    ("totalExcludingTax", lambda invoice: invoice.totalExcludingTax),
    ("totalTax", lambda invoice: invoice.totalTax),
    ("totalWithTax", lambda invoice: invoice.totalWithTax),
    ("discountAmount", lambda invoice: invoice.discountAmount),
    ("feesAmount", lambda invoice: invoice.feesAmount),
    ("shippingAmount", lambda invoice: invoice.shippingAmount),
    ("total", lambda invoice: invoice.total),
    ("paid", lambda invoice: invoice.paid),
    ("amountDue", lambda invoice: invoice.amountDue),
]
_TIME_COLUMNS: list[tuple[str, Callable[[Invoice], datetime | None]]] = [
    ("datePaid", lambda invoice: invoice.datePaid),
    ("created", lambda invoice: invoice.created),
    ("updated", lambda invoice: invoice.updated),
]
COLUMNS = tuple(name for name, _ in (*_TEXT_COLUMNS, *_AMOUNT_COLUMNS, *_TIME_COLUMNS))


_LINE_INVOICE_COLUMNS = ("id", "invoiceNumber", "status", "invoiceDate", "currency", "customerCompany")
_INVOICE_TEXT = dict(_TEXT_COLUMNS)
_ROW_TEXT_COLUMNS: list[tuple[str, Callable[[Row], str | None]]] = [
    ("rowId", lambda row: row.id),
    ("rowType", lambda row: row.type.value),
    ("productName", lambda row: row.productName),
    ("sku", lambda row: row.sku),
    ("description", lambda row: row.description),
    ("quantityType", lambda row: row.quantityType.value),
]
_ROW_NUMBER_COLUMNS: list[tuple[str, Callable[[Row], Decimal]]] = [
    ("quantity", lambda row: row.quantity),
    ("unitPrice", lambda row: row.unitPrice),
    ("discountPercentage", lambda row: row.discountPercentage),
    ("taxRate", lambda row: row.taxRate),
]
_ROW_AMOUNT_COLUMNS: list[tuple[str, Callable[[Row], Decimal]]] = [
    ("total", lambda row: row.total),
    ("taxAmount", lambda row: row.taxAmount),
    ("totalWithTax", lambda row: row.totalWithTax),
]
LINE_COLUMNS = (
    *_LINE_INVOICE_COLUMNS,
    *(name for name, _ in _ROW_TEXT_COLUMNS),
    *(name for name, _ in _ROW_NUMBER_COLUMNS),
    *(name for name, _ in _ROW_AMOUNT_COLUMNS),
)


def _number(value: Decimal) -> str:
    """A quantity, price or rate with the digits it has: 1.5, 0.0125, 19."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _rates(invoices: list[Invoice]) -> list[Decimal]:
    return sorted({item.rate for invoice in invoices for item in invoice.taxBreakdown})


def tax_columns(rate: Decimal) -> tuple[str, str]:
    return f"taxableAmount[{_number(rate)}]", f"taxAmount[{_number(rate)}]"


def csv_line(invoice: Invoice, rates: list[Decimal]) -> list[str]:
    by_rate = {item.rate: item for item in invoice.taxBreakdown}
    breakdown: list[str] = []
    for rate in rates:
        item = by_rate.get(rate)
        breakdown += (
            [
                exact_amount(item.taxableAmount, invoice.currency),
                exact_amount(item.taxAmount, invoice.currency),
            ]
            if item is not None
            else ["", ""]
        )
    return [
        *(neutralise(value(invoice) or "") for _, value in _TEXT_COLUMNS),
        *(exact_amount(value(invoice), invoice.currency) for _, value in _AMOUNT_COLUMNS),
        *(_moment(value(invoice)) for _, value in _TIME_COLUMNS),
        *breakdown,
    ]


def row_lines(invoice: Invoice) -> list[list[str]]:
    """One line per row of `invoice`, each naming the invoice first."""
    owner = [neutralise(_INVOICE_TEXT[name](invoice) or "") for name in _LINE_INVOICE_COLUMNS]
    return [
        [
            *owner,
            *(neutralise(value(row) or "") for _, value in _ROW_TEXT_COLUMNS),
            *(_number(value(row)) for _, value in _ROW_NUMBER_COLUMNS),
            *(exact_amount(value(row), invoice.currency) for _, value in _ROW_AMOUNT_COLUMNS),
        ]
        for row in invoice.rows
    ]


def render_csv(invoices: Iterable[Invoice], *, lines: bool = False, bom: bool = False) -> str:
    """The header line, then one line per invoice (or per invoice row with `lines`); a UTF-8
    byte-order mark first with `bom`. Per-invoice exports need the invoices' headers only; per-row
    ones need their rows."""
    exported = list(invoices)
    output = io.StringIO(newline="")
    if bom:
        output.write(BYTE_ORDER_MARK)
    writer = csv.writer(output, lineterminator="\r\n")
    if lines:
        writer.writerow(LINE_COLUMNS)
        for invoice in exported:
            writer.writerows(row_lines(invoice))
    else:
        rates = _rates(exported)
        writer.writerow([*COLUMNS, *(name for rate in rates for name in tax_columns(rate))])
        writer.writerows(csv_line(invoice, rates) for invoice in exported)
    return output.getvalue()


def response_size(text: str) -> int:
    """Bytes `text` takes as the body of a Lambda proxy response (JSON-escaped, ASCII only)."""
    return len(json.dumps(text))


def export_file_name(now: datetime) -> str:
    return f"invoices-{now:%Y%m%d-%H%M%S}.csv"
