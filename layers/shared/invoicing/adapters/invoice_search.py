"""Searching a tenant's invoices over the listing indexes: pages, totals and exports, never a Scan.

A search follows its plan (`search_plan`):
- a *narrowed* range, when the plan has one, is read whole (at most IN_MEMORY_SORT_LIMIT index items)
  and sorted in memory; its length is the total (a search with cursors found it larger: not again);
- otherwise the plan's walks are merged in sort order. Page N resumes from the nearest cached cursor
  at or before N (`search_cursors`), skips the pages in between reading index items only, and caches
  where pages N and N+1 start.
Totals of unfiltered and status-only searches come from the tenant's figures (one read); other
searches count their key ranges with the filters once (Select=COUNT) and cache the count with their
cursors. ARCHITECTURE.md gives the cost model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pynamodb.exceptions import PynamoDBException
from pynamodb.pagination import ResultIterator

from invoicing.adapters.dynamodb import bind
from invoicing.adapters.figures_store import DynamoFiguresRepository
from invoicing.adapters.invoice_items import InvoiceItem, invoice_key
from invoicing.adapters.invoice_store import HEADER
from invoicing.adapters.search_cursors import DONE, Cursor, DynamoSearchCursors, Position
from invoicing.adapters.search_plan import SearchPlan, Walk, in_memory_order, plan_search
from invoicing.errors import DependencyUnavailable, Unprocessable
from invoicing.invoices.model import Invoice
from invoicing.invoices.search import Criteria, Found, PageRequest, SearchQuery, Sort

IN_MEMORY_SORT_LIMIT = 1_000
#: a filtered walk reads at least this many index items per Query, so sparse matches take few calls
FILTERED_READ_BATCH = 100


def _invoice_id(item: InvoiceItem) -> str:
    return item.pk.rsplit("#", 1)[1]


def _canonical(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(str(member) for member in value)
    if isinstance(value, datetime | Decimal | Enum):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no canonical form")


def fingerprint(criteria: Criteria, sort: Sort, size: int) -> str:
    """Identifies a search's page boundaries: the same criteria, sort and page size share cursors."""
    canonical = json.dumps(
        {"criteria": asdict(criteria), "sort": asdict(sort), "size": size},
        default=_canonical,
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class _MergedWalks:
    """The plan's walks from their positions, merged by (rank, range key value) in the walk's direction.

    `planned` is how many items the caller takes in all, so no Query reads far beyond them.
    """

    def __init__(
        self, items: type[InvoiceItem], walks: Sequence[Walk], positions: Sequence[Position], planned: int
    ) -> None:
        self._still_wanted = planned
        self._walks = list(walks)
        self.positions: list[Position] = list(positions)
        self._heads: list[InvoiceItem | None] = [None] * len(walks)
        self._results: list[ResultIterator[InvoiceItem] | None] = [
            None
            if position == DONE
            else items.query(
                walk.hash_key,
                walk.range_condition,
                walk.filter,
                index_name=walk.index,
                scan_index_forward=walk.ascending,
                last_evaluated_key=position if isinstance(position, dict) else None,
            )
            for walk, position in zip(walks, positions, strict=True)
        ]

    def _read_size(self, walk: Walk) -> int:
        """Index items one Query reads: as many as still wanted, at least a batch when filtering."""
        wanted = max(self._still_wanted, 1)
        return wanted if walk.filter is None else max(wanted, FILTERED_READ_BATCH)

    def _head(self, index: int) -> InvoiceItem | None:
        results = self._results[index]
        if self._heads[index] is None and results is not None:
            results.page_iter.page_size = self._read_size(self._walks[index])
            try:
                self._heads[index] = next(results)
            except StopIteration:
                self._results[index] = None
                self.positions[index] = DONE
        return self._heads[index]

    def _precedes(self, index: int, other: int) -> bool:
        walk, other_walk = self._walks[index], self._walks[other]
        if walk.rank != other_walk.rank:
            return walk.rank < other_walk.rank
        value = getattr(self._heads[index], walk.range_attribute)
        other_value = getattr(self._heads[other], other_walk.range_attribute)
        return bool(value < other_value if walk.ascending else value > other_value)

    def _resume_key(self, index: int, item: InvoiceItem) -> dict[str, dict[str, Any]]:
        walk = self._walks[index]
        stored = item.to_dynamodb_dict()
        return {name: stored[name] for name in ("pk", "sk", walk.hash_attribute, walk.range_attribute)}

    def take(self, count: int) -> list[InvoiceItem]:
        taken: list[InvoiceItem] = []
        while len(taken) < count:
            ready = [index for index in range(len(self._walks)) if self._head(index) is not None]
            if not ready:
                break
            first = ready[0]
            for index in ready[1:]:
                if self._precedes(index, first):
                    first = index
            item = self._heads[first]
            assert item is not None
            self._heads[first] = None
            self.positions[first] = self._resume_key(first, item)
            self._still_wanted -= 1
            taken.append(item)
        return taken


class DynamoInvoiceSearch:
    def __init__(self, table_name: str) -> None:
        self._items: type[InvoiceItem] = bind(InvoiceItem, table_name)
        self._figures = DynamoFiguresRepository(table_name)
        self._cursors = DynamoSearchCursors(table_name)

    def page(self, tenant_id: str, query: SearchQuery, now: datetime) -> Found:
        criteria, sort, page = query.criteria, query.sort, query.page
        plan = plan_search(tenant_id, criteria, sort, now)
        if plan.matches_nothing:
            return Found([], 0)
        search = fingerprint(criteria, sort, page.size)
        cursor = self._cursors.nearest(tenant_id, search, page.number, now) if page.number > 0 else None
        # a cursor means an earlier page found the narrowed range too large to sort in memory
        in_memory = self._sorted_in_memory(plan, sort) if cursor is None else None
        if in_memory is not None:
            return Found(in_memory[page.offset : page.offset + page.size], len(in_memory))
        total = cursor.total if cursor is not None else self._total(tenant_id, criteria, plan)
        if page.offset >= total:
            return Found([], total)
        start = cursor or Cursor(0, [None] * len(plan.walks), total)
        try:
            walks = _MergedWalks(
                self._items, plan.walks, start.positions, (page.number - start.page + 1) * page.size
            )
            walks.take((page.number - start.page) * page.size)
            page_start = list(walks.positions)
            taken = walks.take(page.size)
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Searching invoices failed: {error.msg}") from error
        self._cursors.save(
            tenant_id, search, self._cursors_to_keep(start, page, page_start, walks, total), now
        )
        return Found([_invoice_id(item) for item in taken], total)

    @staticmethod
    def _cursors_to_keep(
        start: Cursor, page: PageRequest, page_start: list[Position], walks: _MergedWalks, total: int
    ) -> Iterator[Cursor]:
        if page.number > start.page:
            yield Cursor(page.number, page_start, total)
        if page.offset + page.size < total:
            yield Cursor(page.number + 1, walks.positions, total)

    def export_ids(
        self, tenant_id: str, criteria: Criteria, sort: Sort, now: datetime, max_rows: int
    ) -> list[str]:
        """Every matching id in sort order; Unprocessable when more than `max_rows` match."""
        plan = plan_search(tenant_id, criteria, sort, now)
        if plan.matches_nothing:
            return []
        in_memory = self._sorted_in_memory(plan, sort)
        total = len(in_memory) if in_memory is not None else self._total(tenant_id, criteria, plan)
        if total > max_rows:
            raise Unprocessable(
                f"The export matches {total:,} invoices; one export holds at most {max_rows:,}. "
                "Narrow the filters, for example by invoice date, and export in parts."
            )
        if in_memory is not None:
            return in_memory
        try:
            walks = _MergedWalks(self._items, plan.walks, [None] * len(plan.walks), max_rows)
            return [_invoice_id(item) for item in walks.take(max_rows)]
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Exporting invoices failed: {error.msg}") from error

    def headers(self, tenant_id: str, invoice_ids: Sequence[str]) -> list[Invoice]:
        """Invoices in the order asked, read from their header items only: without rows and events,
        with every computed total (what an export line needs, at one read per invoice)."""
        try:
            items = self._items.batch_get([(invoice_key(tenant_id, i), HEADER) for i in invoice_ids])
            by_key = {item.pk: item for item in items}
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading invoices failed: {error.msg}") from error
        invoices = []
        for invoice_id in invoice_ids:
            header = by_key.get(invoice_key(tenant_id, invoice_id))
            if header is not None:
                document = json.loads(header.doc or "{}")
                invoices.append(Invoice.model_validate({**document, "version": int(header.version or 0)}))
        return invoices

    def _total(self, tenant_id: str, criteria: Criteria, plan: SearchPlan) -> int:
        try:
            if criteria.counted_by_status():
                counts = self._figures.get(tenant_id).count_by_status
                statuses = criteria.statuses
                return sum(
                    count for status, count in counts.items() if statuses is None or status in statuses
                )
            return sum(
                self._items.count(walk.hash_key, walk.range_condition, walk.filter, index_name=walk.index)
                for walk in plan.walks
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Counting invoices failed: {error.msg}") from error

    def _sorted_in_memory(self, plan: SearchPlan, sort: Sort) -> list[str] | None:
        """The narrowed range's ids in sort order, or None when it holds too many index items."""
        if plan.narrowed is None:
            return None
        found: list[InvoiceItem] = []
        budget = IN_MEMORY_SORT_LIMIT
        try:
            for walk in plan.narrowed:
                pages = self._items.query(
                    walk.hash_key,
                    walk.range_condition,
                    walk.filter,
                    index_name=walk.index,
                    page_size=budget + 1,
                ).page_iter
                for page in pages:
                    found.extend(self._items.from_raw_data(raw) for raw in page.get("Items", []))
                    if pages.total_scanned_count > budget:
                        return None
                    pages.page_size = budget - pages.total_scanned_count + 1
                budget -= pages.total_scanned_count
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Searching invoices failed: {error.msg}") from error
        found.sort(key=in_memory_order(sort.field), reverse=not sort.ascending)
        return [_invoice_id(item) for item in found]
