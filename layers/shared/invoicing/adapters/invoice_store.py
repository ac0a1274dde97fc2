"""Invoices in the single table: one partition per invoice, read back with one Query.

Items of the partition `TENANT#<tenantId>#INVOICE#<invoiceId>`:
- `INVOICE`            header: the invoice document without rows and events, its `version` and the
                       index attributes of `invoice_items.header_index_attributes`
- `ROWS#000`, ...      rows, in chunks of at most ROW_CHUNK_BYTES so 1,000 rows fit any item limit
- `EVENT#<version>`     the audit trail, one item per change (numbered by the version it made), so
                       it can grow without bound and keeps its order

Every change writes the header (conditional on the version it read), its row chunks and its new
event in one transaction. The tenant is part of the key, so another tenant's id never matches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from invoicing.adapters.dynamodb import bind, transaction_connection
from invoicing.adapters.invoice_items import InvoiceItem, header_index_attributes, invoice_key, tenant_key
from invoicing.errors import Conflict, DependencyUnavailable, NotFound
from invoicing.invoices.model import Event, Invoice, Row

HEADER = "INVOICE"
ROWS_PREFIX = "ROWS#"
EVENT_PREFIX = "EVENT#"
ROW_CHUNK_BYTES = 300_000
BATCH_GET_LIMIT = 100


def _dump(value: Any) -> str:
    """JSON for storage: Decimals as strings, so nothing passes through a float."""
    return json.dumps(value, default=str, separators=(",", ":"), ensure_ascii=False)


def _row_chunks(rows: Sequence[Row]) -> list[str]:
    chunks: list[str] = []
    current: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        document = row.model_dump(mode="python")
        row_size = len(_dump(document).encode())
        if current and size + row_size > ROW_CHUNK_BYTES:
            chunks.append(_dump(current))
            current, size = [], 0
        current.append(document)
        size += row_size
    if current:
        chunks.append(_dump(current))
    return chunks


class DynamoInvoiceRepository:
    def __init__(self, table_name: str) -> None:
        self._items: type[InvoiceItem] = bind(InvoiceItem, table_name)

    # --- reads -------------------------------------------------------------------------------

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        """The whole invoice with rows and events (one Query); NotFound for another tenant's id."""
        try:
            items = list(self._items.query(invoice_key(tenant_id, invoice_id), consistent_read=True))
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading invoice failed: {error.msg}") from error
        header = next((item for item in items if item.sk == HEADER), None)
        if header is None:
            raise NotFound(f"Invoice {invoice_id} does not exist.")
        rows = [item for item in items if item.sk.startswith(ROWS_PREFIX)]
        events = [item for item in items if item.sk.startswith(EVENT_PREFIX)]
        return self._assemble(header, rows, events)

    def get_many(self, tenant_id: str, invoice_ids: Iterable[str]) -> list[Invoice]:
        """Invoices (without events) in the order asked; ids that do not exist are left out."""
        wanted = list(dict.fromkeys(invoice_ids))
        headers = self._batch_get([(invoice_key(tenant_id, invoice_id), HEADER) for invoice_id in wanted])
        chunk_keys = [
            (header.pk, f"{ROWS_PREFIX}{index:03d}")
            for header in headers
            for index in range(int(header.rowChunks or 0))
        ]
        chunks_by_invoice: dict[str, list[InvoiceItem]] = {}
        for chunk in sorted(self._batch_get(chunk_keys), key=lambda item: item.sk):
            chunks_by_invoice.setdefault(chunk.pk, []).append(chunk)
        by_key = {
            header.pk: self._assemble(header, chunks_by_invoice.get(header.pk, []), []) for header in headers
        }
        return [by_key[key] for key in (invoice_key(tenant_id, i) for i in wanted) if key in by_key]

    def ids_by_opportunity(self, tenant_id: str, opportunity_id: str, limit: int) -> list[str]:
        key = f"{tenant_key(tenant_id)}#OPPORTUNITY#{opportunity_id}"
        return self._index_ids("ByOpportunity", key, limit, newest_first=True)

    def ids_by_invoice_date(self, tenant_id: str, limit: int) -> list[str]:
        return self._index_ids("ByInvoiceDate", tenant_key(tenant_id), limit, newest_first=True)

    def _index_ids(self, index: str, hash_key: str, limit: int, *, newest_first: bool) -> list[str]:
        try:
            results = self._items.query(
                hash_key, index_name=index, scan_index_forward=not newest_first, limit=limit, page_size=limit
            )
            return [item.pk.rsplit("#", 1)[1] for item in results]
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Listing invoices failed: {error.msg}") from error

    def _batch_get(self, keys: list[tuple[str, str]]) -> list[InvoiceItem]:
        if not keys:
            return []
        try:
            return list(self._items.batch_get(keys))
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading invoices failed: {error.msg}") from error

    def _assemble(
        self, header: InvoiceItem, row_items: Sequence[InvoiceItem], event_items: Sequence[InvoiceItem]
    ) -> Invoice:
        document = json.loads(header.doc or "{}")
        document["rows"] = [
            row for item in sorted(row_items, key=lambda i: i.sk) for row in json.loads(item.doc or "[]")
        ]
        document["events"] = [json.loads(item.doc or "{}") for item in event_items]
        document["version"] = int(header.version or 0)
        return Invoice.model_validate(document)

    # --- writes ------------------------------------------------------------------------------

    def _header(self, invoice: Invoice, row_chunks: int) -> InvoiceItem:
        document = invoice.model_dump(mode="python", exclude={"rows", "events", "version", "additionalNotes"})
        return self._items(
            pk=invoice_key(invoice.tenantId, invoice.id),
            sk=HEADER,
            doc=_dump(document),
            version=invoice.version,
            status=invoice.status.value,
            rowChunks=row_chunks,
            **header_index_attributes(invoice),
        )

    def _event_item(self, invoice: Invoice, event: Event) -> InvoiceItem:
        return self._items(
            pk=invoice_key(invoice.tenantId, invoice.id),
            sk=f"{EVENT_PREFIX}{invoice.version:010d}",
            doc=_dump(event.model_dump(mode="python")),
        )

    def create(self, invoice: Invoice, event: Event) -> Invoice:
        stored = invoice.model_copy(update={"version": 1, "events": [event]})
        self._write(stored, event, previous_chunks=0, expected_version=None)
        return stored

    def save(self, invoice: Invoice, event: Event, *, previous: Invoice) -> Invoice:
        """Write the changed invoice if nobody changed it since `previous` was read; else Conflict."""
        stored = invoice.model_copy(
            update={"version": previous.version + 1, "events": [*previous.events, event]}
        )
        self._write(
            stored, event, previous_chunks=len(_row_chunks(previous.rows)), expected_version=previous.version
        )
        return stored

    def _items_of(self, invoice: Invoice, event: Event) -> tuple[InvoiceItem, list[InvoiceItem], InvoiceItem]:
        """The header, row chunks and event item that store `invoice` after `event`."""
        key = invoice_key(invoice.tenantId, invoice.id)
        chunks = [
            self._items(pk=key, sk=f"{ROWS_PREFIX}{index:03d}", doc=chunk)
            for index, chunk in enumerate(_row_chunks(invoice.rows))
        ]
        return self._header(invoice, len(chunks)), chunks, self._event_item(invoice, event)

    def _write(
        self, invoice: Invoice, event: Event, *, previous_chunks: int, expected_version: int | None
    ) -> None:
        header, chunks, event_item = self._items_of(invoice, event)
        items = self._items
        condition = (
            items.pk.does_not_exist() if expected_version is None else items.version == expected_version
        )
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.save(header, condition=condition)
                for chunk in chunks:
                    transaction.save(chunk)
                for index in range(len(chunks), previous_chunks):
                    transaction.delete(items(pk=header.pk, sk=f"{ROWS_PREFIX}{index:03d}"))
                transaction.save(event_item)
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise Conflict(
                    f"Invoice {invoice.id} was changed by another request; read it again and retry."
                ) from error
            raise DependencyUnavailable(f"Writing invoice failed: {error.msg}") from error

    def import_invoices(self, changes: Iterable[tuple[Invoice, Event]]) -> None:
        """Bulk-load new invoices with batched writes (fixtures, migrations, benchmarks).

        Not transactional and not conditional: everything a user does goes through `create`/`save`.
        """
        try:
            with self._items.batch_write() as batch:
                for invoice, event in changes:
                    header, chunks, event_item = self._items_of(
                        invoice.model_copy(update={"version": 1}), event
                    )
                    for item in (header, *chunks, event_item):
                        batch.save(item)
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Importing invoices failed: {error.msg}") from error

    def delete(self, invoice: Invoice) -> None:
        """Remove the header and rows atomically (if unchanged), then the audit trail."""
        items = self._items
        key = invoice_key(invoice.tenantId, invoice.id)
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.delete(items(pk=key, sk=HEADER), condition=items.version == invoice.version)
                for index in range(len(_row_chunks(invoice.rows))):
                    transaction.delete(items(pk=key, sk=f"{ROWS_PREFIX}{index:03d}"))
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise Conflict(
                    f"Invoice {invoice.id} was changed by another request; read it again."
                ) from error
            raise DependencyUnavailable(f"Deleting invoice failed: {error.msg}") from error
        self._delete_remaining(key)

    def _delete_remaining(self, key: str) -> None:
        try:
            with self._items.batch_write() as batch:
                for item in self._remaining(key):
                    batch.delete(item)
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Deleting the invoice's history failed: {error.msg}") from error

    def _remaining(self, key: str) -> Iterator[InvoiceItem]:
        yield from self._items.query(key, attributes_to_get=["pk", "sk"])
