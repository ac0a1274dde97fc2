"""Card and ACH payments of an invoice through the payment processor (seed 003), and the processor's
signed webhook events that settle or return ACH debits."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import PaymentServices

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from invoicing.api.actor import current_actor
from invoicing.api.idempotency import idempotency_key
from invoicing.api.identity import WRITE_INVOICES
from invoicing.api.problems import problem_response
from invoicing.payments.paying import PaymentContext
from invoicing.payments.requests import (
    SENSITIVE_FIELDS,
    AchPaymentRequest,
    CardPaymentRequest,
    PaymentAnswer,
)

function = ApiFunction(PaymentServices)
app = function.app
services = function.services

SIGNATURE_HEADER = "Payment-Signature"
PAYMENT_RESPONSES: dict[int, OpenAPIResponse] = {
    402: problem_response("Declined by the processor: `errors.declineCode` is its reason."),
    409: problem_response("Not payable (not published, or paid), or another payment is in progress."),
    422: problem_response("totalAmount is not the balance for this method: the expected amount is named."),
}


def _context() -> PaymentContext:
    event = app.current_event
    return PaymentContext(
        current_actor(app),
        request_key=idempotency_key(event.raw_event),
        client_ip=event.request_context.identity.source_ip or "",
    )


@app.post("/v1/invoices/<invoiceId>/pay/card", middlewares=WRITE_INVOICES, responses=PAYMENT_RESPONSES)
@function.tracer.capture_method
def pay_by_card(invoiceId: str, request: CardPaymentRequest) -> PaymentAnswer:
    """Pay by card: the balance for the card's funding type (a credit card's carries the surcharge),
    or part of it."""
    return services.invoice_payments.pay_card(_context(), invoiceId, request)


@app.post("/v1/invoices/<invoiceId>/pay/ach", middlewares=WRITE_INVOICES, responses=PAYMENT_RESPONSES)
@function.tracer.capture_method
def pay_by_ach(invoiceId: str, request: AchPaymentRequest) -> PaymentAnswer:
    """Pay by bank debit: pending until the processor settles it (the invoice is then paid) or the
    bank returns it."""
    return services.invoice_payments.pay_ach(_context(), invoiceId, request)


@app.post(
    "/v1/payments/events",
    responses={401: problem_response("The event's Payment-Signature does not verify.")},
)
@function.tracer.capture_method
def processor_event() -> dict[str, bool]:
    """The processor's webhook (no bearer token: the HMAC signature of the body authenticates it)."""
    event = app.current_event
    signature = event.headers.get(SIGNATURE_HEADER) or event.headers.get(SIGNATURE_HEADER.lower()) or ""
    applied = services.payment_events.receive((event.body or "").encode(), signature)
    return {"received": True, "applied": applied is not None}


#: card and account numbers never reach an idempotency record (its fingerprint leaves them out too)
lambda_handler = function.handler(
    idempotent=True,
    never_stored={
        "POST /v1/invoices/{invoiceId}/pay/card": SENSITIVE_FIELDS,
        "POST /v1/invoices/{invoiceId}/pay/ach": SENSITIVE_FIELDS,
    },
)
