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

Figures can still drift (invoices bulk-imported without them, a bug, a hand edit):
`reconcile_figures` recomputes them from the invoices themselves and reports or repairs the
difference (`python -m devtools.admin reconcile-figures`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

from invoicing.invoices.enums import OWED_STATUSES, PUBLISHED_STATUSES, InvoiceStatus
from invoicing.invoices.model import Invoice

METRICS = ("invoiced", "paid", "outstanding", "overdue")


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
    if invoice.status not in PUBLISHED_STATUSES:
        return counts, {}
    owed = invoice.amountDue
    amounts = {
        "invoiced": invoice.total - invoice.credited,
        "paid": invoice.paid,
        "outstanding": owed if invoice.status in OWED_STATUSES else Decimal(0),
        "overdue": owed if invoice.status == InvoiceStatus.OVERDUE else Decimal(0),
    }
    return counts, {invoice.currency: amounts}


def _difference[V: (int, Decimal)](after: Mapping[str, V], before: Mapping[str, V], zero: V) -> dict[str, V]:
    keys = set(after) | set(before)
    moved = {key: after.get(key, zero) - before.get(key, zero) for key in keys}
    return {key: value for key, value in sorted(moved.items()) if value}


def combined(*deltas: FiguresDelta) -> FiguresDelta:
    """One delta moving the figures as all of `deltas` together (one transaction, one shard item)."""
    counts: dict[str, int] = {}
    amounts: dict[str, dict[str, Decimal]] = {}
    for delta in deltas:
        for status, count in delta.counts.items():
            counts[status] = counts.get(status, 0) + count
        for currency, moved in delta.amounts.items():
            totals = amounts.setdefault(currency, {})
            for metric, amount in moved.items():
                totals[metric] = totals.get(metric, Decimal(0)) + amount
    return FiguresDelta(
        counts={status: count for status, count in counts.items() if count},
        amounts={
            currency: {metric: amount for metric, amount in moved.items() if amount}
            for currency, moved in amounts.items()
            if any(moved.values())
        },
    )


def figures_delta(before: Invoice | None, after: Invoice | None) -> FiguresDelta:
    counts_before, amounts_before = contribution(before)
    counts_after, amounts_after = contribution(after)
    amounts: dict[str, dict[str, Decimal]] = {}
    for currency in sorted(set(amounts_before) | set(amounts_after)):
        moved = _difference(amounts_after.get(currency, {}), amounts_before.get(currency, {}), Decimal(0))
        if moved:
            amounts[currency] = moved
    return FiguresDelta(counts=_difference(counts_after, counts_before, 0), amounts=amounts)


def recompute(invoices: Iterable[Invoice]) -> tuple[TenantFigures, int]:
    """The figures `invoices` add up to, and how many invoices there were."""
    counts = {status.value: 0 for status in InvoiceStatus}
    amounts: dict[str, dict[str, Decimal]] = {}
    seen = 0
    for invoice in invoices:
        seen += 1
        invoice_counts, invoice_amounts = contribution(invoice)
        for status, count in invoice_counts.items():
            counts[status] += count
        for currency, moved in invoice_amounts.items():
            totals = amounts.setdefault(currency, dict.fromkeys(METRICS, Decimal(0)))
            for metric, amount in moved.items():
                totals[metric] += amount
    return TenantFigures(count_by_status=counts, amounts_by_currency=amounts), seen


def correction(recorded: TenantFigures, expected: TenantFigures) -> FiguresDelta:
    """What moves `recorded` to `expected` (empty when they agree; zero totals count as absent)."""
    amounts: dict[str, dict[str, Decimal]] = {}
    for currency in sorted(set(recorded.amounts_by_currency) | set(expected.amounts_by_currency)):
        moved = _difference(
            expected.amounts_by_currency.get(currency, {}),
            recorded.amounts_by_currency.get(currency, {}),
            Decimal(0),
        )
        if moved:
            amounts[currency] = moved
    return FiguresDelta(
        counts=_difference(expected.count_by_status, recorded.count_by_status, 0), amounts=amounts
    )


class FiguresStore(Protocol):
    def get(self, tenant_id: str) -> TenantFigures: ...

    def apply(self, tenant_id: str, delta: FiguresDelta) -> None: ...


class TenantInvoices(Protocol):
    def each_invoice(self, tenant_id: str) -> Iterable[Invoice]:
        """Every invoice of the tenant (headers suffice: status, currency, total, paid)."""
        ...


@dataclass(frozen=True)
class Reconciliation:
    """Recorded figures against the figures recomputed from the invoices.

    `settled` is False when the recorded figures moved while the invoices were read (writes went
    on): the difference is then not trustworthy and nothing is repaired. `repaired` says whether
    `difference` was applied."""

    tenant_id: str
    invoices: int
    recorded: TenantFigures
    recomputed: TenantFigures
    difference: FiguresDelta
    settled: bool
    repaired: bool = False

    @property
    def agrees(self) -> bool:
        return self.difference.is_empty()


def _recount(invoices: TenantInvoices, figures: FiguresStore, tenant_id: str) -> Reconciliation:
    before = figures.get(tenant_id)
    recomputed, count = recompute(invoices.each_invoice(tenant_id))
    after = figures.get(tenant_id)
    return Reconciliation(
        tenant_id=tenant_id,
        invoices=count,
        recorded=after,
        recomputed=recomputed,
        difference=correction(after, recomputed),
        settled=correction(before, after).is_empty(),
    )


def reconcile_figures(
    invoices: TenantInvoices, figures: FiguresStore, tenant_id: str, *, repair: bool = False
) -> Reconciliation:
    """Recompute a tenant's figures from its invoices and compare; with `repair`, move the recorded
    figures by the difference (a delta, so a write racing the repair is not lost).

    The invoices are read through an index, which may lag a just-committed write by a moment, so a
    difference is repaired only when a second recount finds the same one and the figures stood still
    during both: a difference that is only an index catching up, or a busy tenant, repairs nothing.
    """
    first = _recount(invoices, figures, tenant_id)
    if not repair or first.agrees or not first.settled:
        return first
    second = _recount(invoices, figures, tenant_id)
    if not second.settled or second.difference != first.difference:
        return second
    figures.apply(tenant_id, second.difference)
    return replace(second, repaired=True)
