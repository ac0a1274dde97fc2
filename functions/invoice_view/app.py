"""Seed 003's reads: its invoice shape and what each payment method costs."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import InvoiceViewServices

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from invoicing.api.addresses import request_base_url
from invoicing.api.identity import READ_INVOICES, current_principal
from invoicing.invoices.seed_views import CalculationsView, SeedInvoice
from invoicing.payments.method_prices import PaymentMethodOption

function = ApiFunction(InvoiceViewServices)
app = function.app
services = function.services

Method = Annotated[
    PaymentMethodOption | None,
    Query(
        alias="paymentMethod",
        description="creditCard (surcharged), debitCard or ach (cash discount); none: the base price.",
    ),
]


@app.get("/v1/invoices/<invoiceId>", middlewares=READ_INVOICES)
@function.tracer.capture_method
def get_invoice(invoiceId: str) -> SeedInvoice:
    """Seed 003's shape of the invoice (seed 001's is GET /v1/invoices/find/{id})."""
    tenant_id = current_principal(app).tenant_id
    return services.seed_views.invoice(tenant_id, invoiceId, base_url=request_base_url(app))


@app.get("/v1/invoices/<invoiceId>/calculations", middlewares=READ_INVOICES)
@function.tracer.capture_method
def get_calculations(invoiceId: str, payment_method: Method = None) -> CalculationsView:
    """What paying the invoice's balance costs by `paymentMethod`, or at the base price."""
    return services.seed_views.calculations(current_principal(app).tenant_id, invoiceId, payment_method)


lambda_handler = function.handler()
