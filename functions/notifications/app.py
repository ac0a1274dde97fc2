"""Notifications (seed 003): e-mail or text the customer about a published invoice, with consent.

Each route asks `invoicing.notifications.requests.Notifications`, which checks the invoice, the
consent, the address or number and the tenant's quota at once, records the message in the mail
outbox and on the invoice, and queues it; the delivery worker sends it (SES or SNS) exactly once.
See ARCHITECTURE.md, "Notifications".
"""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import NotificationServices

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import Field, StringConstraints

from invoicing.api.actor import current_actor
from invoicing.api.idempotency import idempotency_key
from invoicing.api.identity import WRITE_INVOICES
from invoicing.api.problems import problem_response
from invoicing.clock import utc_now
from invoicing.invoices.model import ApiModel, Email

function = ApiFunction(NotificationServices)
app = function.app
services = function.services

CONSENT = Field(default=False, description="The customer agreed to be notified this way; else 422, recorded.")
REFUSED: dict[int, OpenAPIResponse] = {
    202: {"description": "Accepted: the notification is queued; `job` names it in the invoice's history."},
    409: problem_response("Available only for published invoices."),
    422: problem_response(
        "No customer consent (recorded in the history), a suppressed address or an opted-out number."
    ),
    429: problem_response("The tenant's notifications of the day (UTC) are spent; see Retry-After."),
}


class EmailNotification(ApiModel):
    receiverEmail: Email
    customerConsent: bool = CONSENT


class SmsNotification(ApiModel):
    phoneNumber: Annotated[str, StringConstraints(min_length=1, max_length=32)] = Field(
        description="International format (+ and the country code); answered in E.164."
    )
    customerConsent: bool = CONSENT


class NotificationAccepted(ApiModel):
    job: str
    recipient: str = Field(description="The address, or the number in E.164.")


def _accepted(job: str, recipient: str) -> Response[NotificationAccepted]:
    return Response(202, "application/json", NotificationAccepted(job=job, recipient=recipient))


def _request_key() -> str:
    """One notification per Idempotency-Key (else per request) and route."""
    event = app.current_event
    return f"{event.path}\x1f{idempotency_key(event.raw_event) or event.request_context.request_id}"


@app.post("/v1/invoices/<invoiceId>/notifications/email", middlewares=WRITE_INVOICES, responses=REFUSED)
@function.tracer.capture_method
def notify_by_email(
    invoiceId: str, request: Annotated[EmailNotification, Body()]
) -> Response[NotificationAccepted]:
    """Mail the published invoice, its PDF and its hosted link to `receiverEmail`."""
    message = services.notifications.email(
        current_actor(app),
        invoiceId,
        request.receiverEmail,
        consent=request.customerConsent,
        request_key=_request_key(),
        now=utc_now(),
    )
    return _accepted(message.message_id, message.recipient)


@app.post("/v1/invoices/<invoiceId>/notifications/sms", middlewares=WRITE_INVOICES, responses=REFUSED)
@function.tracer.capture_method
def notify_by_sms(
    invoiceId: str, request: Annotated[SmsNotification, Body()]
) -> Response[NotificationAccepted]:
    """Text the invoice's number, amount due, due date and short link to `phoneNumber` (one SMS of
    at most two segments)."""
    message = services.notifications.sms(
        current_actor(app),
        invoiceId,
        request.phoneNumber,
        consent=request.customerConsent,
        request_key=_request_key(),
        now=utc_now(),
    )
    return _accepted(message.message_id, message.recipient)


lambda_handler = function.handler(idempotent=True)
