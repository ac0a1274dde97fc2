"""Scheduled sending (seed 001): schedule and unschedule an invoice, and list the recurring templates."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import SchedulingServices

from invoicing.api.actor import current_actor
from invoicing.api.identity import READ_INVOICES, WRITE_INVOICES, current_principal
from invoicing.api.problems import problem_response
from invoicing.api.schedule_request import schedule_request
from invoicing.clock import utc_now
from invoicing.invoices.model import Invoice

function = ApiFunction(SchedulingServices)
app = function.app
services = function.services


@app.post(
    "/v1/invoices/<invoiceId>/schedule",
    middlewares=WRITE_INVOICES,
    responses={
        200: {"description": "The invoice, SCHEDULED, with its `scheduledSendAt`."},
        409: problem_response("The invoice is not a draft, or has no rows."),
        415: problem_response(
            "The body is neither multipart/form-data nor JSON, or the pdf part is not a PDF."
        ),
        422: problem_response("The send time is not in the future, or the invoice has no address to mail."),
    },
)
@function.tracer.capture_method
def schedule(invoiceId: str) -> Invoice:
    """Publish and mail a draft at `sendAt` (ISO 8601), else on its invoice date: multipart/form-data
    with optional parts `pdf` (your own PDF, mailed instead of ours) and `sendAt`, JSON
    `{"sendAt": ...}`, or no body. It has no number until it is sent."""
    return services.scheduling.schedule(current_actor(app), invoiceId, schedule_request(app), utc_now())


@app.patch(
    "/v1/invoices/<invoiceId>/unschedule",
    middlewares=WRITE_INVOICES,
    responses={409: problem_response("The invoice is not scheduled (any more: it may have been sent).")},
)
@function.tracer.capture_method
def unschedule(invoiceId: str) -> Invoice:
    """SCHEDULED -> DRAFT: nothing is sent."""
    return services.scheduling.unschedule(current_actor(app), invoiceId, utc_now())


@app.get("/v1/invoices/with-recurring-drafts", middlewares=READ_INVOICES)
@function.tracer.capture_method
def with_recurring_drafts() -> list[Invoice]:
    """The tenant's invoices that carry a recurring agreement (the templates), newest first, at most 500."""
    return services.scheduling.recurring_templates(current_principal(app).tenant_id)


lambda_handler = function.handler(idempotent=True, keeps_large_responses=True)
