"""Invoices in the single table: one partition per invoice, read back with one Query.

Items of the partition `TENANT#<tenantId>#INVOICE#<invoiceId>`:
- `INVOICE`            header: the invoice document without rows and events, its `version` and the
                       index attributes of `invoice_items.header_index_attributes`
- `ROWS#000`, ...      rows, in chunks of at most ROW_CHUNK_BYTES so 1,000 rows fit any item limit
- `EVENT#<version>`     the audit trail, one item per change (numbered by the version it made), so
                       it can grow without bound and keeps its order
- `SENTMAIL#<version>`, `REMINDER#<version>`  the mail log, likewise (`invoice_mail_log`)

Every change writes the header (conditional on the version it read), its row chunks and its new
event in one transaction. The tenant is part of the key, so another tenant's id never matches.

Every transaction is conditional on the header (new, or at the version read), so one that DynamoDB
cancels without a failed condition (a TransactionConflict with another transaction on the same
figures shard, or throttling) changed nothing and is resent as it is, with full-jitter backoff for
at most TRANSIENT_WRITE_RETRIES' budget: creates, deletes and every change alike. Conflicts that
outlast it are ConcurrentChange (409), throttling DependencyUnavailable (503).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from invoicing.adapters import invoice_mail_log
from invoicing.adapters.dynamodb import bind, transaction_connection
from invoicing.adapters.figures_store import DynamoFiguresRepository
from invoicing.adapters.invoice_items import (
    InvoiceItem,
    header_index_attributes,
    invoice_key,
    recurring_key,
    tenant_key,
)
from invoicing.adapters.invoice_jobs import JOB_PLANS, JOB_PREFIX, DynamoInvoiceJobs, changed_entries
from invoicing.adapters.invoice_numbers import NUMBER, NumberClaimItem, number_key
from invoicing.adapters.sequences import SequenceItem
from invoicing.backoff import Backoff, Sleep
from invoicing.errors import (
    ConcurrentChange,
    Conflict,
    CounterMoved,
    DependencyUnavailable,
    InvoiceChanged,
    NotFound,
    ValidationFailed,
)
from invoicing.invoices.figures import combined, figures_delta
from invoicing.invoices.lifecycle import NumberAssignment
from invoicing.invoices.model import Event, Invoice, Row, field_errors

if TYPE_CHECKING:
    from invoicing.adapters.public_links import DynamoPublicLinks

HEADER = "INVOICE"
ROWS_PREFIX = "ROWS#"
EVENT_PREFIX = "EVENT#"
SEQUENCE_PREFIX = "SEQUENCE#"
ROW_CHUNK_BYTES = 300_000
#: resends of a transaction DynamoDB cancelled without a failed condition: about 2 s at most
TRANSIENT_WRITE_RETRIES = Backoff(base_seconds=0.01, cap_seconds=0.5, budget_seconds=2, max_attempts=20)
THROTTLING_ERRORS = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
THROTTLING_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})
TRANSACTION_CONFLICT = "TransactionConflict"
THROTTLED = "Throttled"


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


def _cancellation_codes(error: TransactWriteError) -> set[str]:
    return {
        reason.code for reason in error.cancellation_reasons if reason and reason.code not in (None, "None")
    }


def _transient_refusal(error: TransactWriteError) -> str | None:
    """THROTTLED or TRANSACTION_CONFLICT when DynamoDB refused the transaction without a failed
    condition (nothing was written and the same request may succeed), else None."""
    if error.cause_response_code in THROTTLING_ERRORS:
        return THROTTLED
    if error.cause_response_code != "TransactionCanceledException":
        return None
    codes = _cancellation_codes(error)
    if not codes or not codes <= THROTTLING_REASONS | {TRANSACTION_CONFLICT}:
        return None
    return THROTTLED if codes & THROTTLING_REASONS else TRANSACTION_CONFLICT


class DynamoInvoiceRepository:
    def __init__(
        self,
        table_name: str,
        *,
        transient_retries: Backoff = TRANSIENT_WRITE_RETRIES,
        sleep: Sleep = time.sleep,
        public_links: DynamoPublicLinks | None = None,
    ) -> None:
        self._public_links = public_links
        self._transient_retries = transient_retries
        self._sleep = sleep
        self._items: type[InvoiceItem] = bind(InvoiceItem, table_name)
        self._counters: type[SequenceItem] = bind(SequenceItem, table_name)
        self._numbers: type[NumberClaimItem] = bind(NumberClaimItem, table_name)
        self._figures = DynamoFiguresRepository(table_name)
        self._jobs = DynamoInvoiceJobs(table_name)

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
        log = [item for item in items if item.sk.startswith(invoice_mail_log.LOG_PREFIXES)]
        return self._assemble(header, rows, events, log)

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

    def each_invoice(self, tenant_id: str) -> Iterator[Invoice]:
        """Every invoice of the tenant without rows and events (what its figures are made of): the
        `ByInvoiceDate` index, which every header is in, 100 keys a page, and the page's headers
        with one BatchGetItem. Never a Scan."""
        try:
            keys = self._items.query(
                tenant_key(tenant_id), index_name="ByInvoiceDate", attributes_to_get=["pk"], page_size=100
            )
            page: list[str] = []
            for item in keys:
                page.append(item.pk)
                if len(page) == 100:
                    yield from self._headers(page)
                    page = []
            yield from self._headers(page)
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Listing invoices failed: {error.msg}") from error

    def _headers(self, keys: list[str]) -> list[Invoice]:
        return [self._assemble(header, [], []) for header in self._batch_get([(key, HEADER) for key in keys])]

    def ids_by_opportunity(self, tenant_id: str, opportunity_id: str, limit: int) -> list[str]:
        key = f"{tenant_key(tenant_id)}#OPPORTUNITY#{opportunity_id}"
        return self._index_ids("ByOpportunity", key, limit, newest_first=True)

    def ids_with_recurring_agreement(self, tenant_id: str, limit: int) -> list[str]:
        """The tenant's recurring templates, newest invoice date first (the sparse index of templates)."""
        return self._index_ids("ByRecurringAgreement", recurring_key(tenant_id), limit, newest_first=True)

    def ids_by_invoice_date(self, tenant_id: str, limit: int) -> list[str]:
        return self._index_ids("ByInvoiceDate", tenant_key(tenant_id), limit, newest_first=True)

    def invoice_date_bounds(self, tenant_id: str) -> tuple[datetime | None, datetime | None]:
        """The earliest and latest invoice date: two one-item index queries at any tenant size."""

        def first(ascending: bool) -> datetime | None:
            try:
                found = self._items.query(
                    tenant_key(tenant_id),
                    self._items.invoiceDateKey >= "0",
                    index_name="ByInvoiceDate",
                    scan_index_forward=ascending,
                    limit=1,
                )
                item = next(iter(found), None)
            except PynamoDBException as error:
                raise DependencyUnavailable(f"Reading invoice dates failed: {error.msg}") from error
            if item is None or item.invoiceDateKey is None:
                return None
            return datetime.fromisoformat(item.invoiceDateKey.split("#", 1)[0])

        return first(True), first(False)

    def current_sequence(self, tenant_id: str, counter: str) -> int:
        """The last number a tenant's counter handed out (0 before the first)."""
        try:
            item = self._counters.get(
                tenant_key(tenant_id), f"{SEQUENCE_PREFIX}{counter}", consistent_read=True
            )
        except self._counters.DoesNotExist:
            return 0
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading the invoice counter failed: {error.msg}") from error
        return int(item.value)

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
        self,
        header: InvoiceItem,
        row_items: Sequence[InvoiceItem],
        event_items: Sequence[InvoiceItem],
        log_items: Sequence[InvoiceItem] | None = None,
    ) -> Invoice:
        document = json.loads(header.doc or "{}")
        document["rows"] = [
            row for item in sorted(row_items, key=lambda i: i.sk) for row in json.loads(item.doc or "[]")
        ]
        document["events"] = [json.loads(item.doc or "{}") for item in event_items]
        document["version"] = int(header.version or 0)
        log = None if log_items is None else [(item.sk, item.doc or "[]") for item in log_items]
        return invoice_mail_log.read_invoice(document, log)

    # --- writes ------------------------------------------------------------------------------

    def _header(self, invoice: Invoice, row_chunks: int) -> InvoiceItem:
        # the figures and names the API derives (amountDue, seed 003's additionalNotes) are not
        # stored: they are computed again on reading, and a stored one is ignored then
        derived = Invoice.model_computed_fields
        excluded = {"rows", "events", "version", *derived, *invoice_mail_log.LOG_FIELDS}
        document = invoice.model_dump(mode="python", exclude=excluded)
        return self._items(
            pk=invoice_key(invoice.tenantId, invoice.id),
            sk=HEADER,
            doc=_dump(document),
            version=invoice.version,
            status=invoice.status.value,
            rowChunks=row_chunks,
            **header_index_attributes(invoice),
        )

    def _log_items(self, invoice: Invoice, previous: Invoice | None) -> list[InvoiceItem]:
        key = invoice_key(invoice.tenantId, invoice.id)
        added = invoice_mail_log.log_items(invoice, previous)
        return [self._items(pk=key, sk=sk, doc=doc) for sk, doc in added]

    def _event_item(self, invoice: Invoice, event: Event, version: int) -> InvoiceItem:
        return self._items(
            pk=invoice_key(invoice.tenantId, invoice.id),
            sk=f"{EVENT_PREFIX}{version:010d}",
            doc=_dump(event.model_dump(mode="python")),
        )

    def create(self, invoice: Invoice, event: Event) -> Invoice:
        stored = invoice.model_copy(update={"version": 1, "events": [event]})
        self._write(stored, [event], previous=None)
        return stored

    def save(
        self, invoice: Invoice, *events: Event, previous: Invoice, number: NumberAssignment | None = None
    ) -> Invoice:
        """Write the changed invoice and its events if nobody changed it since `previous` was read.

        With `number`, the tenant's counter moves from `number.sequence - 1` to `number.sequence` and
        the number is claimed in the same transaction. Raises InvoiceChanged or CounterMoved when
        another request won; both are Conflicts (409) unless the caller retries.
        """
        stored = invoice.model_copy(
            update={"version": previous.version + len(events), "events": [*previous.events, *events]}
        )
        self._write(stored, list(events), previous=previous, number=number)
        return stored

    def _chunk_items(self, invoice: Invoice) -> list[InvoiceItem]:
        key = invoice_key(invoice.tenantId, invoice.id)
        return [
            self._items(pk=key, sk=f"{ROWS_PREFIX}{index:03d}", doc=chunk)
            for index, chunk in enumerate(_row_chunks(invoice.rows))
        ]

    def _write(
        self,
        invoice: Invoice,
        events: list[Event],
        *,
        previous: Invoice | None,
        number: NumberAssignment | None = None,
    ) -> None:
        fill, counter_position = self._filler(invoice, events, previous=previous, number=number)

        def fill_with_figures(transaction: TransactWrite) -> None:
            fill(transaction)
            self._figures.add_to(transaction, invoice.tenantId, figures_delta(previous, invoice), invoice.id)

        self._commit(fill_with_figures, lambda error: self._write_failure(error, invoice, counter_position))

    def _filler(
        self,
        invoice: Invoice,
        events: list[Event],
        *,
        previous: Invoice | None,
        number: NumberAssignment | None = None,
    ) -> tuple[Callable[[TransactWrite], None], int | None]:
        """What writing `invoice` puts in a transaction (all but the figures), and where the number's
        counter update lands in it."""
        items = self._items
        chunks = self._chunk_items(invoice)
        header = self._header(invoice, len(chunks))
        self._ensure_readable(header, chunks)
        first_version = invoice.version - len(events) + 1
        condition = items.pk.does_not_exist() if previous is None else items.version == previous.version
        previous_chunks = len(_row_chunks(previous.rows)) if previous is not None else 0
        counter_position = 1 + max(len(chunks), previous_chunks) + len(events) if number is not None else None
        log = self._log_items(invoice, previous)
        jobs = [
            (self._jobs.entry(invoice, sk, keys), keys) for sk, keys in changed_entries(invoice, previous)
        ]
        links = self._public_links.changes(invoice, previous) if self._public_links else None

        def fill(transaction: TransactWrite) -> None:
            transaction.save(header, condition=condition)
            for chunk in chunks:
                transaction.save(chunk)
            for index in range(len(chunks), previous_chunks):
                transaction.delete(items(pk=header.pk, sk=f"{ROWS_PREFIX}{index:03d}"))
            for offset, event in enumerate(events):
                transaction.save(self._event_item(invoice, event, first_version + offset))
            if number is not None:
                self._claim_number(transaction, invoice, number)
            for item in log:
                transaction.save(item)
            for entry, keys in jobs:
                if keys is None:
                    transaction.delete(entry)
                else:
                    transaction.save(entry)
            if links is not None:
                for lookup in links.saved:
                    transaction.save(lookup)
                for lookup in links.deleted:
                    transaction.delete(lookup)

        return fill, counter_position

    def save_credit_note(
        self,
        credit_note: Invoice,
        credit_note_event: Event,
        invoice: Invoice,
        invoice_event: Event,
        *,
        previous: Invoice,
        number: NumberAssignment,
    ) -> tuple[Invoice, Invoice]:
        """Create the numbered credit note and change the invoice it credits in one transaction, if
        nobody changed the invoice since `previous` was read: (credit note, invoice) as stored.
        The invoice's figures move once, by both documents' deltas (one shard item per transaction)."""
        note = credit_note.model_copy(update={"version": 1, "events": [credit_note_event]})
        credited = invoice.model_copy(
            update={"version": previous.version + 1, "events": [*previous.events, invoice_event]}
        )
        note_fill, counter_position = self._filler(note, [credit_note_event], previous=None, number=number)
        invoice_fill, _ = self._filler(credited, [invoice_event], previous=previous)
        delta = combined(figures_delta(None, note), figures_delta(previous, credited))

        def fill(transaction: TransactWrite) -> None:
            note_fill(transaction)
            invoice_fill(transaction)
            self._figures.add_to(transaction, invoice.tenantId, delta, invoice.id)

        self._commit(fill, lambda error: self._write_failure(error, note, counter_position))
        return note, credited

    def _commit(
        self, fill: Callable[[TransactWrite], None], failure: Callable[[TransactWriteError], Exception]
    ) -> None:
        """Write the transaction `fill` describes, resending it while DynamoDB refuses it transiently."""
        retries = self._transient_retries.retries(sleep=self._sleep)
        while True:
            try:
                with TransactWrite(connection=transaction_connection()) as transaction:
                    fill(transaction)
                return
            except TransactWriteError as error:
                if _transient_refusal(error) is None or not retries.wait():
                    raise failure(error) from error

    def _ensure_readable(self, header: InvoiceItem, chunks: list[InvoiceItem]) -> None:
        """The items about to be written read back as `get` reads them, or nothing is written."""
        try:
            self._assemble(header, chunks, [])
        except ValidationError as error:
            fields = field_errors(error)
            raise ValidationFailed(
                f"The invoice cannot be stored: {', '.join(fields)} not valid.", field_errors=fields
            ) from error

    def _claim_number(self, transaction: TransactWrite, invoice: Invoice, number: NumberAssignment) -> None:
        """Move the counter from the sequence before `number` to it, and claim the number."""
        counters = self._counters
        counter = counters(pk=tenant_key(invoice.tenantId), sk=f"{SEQUENCE_PREFIX}{number.counter}")
        expected = (
            counters.pk.does_not_exist() if number.sequence == 1 else counters.value == number.sequence - 1
        )
        transaction.update(counter, actions=[counters.value.set(number.sequence)], condition=expected)
        claim = self._numbers(pk=number_key(invoice.tenantId, number.number), sk=NUMBER, invoiceId=invoice.id)
        transaction.save(claim, condition=self._numbers.pk.does_not_exist())

    def _write_failure(
        self, error: TransactWriteError, invoice: Invoice, counter_position: int | None
    ) -> Exception:
        refusal = _transient_refusal(error)
        if refusal == THROTTLED or error.cause_response_code != "TransactionCanceledException":
            return DependencyUnavailable(f"Writing invoice failed: {error.msg}")
        if refusal == TRANSACTION_CONFLICT:
            return ConcurrentChange(f"Invoice {invoice.id} is being changed concurrently; retry.")
        reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return InvoiceChanged(
                f"Invoice {invoice.id} was changed by another request; read it again and retry."
            )
        if counter_position is not None and len(reasons) > counter_position + 1:
            if reasons[counter_position] == "ConditionalCheckFailed":
                return CounterMoved("Another invoice took the next number; retry.")
            if reasons[counter_position + 1] == "ConditionalCheckFailed":
                return Conflict(f"Invoice number {invoice.invoiceNumber} is already used by another invoice.")
        return ConcurrentChange(f"Invoice {invoice.id} is being changed concurrently; retry.")

    def import_invoices(self, changes: Iterable[tuple[Invoice, Event]]) -> None:
        """Bulk-load new invoices with batched writes (fixtures, migrations, benchmarks).

        Not transactional, not conditional, and figures are not moved: everything a user does goes
        through `create`/`save`.
        """
        try:
            with self._items.batch_write() as batch:
                for invoice, event in changes:
                    stored = invoice.model_copy(update={"version": 1})
                    chunks = self._chunk_items(stored)
                    for item in (
                        self._header(stored, len(chunks)),
                        *chunks,
                        self._event_item(stored, event, 1),
                        *self._log_items(stored, None),
                        *(self._jobs.entry(stored, sk, keys) for sk, keys in changed_entries(stored, None)),
                    ):
                        batch.save(item)
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Importing invoices failed: {error.msg}") from error

    def delete(self, invoice: Invoice) -> None:
        """Remove the header, rows and job entries atomically (if unchanged), then the audit trail
        (it grows without bound, beyond what one transaction holds)."""
        items = self._items
        key = invoice_key(invoice.tenantId, invoice.id)

        def fill(transaction: TransactWrite) -> None:
            transaction.delete(items(pk=key, sk=HEADER), condition=items.version == invoice.version)
            for index in range(len(_row_chunks(invoice.rows))):
                transaction.delete(items(pk=key, sk=f"{ROWS_PREFIX}{index:03d}"))
            for kind in JOB_PLANS:
                transaction.delete(self._jobs.entry(invoice, JOB_PREFIX + kind, None))
            self._figures.add_to(transaction, invoice.tenantId, figures_delta(invoice, None), invoice.id)

        self._commit(fill, lambda error: self._write_failure(error, invoice, None))
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
