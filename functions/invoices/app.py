"""Invoices: create, read, change and delete (seed 001's invoice resource)."""

from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import Field

from invoicing.adapters.document_store import S3DocumentStore
from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.settings_store import DynamoSettingsRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.api.actor import current_actor
from invoicing.api.handler import api_handler
from invoicing.api.identity import current_principal, requires_any_scope
from invoicing.api.resolver import build_resolver
from invoicing.auth.principal import Scope
from invoicing.clock import utc_now
from invoicing.errors import ValidationFailed
from invoicing.invoices import edits, kernel, workflow
from invoicing.invoices.model import Invoice, InvoiceCreate, InvoiceFields, RowInput
from invoicing.settings import DocumentsSettings, load_settings
from invoicing.tenants.model import require_tenant
from invoicing.tenants.settings import with_defaults

MAX_IDS = 100
MAX_LISTED = 500

settings = load_settings(DocumentsSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = build_resolver(logger)
invoices = DynamoInvoiceRepository(settings.table_name)
tenants = DynamoTenantRepository(settings.table_name)
tenant_settings = DynamoSettingsRepository(settings.table_name)
documents = S3DocumentStore(settings.bucket_name)

READ = [requires_any_scope(Scope.INVOICES_READ)]
WRITE = [requires_any_scope(Scope.INVOICES_WRITE)]

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
    Body(
        description="The comment, as a JSON string; not blank.",
        json_schema_extra={"pattern": edits.NOT_BLANK},
    ),
    Field(max_length=10_000),
]


def _ids(values: list[str]) -> list[str]:
    ids = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not ids:
        raise ValidationFailed("Name at least one invoice id.", field_errors={"ids": ["Required."]})
    if len(ids) > MAX_IDS:
        raise ValidationFailed(f"At most {MAX_IDS} ids per request.", field_errors={"ids": ["Too many ids."]})
    return ids


def _delete(invoice: Invoice) -> None:
    """The invoice, then every version of its PDFs and attachments in the documents bucket."""
    invoices.delete(invoice)
    documents.delete_invoice_files(invoice.tenantId, invoice.id)


def _created(invoice: Invoice) -> Response[Invoice]:
    return Response(
        status_code=201,
        content_type="application/json",
        body=invoice,
        headers={"Location": f"/v1/invoices/find/{invoice.id}"},
    )


def _create(fields: InvoiceCreate) -> Response[Invoice]:
    """A new draft with the tenant's defaults (settings, else the tenant's currency) where `fields`
    leave them out."""
    actor = current_actor(app)
    defaults = tenant_settings.get(actor.tenant_id).settings.defaults
    complete = with_defaults(
        fields, defaults, lambda: require_tenant(tenants, actor.tenant_id).default_currency
    )
    change = edits.create_invoice(complete, actor=actor, now=utc_now(), tax_rounding=defaults.taxRounding)
    return _created(invoices.create(change.invoice, change.event))


def _apply(invoice_id: str, change: kernel.ChangeFunction) -> Invoice:
    actor = current_actor(app)
    return workflow.change_invoice(
        invoices, actor.tenant_id, invoice_id, lambda current: change(current, actor)
    )


@app.post("/v1/invoices", middlewares=WRITE, responses={201: {"description": "The new draft invoice."}})
@tracer.capture_method
def create_invoice(invoice: InvoiceCreate) -> Response[Invoice]:
    return _create(invoice)


@app.post("/v1/invoices/empty", middlewares=WRITE, responses={201: {"description": "The new empty draft."}})
@tracer.capture_method
def create_empty_invoice() -> Response[Invoice]:
    return _create(InvoiceCreate())


@app.get("/v1/invoices/find/<invoiceId>", middlewares=READ)
@tracer.capture_method
def find_invoice(invoiceId: str) -> Invoice:
    return invoices.get(current_principal(app).tenant_id, invoiceId)


