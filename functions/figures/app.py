"""Figures a dashboard reads: counts by status, money totals, the invoice date range.

Each costs a constant number of reads: the figures are kept up to date by every invoice change.
"""

from datetime import datetime
from decimal import Decimal

from aws_lambda_powertools import Logger, Metrics, Tracer
from pydantic import Field

from invoicing.adapters.figures_store import DynamoFiguresRepository
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.api.handler import api_handler
from invoicing.api.identity import current_principal, requires_any_scope
from invoicing.api.resolver import build_resolver
from invoicing.auth.principal import Scope
from invoicing.invoices.figures import METRICS
from invoicing.invoices.model import ApiModel, Money
from invoicing.settings import TableSettings, load_settings
from invoicing.tenants.model import require_tenant

settings = load_settings(TableSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = build_resolver(logger)
figures = DynamoFiguresRepository(settings.table_name)
invoices = DynamoInvoiceRepository(settings.table_name)
tenants = DynamoTenantRepository(settings.table_name)

READ = [requires_any_scope(Scope.INVOICES_READ)]


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


@app.get("/v1/invoices/count-by-status", middlewares=READ)
@tracer.capture_method
def count_by_status() -> dict[str, int]:
    return figures.get(current_principal(app).tenant_id).count_by_status


@app.get("/v1/invoices/stats", middlewares=READ)
@tracer.capture_method
def stats() -> Stats:
    tenant_id = current_principal(app).tenant_id
    tenant = require_tenant(tenants, tenant_id)
    current = figures.get(tenant_id)
    currency = tenant.default_currency
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


@app.get("/v1/invoices/date-range", middlewares=READ)
@tracer.capture_method
def date_range() -> DateRange:
    earliest, latest = invoices.invoice_date_bounds(current_principal(app).tenant_id)
    return DateRange(min=earliest, max=latest)


lambda_handler = api_handler(app, logger, tracer, metrics)
