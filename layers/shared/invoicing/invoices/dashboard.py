"""The figures a dashboard reads: counts by status, money totals, the invoice date range.

Each costs a constant number of reads: every invoice change keeps the figures up to date
(`invoicing.invoices.figures`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pydantic import Field

from invoicing.invoices.figures import METRICS, FiguresStore
from invoicing.invoices.model import ApiModel, Money
from invoicing.tenants.model import TenantLookup, require_tenant


class CurrencyTotals(ApiModel):
    invoiced: Money
    paid: Money
    outstanding: Money
    overdue: Money


class Stats(ApiModel):
    countByStatus: dict[str, int]
    currency: str = Field(description="The tenant's default currency, which the scalar totals are in.")
    totalInvoiced: Money
    totalOutstanding: Money
    totalOverdue: Money
    totalPaid: Money
    byCurrency: dict[str, CurrencyTotals] = Field(
        description="Totals of every currency the tenant invoices in."
    )


class DateRange(ApiModel):
    min: datetime | None = None
    max: datetime | None = None


class InvoiceDates(Protocol):
    def invoice_date_bounds(self, tenant_id: str) -> tuple[datetime | None, datetime | None]:
        """The earliest and the latest invoice date of the tenant's invoices (None: no invoice)."""
        ...


class Dashboard:
    def __init__(self, figures: FiguresStore, invoices: InvoiceDates, tenants: TenantLookup) -> None:
        self._figures = figures
        self._invoices = invoices
        self._tenants = tenants

    def count_by_status(self, tenant_id: str) -> dict[str, int]:
        return self._figures.get(tenant_id).count_by_status

    def stats(self, tenant_id: str) -> Stats:
        """The counts, and the totals in the tenant's default currency and in each currency."""
        currency = require_tenant(self._tenants, tenant_id).default_currency
        current = self._figures.get(tenant_id)
        return Stats(
            countByStatus=current.count_by_status,
            currency=currency,
            totalInvoiced=current.total("invoiced", currency),
            totalOutstanding=current.total("outstanding", currency),
            totalOverdue=current.total("overdue", currency),
            totalPaid=current.total("paid", currency),
            byCurrency={
                code: CurrencyTotals(**{metric: totals.get(metric, Decimal(0)) for metric in METRICS})
                for code, totals in current.amounts_by_currency.items()
            },
        )

    def date_range(self, tenant_id: str) -> DateRange:
        earliest, latest = self._invoices.invoice_date_bounds(tenant_id)
        return DateRange(min=earliest, max=latest)
