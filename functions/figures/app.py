"""Figures a dashboard reads: counts by status, money totals, the invoice date range.

Each costs a constant number of reads: the figures are kept up to date by every invoice change.
"""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import TableServices

from invoicing.api.identity import READ_INVOICES, current_principal
from invoicing.invoices.dashboard import DateRange, Stats

function = ApiFunction(TableServices)
app = function.app
services = function.services


@app.get("/v1/invoices/count-by-status", middlewares=READ_INVOICES)
@function.tracer.capture_method
def count_by_status() -> dict[str, int]:
    return services.dashboard.count_by_status(current_principal(app).tenant_id)


@app.get("/v1/invoices/stats", middlewares=READ_INVOICES)
@function.tracer.capture_method
def stats() -> Stats:
    return services.dashboard.stats(current_principal(app).tenant_id)


@app.get("/v1/invoices/date-range", middlewares=READ_INVOICES)
@function.tracer.capture_method
def date_range() -> DateRange:
    return services.dashboard.date_range(current_principal(app).tenant_id)


lambda_handler = function.handler()
