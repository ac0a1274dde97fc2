"""Per-tenant figures (counts by status, money totals per currency), kept by deltas.

Every invoice change moves the figures by `contribution(after) - contribution(before)`, written in
the same transaction as the change, so reading them costs one Query whatever the tenant's size.

What the money totals mean, per currency:
- invoiced:    `total` of every published invoice (SENT, PARTIALLY_PAID, OVERDUE, PAID)
- paid:        what those invoices have been paid
- outstanding: `total - paid` of invoices still owed (SENT, PARTIALLY_PAID, OVERDUE)
- overdue:     `total - paid` of OVERDUE invoices
Drafts, scheduled and cancelled invoices count in `countByStatus` only. Amounts in different
currencies are never added together: the API's scalar totals are those of the tenant's default
currency, and `byCurrency` gives every currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.model import Invoice

METRICS = ("invoiced", "paid", "outstanding", "overdue")
_PUBLISHED = frozenset(
    {InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE, InvoiceStatus.PAID}
)
_OWED = frozenset({InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE})


@dataclass(frozen=True)
class FiguresDelta:
    counts: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not self.counts and not self.amounts


@dataclass(frozen=True)
class TenantFigures:
    count_by_status: dict[str, int]
    amounts_by_currency: dict[str, dict[str, Decimal]]

    def total(self, metric: str, currency: str) -> Decimal:
        return self.amounts_by_currency.get(currency, {}).get(metric, Decimal(0))


def contribution(invoice: Invoice | None) -> tuple[dict[str, int], dict[str, dict[str, Decimal]]]:
    """What one invoice adds to its tenant's figures."""
    if invoice is None:
        return {}, {}
    counts = {invoice.status.value: 1}
    if invoice.status not in _PUBLISHED:
        return counts, {}
    owed = invoice.total - invoice.paid
    amounts = {
        "invoiced": invoice.total,
        "paid": invoice.paid,
        "outstanding": owed if invoice.status in _OWED else Decimal(0),
        "overdue": owed if invoice.status == InvoiceStatus.OVERDUE else Decimal(0),
    }
    return counts, {invoice.currency: amounts}


def _difference[V: (int, Decimal)](after: Mapping[str, V], before: Mapping[str, V], zero: V) -> dict[str, V]:
    keys = set(after) | set(before)
    moved = {key: after.get(key, zero) - before.get(key, zero) for key in keys}
    return {key: value for key, value in sorted(moved.items()) if value}


def figures_delta(before: Invoice | None, after: Invoice | None) -> FiguresDelta:
    counts_before, amounts_before = contribution(before)
    counts_after, amounts_after = contribution(after)
    amounts: dict[str, dict[str, Decimal]] = {}
    for currency in sorted(set(amounts_before) | set(amounts_after)):
        moved = _difference(amounts_after.get(currency, {}), amounts_before.get(currency, {}), Decimal(0))
        if moved:
            amounts[currency] = moved
    return FiguresDelta(counts=_difference(counts_after, counts_before, 0), amounts=amounts)
