"""Invoice lifecycle: publish, mark as sent, cancel, payments (seeds 001 and 003)."""

from datetime import UTC, datetime, time
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.settings_store import DynamoSettingsRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.api.actor import current_actor
from invoicing.api.dates import CalendarDate
from invoicing.api.handler import api_handler
from invoicing.api.identity import requires_any_scope
from invoicing.api.resolver import build_resolver
from invoicing.auth.principal import Scope
from invoicing.clock import utc_now
from invoicing.invoices import edits, kernel, lifecycle, workflow
from invoicing.invoices.credit_notes import CreditNoteRequest
from invoicing.invoices.enums import PaymentMethod
from invoicing.invoices.model import ApiModel, Invoice, PaymentAmount, Timestamp
from invoicing.invoices.publishing import PublishRequest, PublishResponse, publish_fields
from invoicing.settings import DocumentsSettings, load_settings
from invoicing.tenants.model import require_tenant
from invoicing.tenants.settings import current_seller

settings = load_settings(DocumentsSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = build_resolver(logger)
invoices = DynamoInvoiceRepository(settings.table_name)
tenants = DynamoTenantRepository(settings.table_name)
tenant_settings = DynamoSettingsRepository(settings.table_name)

WRITE = [requires_any_scope(Scope.INVOICES_WRITE)]


class Payment(ApiModel):
    amount: PaymentAmount
    date: Timestamp | None = None
    paymentMethod: PaymentMethod = PaymentMethod.BANK_TRANSFER


def _publish(invoice_id: str, request: PublishRequest | None = None) -> Invoice:
    actor = current_actor(app)
    tenant = require_tenant(tenants, actor.tenant_id)
    now = utc_now()
    prepare = None
    if request is not None:

        def prepare(current: Invoice) -> kernel.Change:
            return edits.update_invoice(current, publish_fields(request, current, now), actor=actor, now=now)

    published = workflow.publish_invoice(
        invoices,
        lifecycle.NumberingPolicy.of(tenant),
        actor.tenant_id,
        invoice_id,
        actor=actor,
        now=now,
        prepare=prepare,
        seller=current_seller(tenant_settings, tenant),
    )
    metrics.add_metric(name="InvoicePublished", unit=MetricUnit.Count, value=1)
    return published


def _change(invoice_id: str, change: kernel.ChangeFunction, *, retry: bool = False) -> Invoice:
    actor = current_actor(app)
    return workflow.change_invoice(
        invoices, actor.tenant_id, invoice_id, lambda current: change(current, actor), retry=retry
    )


@app.patch("/v1/invoices/<invoiceId>/mark-as-sent", middlewares=WRITE)
@tracer.capture_method
def mark_as_sent(invoiceId: str) -> Invoice:
    """Number the invoice and mark it SENT without mailing it."""
    return _publish(invoiceId)


@app.post("/v1/invoices/<invoiceId>/publish", middlewares=WRITE)
@tracer.capture_method
def publish(invoiceId: str, request: PublishRequest) -> PublishResponse:
    """Seed 003: apply the request's changes and publish, in one step."""
    return PublishResponse(id=_publish(invoiceId, request).id)


@app.patch("/v1/invoices/<invoiceId>/cancel", middlewares=WRITE)
@tracer.capture_method
def cancel(invoiceId: str) -> Invoice:
    return _change(
        invoiceId, lambda current, actor: lifecycle.cancel(current, actor=actor, now=utc_now()), retry=True
    )


@app.post(
    "/v1/invoices/<invoiceId>/credit-note",
    middlewares=WRITE,
    responses={201: {"description": "The credit note, numbered in its own series; the invoice links to it."}},
)
@tracer.capture_method
def issue_credit_note(
    invoiceId: str, request: Annotated[CreditNoteRequest | None, Body()] = None
) -> Response[Invoice]:
    """Correct an issued invoice: credit all of it, or the rows named (part of a row's quantity, or a
    lower price); what is credited comes off what the invoice is owed."""
    actor = current_actor(app)
    credit_note = workflow.issue_credit_note(
        invoices, actor.tenant_id, invoiceId, request or CreditNoteRequest(), actor=actor, now=utc_now()
    )
    metrics.add_metric(name="CreditNoteIssued", unit=MetricUnit.Count, value=1)
    headers = {"Location": f"/v1/invoices/find/{credit_note.id}"}
    return Response(201, "application/json", credit_note, headers=headers)


@app.patch("/v1/invoices/<invoiceId>/add-payment", middlewares=WRITE)
@tracer.capture_method
def add_payment(invoiceId: str, payment: Payment) -> Invoice:
    now = utc_now()
    return _change(
        invoiceId,
        lambda current, actor: lifecycle.add_payment(
            current, payment.amount, payment.date or now, payment.paymentMethod, actor=actor, now=now
        ),
        retry=True,
    )


@app.delete("/v1/invoices/<invoiceId>/<transactionId>/remove-payment", middlewares=WRITE)
@tracer.capture_method
def remove_payment(invoiceId: str, transactionId: str) -> Invoice:
    return _change(
        invoiceId,
        lambda current, actor: lifecycle.remove_payment(current, transactionId, actor=actor, now=utc_now()),
        retry=True,
    )


@app.patch("/v1/invoices/<invoiceId>/mark-as-paid", middlewares=WRITE)
@tracer.capture_method
def mark_as_paid(
    invoiceId: str,
    paid_date: Annotated[
        CalendarDate | None, Query(alias="date", description="Payment date, YYYY-MM-DD (default today).")
    ] = None,
) -> Invoice:
    now = utc_now()
    paid_on = datetime.combine(paid_date, time(), UTC) if paid_date is not None else now
    return _change(
        invoiceId,
        lambda current, actor: lifecycle.mark_as_paid(current, paid_on, actor=actor, now=now),
        retry=True,
    )


@app.patch("/v1/invoices/<invoiceId>/unmark-as-paid", middlewares=WRITE)
@tracer.capture_method
def unmark_as_paid(invoiceId: str) -> Invoice:
    return _change(
        invoiceId,
        lambda current, actor: lifecycle.unmark_as_paid(current, actor=actor, now=utc_now()),
        retry=True,
    )


lambda_handler = api_handler(
    app,
    logger,
    tracer,
    metrics,
    idempotency_table=settings.idempotency_table_name,
    idempotency_bucket=settings.bucket_name,
)
