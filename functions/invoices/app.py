"""Invoices: create, read, change and delete (seed 001's invoice resource)."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import InvoiceServices

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import Field

from invoicing.api.actor import current_actor
from invoicing.api.identity import READ_INVOICES, WRITE_INVOICES, current_principal
from invoicing.errors import ValidationFailed
from invoicing.invoices.edits import NOT_BLANK
from invoicing.invoices.model import Invoice, InvoiceCreate, InvoiceFields, RowInput

MAX_IDS = 100

function = ApiFunction(InvoiceServices)
app = function.app
services = function.services

IdList = Annotated[
    list[str],
    Query(
        description=f"Invoice ids, repeated or comma-separated (at most {MAX_IDS}).",
        json_schema_extra={
            "minItems": 1,
            "maxItems": MAX_IDS,
            "items": {"type": "string", "pattern": r"[^,\s]"},
        },
    ),
]
Comment = Annotated[
    str,
    Body(description="The comment, as a JSON string; not blank.", json_schema_extra={"pattern": NOT_BLANK}),
    Field(max_length=10_000),
]


def _ids(values: list[str]) -> list[str]:
    ids = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not ids:
        raise ValidationFailed("Name at least one invoice id.", field_errors={"ids": ["Required."]})
    if len(ids) > MAX_IDS:
        raise ValidationFailed(f"At most {MAX_IDS} ids per request.", field_errors={"ids": ["Too many ids."]})
    return ids


def _created(invoice: Invoice) -> Response[Invoice]:
    headers = {"Location": f"/v1/invoices/find/{invoice.id}"}
    return Response(status_code=201, content_type="application/json", body=invoice, headers=headers)


def _tenant() -> str:
    return current_principal(app).tenant_id


@app.post(
    "/v1/invoices", middlewares=WRITE_INVOICES, responses={201: {"description": "The new draft invoice."}}
)
@function.tracer.capture_method
def create_invoice(invoice: InvoiceCreate) -> Response[Invoice]:
    return _created(services.invoice_editing.create(current_actor(app), invoice))


@app.post(
    "/v1/invoices/empty", middlewares=WRITE_INVOICES, responses={201: {"description": "The new empty draft."}}
)
@function.tracer.capture_method
def create_empty_invoice() -> Response[Invoice]:
    return _created(services.invoice_editing.create(current_actor(app), InvoiceCreate()))


@app.get("/v1/invoices/find/<invoiceId>", middlewares=READ_INVOICES)
@function.tracer.capture_method
def find_invoice(invoiceId: str) -> Invoice:
    return services.invoice_editing.find(_tenant(), invoiceId)


@app.get("/v1/invoices/find", middlewares=READ_INVOICES)
@app.get(
    "/v1/invoices/find-list",
    middlewares=READ_INVOICES,
    operation_id="find_invoice_list_v1_invoices_find_list_get",
)
@function.tracer.capture_method
def find_invoices(ids: IdList) -> list[Invoice]:
    return services.invoice_editing.find_many(_tenant(), _ids(ids))


@app.get("/v1/invoices/find-all", middlewares=READ_INVOICES)
@function.tracer.capture_method
def find_all_invoices() -> list[Invoice]:
    """The tenant's newest invoices by invoice date, at most 500; page through more with /page."""
    return services.invoice_editing.newest(_tenant())


@app.get("/v1/invoices/by-opportunity/<opportunityId>", middlewares=READ_INVOICES)
@function.tracer.capture_method
def find_by_opportunity(opportunityId: str) -> list[Invoice]:
    return services.invoice_editing.by_opportunity(_tenant(), opportunityId)


@app.patch("/v1/invoices/<invoiceId>/update", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def update_invoice(invoiceId: str, patch: InvoiceFields) -> Invoice:
    return services.invoice_editing.update(current_actor(app), invoiceId, patch)


@app.post("/v1/invoices/<invoiceId>/rows", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def add_row(invoiceId: str, row: RowInput) -> Invoice:
    return services.invoice_editing.add_row(current_actor(app), invoiceId, row)


@app.delete("/v1/invoices/<invoiceId>/rows/<rowId>", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def remove_row(invoiceId: str, rowId: str) -> Invoice:
    return services.invoice_editing.remove_row(current_actor(app), invoiceId, rowId)


@app.post("/v1/invoices/<invoiceId>/comment", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def add_comment(invoiceId: str, comment: Comment) -> Invoice:
    return services.invoice_editing.add_comment(current_actor(app), invoiceId, comment)


@app.patch("/v1/invoices/<invoiceId>/link-opportunity/<opportunityId>", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def link_opportunity(invoiceId: str, opportunityId: str) -> Invoice:
    return services.invoice_editing.link_opportunity(current_actor(app), invoiceId, opportunityId)


@app.delete(
    "/v1/invoices/<invoiceId>", middlewares=WRITE_INVOICES, responses={204: {"description": "Deleted."}}
)
@function.tracer.capture_method
def delete_invoice(invoiceId: str) -> Response[None]:
    services.invoice_editing.delete(current_actor(app), [invoiceId])
    return Response(status_code=204)


@app.delete(
    "/v1/invoices/delete-list", middlewares=WRITE_INVOICES, responses={204: {"description": "All deleted."}}
)
@function.tracer.capture_method
def delete_invoices(ids: IdList) -> Response[None]:
    """Checks every invoice first, so one that may not be deleted stops the whole request."""
    services.invoice_editing.delete(current_actor(app), _ids(ids))
    return Response(status_code=204)


lambda_handler = function.handler(idempotent=True, keeps_large_responses=True)