@app.get("/v1/invoices/find", middlewares=READ)
@tracer.capture_method
def find_invoices(ids: IdList) -> list[Invoice]:
    return invoices.get_many(current_principal(app).tenant_id, _ids(ids))


@app.get("/v1/invoices/find-list", middlewares=READ)
@tracer.capture_method
def find_invoice_list(ids: IdList) -> list[Invoice]:
    return invoices.get_many(current_principal(app).tenant_id, _ids(ids))


@app.get("/v1/invoices/find-all", middlewares=READ)
@tracer.capture_method
def find_all_invoices() -> list[Invoice]:
    """The tenant's newest invoices by invoice date, at most 500; page through more with /page."""
    tenant_id = current_principal(app).tenant_id
    return invoices.get_many(tenant_id, invoices.ids_by_invoice_date(tenant_id, MAX_LISTED))


@app.get("/v1/invoices/by-opportunity/<opportunityId>", middlewares=READ)
@tracer.capture_method
def find_by_opportunity(opportunityId: str) -> list[Invoice]:
    tenant_id = current_principal(app).tenant_id
    return invoices.get_many(tenant_id, invoices.ids_by_opportunity(tenant_id, opportunityId, MAX_LISTED))


@app.patch("/v1/invoices/<invoiceId>/update", middlewares=WRITE)
@tracer.capture_method
def update_invoice(invoiceId: str, patch: InvoiceFields) -> Invoice:
    return _apply(
        invoiceId, lambda current, actor: edits.update_invoice(current, patch, actor=actor, now=utc_now())
    )


@app.post("/v1/invoices/<invoiceId>/rows", middlewares=WRITE)
@tracer.capture_method
def add_row(invoiceId: str, row: RowInput) -> Invoice:
    return _apply(invoiceId, lambda current, actor: edits.add_row(current, row, actor=actor, now=utc_now()))


@app.delete("/v1/invoices/<invoiceId>/rows/<rowId>", middlewares=WRITE)
@tracer.capture_method
def remove_row(invoiceId: str, rowId: str) -> Invoice:
    return _apply(
        invoiceId, lambda current, actor: edits.remove_row(current, rowId, actor=actor, now=utc_now())
    )


@app.post("/v1/invoices/<invoiceId>/comment", middlewares=WRITE)
@tracer.capture_method
def add_comment(invoiceId: str, comment: Comment) -> Invoice:
    return _apply(
        invoiceId, lambda current, actor: edits.add_comment(current, comment, actor=actor, now=utc_now())
    )


@app.patch("/v1/invoices/<invoiceId>/link-opportunity/<opportunityId>", middlewares=WRITE)
@tracer.capture_method
def link_opportunity(invoiceId: str, opportunityId: str) -> Invoice:
    return _apply(
        invoiceId,
        lambda current, actor: edits.link_opportunity(current, opportunityId, actor=actor, now=utc_now()),
    )


@app.delete("/v1/invoices/<invoiceId>", middlewares=WRITE, responses={204: {"description": "Deleted."}})
@tracer.capture_method
def delete_invoice(invoiceId: str) -> Response[None]:
    invoice = invoices.get(current_principal(app).tenant_id, invoiceId)
    edits.ensure_deletable(invoice)
    _delete(invoice)
    return Response(status_code=204)


@app.delete("/v1/invoices/delete-list", middlewares=WRITE, responses={204: {"description": "All deleted."}})
@tracer.capture_method
def delete_invoices(ids: IdList) -> Response[None]:
    """Checks every invoice first, so one that may not be deleted stops the whole request."""
    tenant_id = current_principal(app).tenant_id
    targets = [invoices.get(tenant_id, invoice_id) for invoice_id in _ids(ids)]
    for invoice in targets:
        edits.ensure_deletable(invoice)
    for invoice in targets:
        _delete(invoice)
    return Response(status_code=204)


lambda_handler = api_handler(
    app,
    logger,
    tracer,
    metrics,
    idempotency_table=settings.idempotency_table_name,
    idempotency_bucket=settings.bucket_name,
)
