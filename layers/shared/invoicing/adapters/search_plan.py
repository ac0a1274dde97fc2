"""Which index ranges a search reads, and what DynamoDB filters on the way (pure: no I/O).

A plan is one or more *walks* (index Queries) whose results, merged in order, are the search's
results in sort order:

- sort by invoice date: an opportunity or customer partition, else the status partitions (merged),
  else `ByInvoiceDate`; an invoice-date range is their key condition;
- sort by status: the status partitions, one after the other in status order;
- sort by due date, number, amount or creation: that field's index, its own range as key condition.

Every other filter (and the free-text words) is a FilterExpression on the projected attributes.
When the sort's index cannot use the narrowest key range (an opportunity, customer or status
filter, or a range on another field), the plan also names that *narrowed* range: it is read whole and
sorted in memory if it holds at most `invoice_search.IN_MEMORY_SORT_LIMIT` items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import reduce
from typing import Any

from pynamodb.expressions.condition import Condition

from invoicing.adapters.invoice_items import (
    InvoiceItem,
    customer_key,
    opportunity_key,
    status_key,
    tenant_key,
)
from invoicing.invoices.enums import DUE_STATUSES, InvoiceStatus
from invoicing.invoices.model import MAX_AMOUNT
from invoicing.invoices.search import AmountRange, Criteria, Sort, SortField, TimeRange

#: below every date-keyed value with a date ("2026-..."), above the undated ones ("#<id>")
_EARLIEST = "0"
#: above every date-keyed value
_LATEST = "~"


@dataclass(frozen=True)
class Walk:
    """One index Query: a partition, an optional key range, a filter, a direction.

    Walks of one plan are merged by (`rank`, range key value): equal ranks interleave, a higher rank
    follows a lower one.
    """

    index: str
    hash_attribute: str
    hash_key: str
    range_attribute: str
    range_condition: Condition | None
    filter: Condition | None
    ascending: bool
    rank: int = 0


@dataclass(frozen=True)
class SearchPlan:
    walks: tuple[Walk, ...]
    narrowed: tuple[Walk, ...] | None = None

    @property
    def matches_nothing(self) -> bool:
        return not self.walks


@dataclass(frozen=True)
class _Index:
    name: str
    hash_attribute: str
    range_attribute: str


_BY_INVOICE_DATE = _Index("ByInvoiceDate", "tenantKey", "invoiceDateKey")
_BY_STATUS = _Index("ByStatus", "statusKey", "invoiceDateKey")
_BY_OPPORTUNITY = _Index("ByOpportunity", "opportunityKey", "invoiceDateKey")
_BY_CUSTOMER = _Index("ByCustomer", "customerKey", "invoiceDateKey")
_SORT_INDEXES = {
    SortField.INVOICE_DATE: _BY_INVOICE_DATE,
    SortField.DUE_DATE: _Index("ByDueDate", "tenantKey", "dueDateKey"),
    SortField.INVOICE_NUMBER: _Index("ByNumber", "tenantKey", "numberKey"),
    SortField.TOTAL_WITH_TAX: _Index("ByAmount", "tenantKey", "amountKey"),
    SortField.CREATED: _Index("ByCreated", "tenantKey", "createdKey"),
}
#: the range filters, by the sort field whose index they narrow, in the order a narrowed plan prefers
_RANGES: dict[SortField, Callable[[Criteria], TimeRange | AmountRange | None]] = {
    SortField.INVOICE_DATE: lambda criteria: criteria.invoice_date,
    SortField.DUE_DATE: lambda criteria: criteria.due_date,
    SortField.CREATED: lambda criteria: criteria.created,
    SortField.TOTAL_WITH_TAX: lambda criteria: criteria.amount,
}


def _attribute(name: str) -> Any:
    return getattr(InvoiceItem, name)


def _iso(moment: datetime) -> str:
    """The form `invoice_items` writes dates in, so bounds compare like the stored keys."""
    return moment.astimezone(UTC).isoformat()


def _between(attribute: str, bounds: TimeRange | AmountRange) -> Condition:
    """Range condition; a time range's exclusive end works as BETWEEN's upper bound because every
    stored value continues with `#<id>` after the date."""
    if isinstance(bounds, AmountRange):
        outside = MAX_AMOUNT * 10
        low = bounds.low if bounds.low is not None else -outside
        high = bounds.high if bounds.high is not None else outside
        condition: Condition = _attribute(attribute).between(Decimal(low), Decimal(high))
        return condition
    start = _iso(bounds.start) if bounds.start is not None else _EARLIEST
    end = _iso(bounds.end) if bounds.end is not None else _LATEST
    condition = _attribute(attribute).between(start, end)
    return condition


def _all(conditions: Iterable[Condition | None]) -> Condition | None:
    present = [condition for condition in conditions if condition is not None]
    return reduce(lambda left, right: left & right, present) if present else None


def _due_before(now: datetime) -> Condition:
    condition: Condition = InvoiceItem.dueDateKey.between(_EARLIEST, _iso(now))
    return condition


def _status_condition(statuses: frozenset[InvoiceStatus], overdue: bool, now: datetime) -> Condition:
    if not overdue:
        condition: Condition = InvoiceItem.status.is_in(*(status.value for status in sorted(statuses)))
        return condition
    alternatives = [
        (InvoiceItem.status == status.value) & _due_before(now)
        if status in DUE_STATUSES
        else InvoiceItem.status == status.value
        for status in sorted(statuses)
    ]
    return reduce(lambda left, right: left | right, alternatives)


class _Planner:
    def __init__(self, tenant_id: str, criteria: Criteria, sort: Sort, now: datetime) -> None:
        self.tenant_id = tenant_id
        self.criteria = criteria
        self.sort = sort
        self.now = now
        self.statuses = criteria.possible_statuses()

    def filters(self, *keyed: str) -> Condition | None:
        """Everything the criteria ask that the walk's keys do not already guarantee."""
        criteria = self.criteria
        conditions: list[Condition | None] = []
        if self.statuses is not None and "status" not in keyed:
            conditions.append(_status_condition(self.statuses, criteria.overdue, self.now))
        for field, bounds in _RANGES.items():
            range_ = bounds(criteria)
            if range_ is not None and field.value not in keyed:
                conditions.append(_between(_SORT_INDEXES[field].range_attribute, range_))
        if criteria.opportunity_id is not None and "opportunity" not in keyed:
            key = opportunity_key(self.tenant_id, criteria.opportunity_id)
            conditions.append(InvoiceItem.opportunityKey == key)
        if criteria.customer_email is not None and "customer" not in keyed:
            key = customer_key(self.tenant_id, criteria.customer_email)
            conditions.append(InvoiceItem.customerKey == key)
        if criteria.currency is not None:
            conditions.append(InvoiceItem.currency == criteria.currency)
        if criteria.client_id is not None:
            conditions.append(InvoiceItem.clientId == criteria.client_id)
        conditions.extend(InvoiceItem.searchText.contains(word) for word in criteria.words)
        return _all(conditions)

    def walk(
        self, index: _Index, hash_key: str, range_field: SortField | None, *keyed: str, rank: int = 0
    ) -> Walk:
        """A walk of `index`; a range filter on `range_field` becomes its key condition."""
        range_ = _RANGES[range_field](self.criteria) if range_field in _RANGES else None
        return Walk(
            index=index.name,
            hash_attribute=index.hash_attribute,
            hash_key=hash_key,
            range_attribute=index.range_attribute,
            range_condition=_between(index.range_attribute, range_) if range_ is not None else None,
            filter=self.filters(*keyed, *([range_field.value] if range_field is not None else [])),
            ascending=self.sort.ascending,
            rank=rank,
        )

    def partition(self) -> Walk | None:
        """The opportunity's or the customer's invoices, by invoice date."""
        criteria = self.criteria
        if criteria.opportunity_id is not None:
            key = opportunity_key(self.tenant_id, criteria.opportunity_id)
            return self.walk(_BY_OPPORTUNITY, key, SortField.INVOICE_DATE, "opportunity")
        if criteria.customer_email is not None:
            key = customer_key(self.tenant_id, criteria.customer_email)
            return self.walk(_BY_CUSTOMER, key, SortField.INVOICE_DATE, "customer")
        return None

    def by_status(self, *, one_after_another: bool) -> tuple[Walk, ...]:
        """One walk per possible status, by invoice date; ranked in status order for a status sort."""
        statuses = sorted(self.statuses if self.statuses is not None else InvoiceStatus)
        if not self.sort.ascending:
            statuses.reverse()
        walks = []
        for position, status in enumerate(statuses):
            walk = self.walk(
                _BY_STATUS,
                status_key(self.tenant_id, status.value),
                SortField.INVOICE_DATE,
                "status",
                rank=position if one_after_another else 0,
            )
            if self.criteria.overdue and status in DUE_STATUSES:
                walk = replace(walk, filter=_all([walk.filter, _due_before(self.now)]))
            walks.append(walk)
        return tuple(walks)

    def plan(self) -> SearchPlan:
        if self.statuses is not None and not self.statuses:
            return SearchPlan(walks=())
        partition = self.partition()
        narrowed_partition = (partition,) if partition is not None else None
        if self.sort.field is SortField.STATUS:
            return SearchPlan(self.by_status(one_after_another=True), narrowed_partition)
        if self.sort.field is SortField.INVOICE_DATE:
            if partition is not None:
                return SearchPlan((partition,))
            if self.statuses is not None:
                return SearchPlan(self.by_status(one_after_another=False))
            key = tenant_key(self.tenant_id)
            return SearchPlan((self.walk(_BY_INVOICE_DATE, key, SortField.INVOICE_DATE),))
        own_range = _RANGES[self.sort.field](self.criteria) if self.sort.field in _RANGES else None
        key = tenant_key(self.tenant_id)
        ordered = self.walk(_SORT_INDEXES[self.sort.field], key, self.sort.field)
        if narrowed_partition is not None:
            return SearchPlan((ordered,), narrowed_partition)
        if own_range is not None:
            return SearchPlan((ordered,))
        if self.statuses is not None:
            return SearchPlan((ordered,), self.by_status(one_after_another=False))
        for field, bounds in _RANGES.items():
            if bounds(self.criteria) is not None:
                return SearchPlan((ordered,), (self.walk(_SORT_INDEXES[field], key, field),))
        return SearchPlan((ordered,))


def plan_search(tenant_id: str, criteria: Criteria, sort: Sort, now: datetime) -> SearchPlan:
    return _Planner(tenant_id, criteria, sort, now).plan()


def in_memory_order(sort: SortField) -> Callable[[InvoiceItem], tuple[Any, ...]]:
    """The sort key of an index item when a narrowed range is sorted in memory (ties by invoice)."""
    if sort is SortField.TOTAL_WITH_TAX:
        return lambda item: (item.amountKey or Decimal(0), item.pk)
    if sort is SortField.STATUS:
        return lambda item: (item.status or "", item.invoiceDateKey or "")
    attribute = _SORT_INDEXES[sort].range_attribute
    return lambda item: (getattr(item, attribute) or "",)
