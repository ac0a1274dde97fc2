"""Finding a tenant's invoices: a page of a search, or every match (or one page) as a CSV file.

The listing indexes come in through a Protocol (DynamoInvoiceSearch), the invoices through their
store and large exports through a file store (S3Exports), as in `invoicing.invoices.workflow`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from invoicing.clock import utc_now
from invoicing.invoices.csv_export import (
    CSV_CONTENT_TYPE,
    MAX_EXPORT_ROWS,
    ExportLocation,
    export_file_name,
    render_csv,
    response_size,
)
from invoicing.invoices.model import Invoice
from invoicing.invoices.paging import InvoicePage, invoice_page
from invoicing.invoices.search import Criteria, Found, SearchQuery, Sort
from invoicing.links import DownloadLink


class SearchIndex(Protocol):
    """The listing indexes: pages, whole results, and the header items exports read."""

    def page(self, tenant_id: str, query: SearchQuery, now: datetime) -> Found: ...

    def export_ids(
        self, tenant_id: str, criteria: Criteria, sort: Sort, now: datetime, max_rows: int
    ) -> list[str]: ...

    def headers(self, tenant_id: str, invoice_ids: Sequence[str]) -> list[Invoice]: ...


class InvoiceReader(Protocol):
    def get_many(self, tenant_id: str, invoice_ids: Iterable[str]) -> list[Invoice]: ...


class ExportFiles(Protocol):
    """Where exports too large for a response are kept and linked (S3Exports)."""

    def publish(
        self, tenant_id: str, body: bytes, *, content_type: str, file_name: str, now: datetime
    ) -> DownloadLink: ...


@dataclass(frozen=True)
class InlineCsv:
    """An export small enough to answer with."""

    file_name: str
    text: str


class InvoiceFinder:
    """`csv_inline_limit_bytes`: an export whose response body would be larger is stored and linked;
    `max_export_rows`: a whole export of more matches is refused (Unprocessable)."""

    def __init__(
        self,
        index: SearchIndex,
        invoices: InvoiceReader,
        exports: ExportFiles,
        *,
        csv_inline_limit_bytes: int,
        max_export_rows: int = MAX_EXPORT_ROWS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._index = index
        self._invoices = invoices
        self._exports = exports
        self.csv_inline_limit_bytes = csv_inline_limit_bytes
        self.max_export_rows = max_export_rows
        self._clock = clock

    def page(self, tenant_id: str, query: SearchQuery) -> InvoicePage:
        found = self._index.page(tenant_id, query, self._clock())
        return invoice_page(self._invoices.get_many(tenant_id, found.ids), found.total, query.page)

    def export_csv(
        self, tenant_id: str, query: SearchQuery, *, whole: bool, lines: bool, bom: bool
    ) -> InlineCsv | ExportLocation:
        """Every match (`whole`) or the query's page as CSV, per invoice from the header items or per
        invoice row (`lines`) from the invoices: the file itself, or where it was stored."""
        now = self._clock()
        if whole:
            ids = self._index.export_ids(tenant_id, query.criteria, query.sort, now, self.max_export_rows)
        else:
            ids = self._index.page(tenant_id, query, now).ids
        exported = self._invoices.get_many(tenant_id, ids) if lines else self._index.headers(tenant_id, ids)
        text = render_csv(exported, lines=lines, bom=bom)
        file_name = export_file_name(now)
        if response_size(text) <= self.csv_inline_limit_bytes:
            return InlineCsv(file_name, text)
        body = text.encode()
        link = self._exports.publish(
            tenant_id, body, content_type=CSV_CONTENT_TYPE, file_name=file_name, now=now
        )
        return ExportLocation(
            url=link.url, expiresAt=link.expires_at, rows=len(exported), sizeBytes=len(body)
        )
