"""Finding invoices as a use case: a page in the index's order, and the CSV export answered inline
or stored and linked, from header items per invoice or from the invoices per row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from devtools.invoice_fixtures import new_invoice
from invoicing.errors import Unprocessable
from invoicing.invoices.csv_export import CSV_CONTENT_TYPE, ExportLocation, response_size
from invoicing.invoices.finding import InlineCsv, InvoiceFinder
from invoicing.invoices.model import Invoice
from invoicing.invoices.search import Criteria, Found, PageRequest, SearchQuery, Sort
from invoicing.links import DownloadLink

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


class InMemoryIndex:
    """Every invoice matches, in the order given; `headers` leaves the rows out, as header items do."""

    def __init__(self, invoices: list[Invoice]) -> None:
        self.invoices = {invoice.id: invoice for invoice in invoices}

    def page(self, tenant_id: str, query: SearchQuery, now: datetime) -> Found:
        ids = list(self.invoices)
        return Found(ids[query.page.offset : query.page.offset + query.page.size], len(ids))

    def export_ids(
        self, tenant_id: str, criteria: Criteria, sort: Sort, now: datetime, max_rows: int
    ) -> list[str]:
        if len(self.invoices) > max_rows:
            raise Unprocessable("too many")
        return list(self.invoices)

    def headers(self, tenant_id: str, invoice_ids: Sequence[str]) -> list[Invoice]:
        return [self.invoices[i].model_copy(update={"rows": []}) for i in invoice_ids]


class InMemoryInvoices:
    def __init__(self, invoices: list[Invoice]) -> None:
        self.invoices = {invoice.id: invoice for invoice in invoices}

    def get_many(self, tenant_id: str, invoice_ids: Iterable[str]) -> list[Invoice]:
        return [self.invoices[i] for i in invoice_ids]


class InMemoryExports:
    def __init__(self) -> None:
        self.published: list[tuple[str, bytes, str, str]] = []

    def publish(
        self, tenant_id: str, body: bytes, *, content_type: str, file_name: str, now: datetime
    ) -> DownloadLink:
        self.published.append((tenant_id, body, content_type, file_name))
        return DownloadLink(f"https://exports/{file_name}", now + timedelta(minutes=15))


def finder(count: int = 3) -> tuple[InvoiceFinder, InMemoryExports]:
    invoices = [
        new_invoice("acme", invoice_number=f"INV-{n}", rows=[{"quantity": 1, "unitPrice": n}])[0]
        for n in range(1, count + 1)
    ]
    exports = InMemoryExports()
    found = InvoiceFinder(
        InMemoryIndex(invoices),
        InMemoryInvoices(invoices),
        exports,
        csv_inline_limit_bytes=1_000_000,
        clock=lambda: NOW,
    )
    return found, exports


def numbers(text: str, column: str = "invoiceNumber") -> list[str]:
    return [line[column] for line in csv.DictReader(io.StringIO(text, newline=""))]


def test_a_page_holds_the_invoices_of_the_index_page_and_the_total():
    found, _ = finder(count=5)

    page = found.page("acme", SearchQuery(page=PageRequest(1, 2)))

    assert [invoice.invoiceNumber for invoice in page.content] == ["INV-3", "INV-4"]
    assert (page.totalElements, page.totalPages, page.number, page.last) == (5, 3, 1, False)


def test_a_small_export_is_answered_inline_with_a_timestamped_name():
    found, exports = finder()

    exported = found.export_csv("acme", SearchQuery(), whole=True, lines=False, bom=False)

    assert isinstance(exported, InlineCsv)
    assert exported.file_name == "invoices-20261122-093000.csv"
    assert numbers(exported.text) == ["INV-1", "INV-2", "INV-3"]
    assert exports.published == []


def test_an_export_of_one_page_holds_that_page_only():
    found, _ = finder(count=5)

    exported = found.export_csv(
        "acme", SearchQuery(page=PageRequest(2, 2)), whole=False, lines=False, bom=False
    )

    assert isinstance(exported, InlineCsv)
    assert numbers(exported.text) == ["INV-5"]


def test_an_export_per_row_reads_the_invoices_rows():
    found, _ = finder(count=2)

    exported = found.export_csv("acme", SearchQuery(), whole=True, lines=True, bom=True)

    assert isinstance(exported, InlineCsv)
    assert exported.text.startswith("\ufeff")
    assert numbers(exported.text.removeprefix("\ufeff")) == ["INV-1", "INV-2"]


def test_an_export_over_the_inline_limit_is_stored_and_located():
    found, exports = finder()
    text = found.export_csv("acme", SearchQuery(), whole=True, lines=False, bom=False)
    assert isinstance(text, InlineCsv)
    found.csv_inline_limit_bytes = response_size(text.text) - 1

    exported = found.export_csv("acme", SearchQuery(), whole=True, lines=False, bom=False)

    assert exported == ExportLocation(
        url="https://exports/invoices-20261122-093000.csv",
        expiresAt=NOW + timedelta(minutes=15),
        rows=3,
        sizeBytes=len(text.text.encode()),
    )
    assert exports.published == [
        ("acme", text.text.encode(), CSV_CONTENT_TYPE, "invoices-20261122-093000.csv")
    ]


def test_a_whole_export_of_more_than_max_export_rows_is_refused():
    found, exports = finder(count=3)
    found.max_export_rows = 2

    with pytest.raises(Unprocessable):
        found.export_csv("acme", SearchQuery(), whole=True, lines=False, bom=False)
    assert exports.published == []
