"""Invoice lifecycle: publish, mark as sent, cancel, payments, credit notes (seeds 001 and 003)."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import DocumentServices

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from invoicing.api.actor import current_actor
from invoicing.api.dates import CalendarDate
from invoicing.api.identity import WRITE_INVOICES
from invoicing.invoices.credit_notes import CreditNoteRequest
from invoicing.invoices.model import Invoice
from invoicing.invoices.publishing import PublishRequest, PublishResponse
from invoicing.invoices.seed_ids import MarkAsPaidRequest
from invoicing.invoices.transitions import Payment

function = ApiFunction(DocumentServices)
app = function.app
services = function.services

PaidDate = Annotated[
    CalendarDate | None, Query(alias="date", description="Payment date, YYYY-MM-DD (default today).")
]


def _published(invoice: Invoice) -> Invoice:
    function.metrics.add_metric(name="InvoicePublished", unit=MetricUnit.Count, value=1)
    return invoice


@app.patch("/v1/invoices/<invoiceId>/mark-as-sent", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def mark_as_sent(invoiceId: str) -> Invoice:
    """Number the invoice and mark it SENT without mailing it."""
    return _published(services.transitions.publish(current_actor(app), invoiceId))


@app.post("/v1/invoices/<invoiceId>/publish", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def publish(invoiceId: str, request: PublishRequest) -> PublishResponse:
    """Seed 003: apply the request's changes and publish, in one step."""
    return PublishResponse(
        id=_published(services.transitions.publish(current_actor(app), invoiceId, request)).id
    )


@app.patch("/v1/invoices/<invoiceId>/cancel", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def cancel(invoiceId: str) -> Invoice:
    return services.transitions.cancel(current_actor(app), invoiceId)


@app.post(
    "/v1/invoices/<invoiceId>/credit-note",
    middlewares=WRITE_INVOICES,
    responses={201: {"description": "The credit note, numbered in its own series; the invoice links to it."}},
)
@function.tracer.capture_method
def issue_credit_note(
    invoiceId: str, request: Annotated[CreditNoteRequest | None, Body()] = None
) -> Response[Invoice]:
    """Correct an issued invoice: credit all of it, or the rows named (part of a row's quantity, or a
    lower price); what is credited comes off what the invoice is owed."""
    credit_note = services.transitions.issue_credit_note(
        current_actor(app), invoiceId, request or CreditNoteRequest()
    )
    function.metrics.add_metric(name="CreditNoteIssued", unit=MetricUnit.Count, value=1)
    headers = {"Location": f"/v1/invoices/find/{credit_note.id}"}
    return Response(201, "application/json", credit_note, headers=headers)


@app.patch("/v1/invoices/<invoiceId>/add-payment", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def add_payment(invoiceId: str, payment: Payment) -> Invoice:
    return services.transitions.add_payment(current_actor(app), invoiceId, payment)


@app.delete("/v1/invoices/<invoiceId>/<transactionId>/remove-payment", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def remove_payment(invoiceId: str, transactionId: str) -> Invoice:
    return services.transitions.remove_payment(current_actor(app), invoiceId, transactionId)


@app.patch("/v1/invoices/<invoiceId>/mark-as-paid", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def mark_as_paid(
    invoiceId: str, paid_date: PaidDate = None, request: Annotated[MarkAsPaidRequest | None, Body()] = None
) -> Invoice:
    """The balance paid in full; seed 003's optional body says how (`paymentMethodTypeId`)."""
    method = (request or MarkAsPaidRequest()).payment_method
    return services.transitions.mark_as_paid(current_actor(app), invoiceId, paid_date, method)


@app.patch("/v1/invoices/<invoiceId>/unmark-as-paid", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def unmark_as_paid(invoiceId: str) -> Invoice:
    return services.transitions.unmark_as_paid(current_actor(app), invoiceId)


lambda_handler = function.handler(idempotent=True, keeps_large_responses=True)
