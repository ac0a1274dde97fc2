"""The hosted invoice page: public routes authorised by the link's token (or short code) alone,
and the authenticated reissue of an invoice's link."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import PublicPageServices

from decimal import Decimal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseContentModel,
    OpenAPIResponseContentSchema,
)

from invoicing.api.actor import current_actor
from invoicing.api.addresses import request_base_url
from invoicing.api.identity import WRITE_INVOICES
from invoicing.api.problems import problem_response
from invoicing.api.public_pages import (
    form_tag,
    html,
    paid_page_path,
    public_page,
    public_request,
    submitted_as_form,
    with_security_headers,
)
from invoicing.invoices.enums import PaymentMethod
from invoicing.payments.requests import AchPaymentRequest, CardPaymentRequest
from invoicing.public_links.page import PaymentReceipt
from invoicing.public_links.rendering import receipt_for, render_page
from invoicing.public_links.urls import PublicLinkView

function = ApiFunction(PublicPageServices)
app = function.app
services = function.services

PUBLIC = [public_page]
HTML: dict[str, OpenAPIResponseContentSchema | OpenAPIResponseContentModel] = {
    "text/html": {"schema": {"type": "string"}}
}
PUBLIC_RESPONSES: dict[int, OpenAPIResponse] = {
    404: {"description": "Unknown, revoked or expired link: a small HTML page.", "content": HTML},
    429: problem_response("Too many requests for this link or from this client: wait a minute."),
}
PAGE_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {"description": "The invoice's page (HTML; a HEAD request answers its headers).", "content": HTML},
    **PUBLIC_RESPONSES,
}


def _redirect(description: str) -> OpenAPIResponse:
    return {
        "description": description,
        "headers": {"Location": {"description": "Where to go.", "schema": {"type": "string"}}},
    }


PAY_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": "Seed 003's PaymentAnswer (JSON), or the page with its receipt (a form post).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PaymentAnswer"}},
            "text/html": {"schema": {"type": "string"}},
        },
    },
    **PUBLIC_RESPONSES,
    402: problem_response("Declined by the processor: `errors.declineCode` is its reason."),
    409: problem_response("Nothing to pay, or another payment is in progress."),
    422: problem_response("totalAmount is not the balance for this method: the expected amount is named."),
}
PAGE = "/v1/public/invoices/<token>"


@app.get(PAGE, middlewares=PUBLIC, responses=PAGE_RESPONSES)
@function.tracer.capture_method
def open_page(token: str) -> Response[str]:
    """The invoice as its customer sees it (HTML); the day's first opening is recorded as VIEWED."""
    return html(200, render_page(services.public_page.open(public_request(app, token)), page_path=token))


@app.route(PAGE, method="HEAD", middlewares=PUBLIC, responses=PAGE_RESPONSES)
@function.tracer.capture_method
def check_page(token: str) -> Response[str]:
    """The page's headers only; never recorded as a view."""
    services.public_page.open(public_request(app, token))
    return html(200, "")


def _answer(token: str, receipt: PaymentReceipt, amount: Decimal, method: PaymentMethod) -> Response[str]:
    """A JSON client gets seed 003's answer; the page's form the page again, with the receipt."""
    if not submitted_as_form(app):
        return Response(200, "application/json", receipt.answer.model_dump_json())
    shown = receipt_for(receipt.page, amount, method)
    return html(200, render_page(receipt.page, page_path=paid_page_path(token), receipt=shown))


@app.post(f"{PAGE}/pay/card", middlewares=PUBLIC, responses=PAY_RESPONSES)
@function.tracer.capture_method
def pay_by_card(token: str, request: CardPaymentRequest) -> Response[str]:
    """Seed 003's card payment of the link's invoice (the page's form, or JSON)."""
    receipt = services.public_page.pay_card(public_request(app, token), request, form_tag(app))
    return _answer(token, receipt, request.totalAmount, PaymentMethod.CREDIT_CARD)


@app.post(f"{PAGE}/pay/ach", middlewares=PUBLIC, responses=PAY_RESPONSES)
@function.tracer.capture_method
def pay_by_ach(token: str, request: AchPaymentRequest) -> Response[str]:
    """Seed 003's bank debit of the link's invoice: pending until the processor settles it."""
    receipt = services.public_page.pay_ach(public_request(app, token), request, form_tag(app))
    return _answer(token, receipt, request.totalAmount, PaymentMethod.ACH)


@app.get(
    f"{PAGE}/pdf",
    middlewares=PUBLIC,
    responses={303: _redirect("To a short-lived download link of the PDF."), **PUBLIC_RESPONSES},
)
@function.tracer.capture_method
def download_pdf(token: str) -> Response[str]:
    """A redirect to a short-lived download link of the invoice's PDF (rendered if missing)."""
    link = services.public_page.pdf(public_request(app, token))
    return Response(303, "text/plain", "", headers={"Location": link.url})


@app.get(
    "/i/<code>", middlewares=PUBLIC, responses={302: _redirect("To the invoice's page."), **PUBLIC_RESPONSES}
)
@function.tracer.capture_method
def follow_short_link(code: str) -> Response[str]:
    """The short link: a redirect to the invoice's page."""
    urls = services.public_page.follow(public_request(app, code), request_base_url=request_base_url(app))
    return Response(302, "text/plain", "", headers={"Location": urls.full_url})


@app.post("/v1/invoices/<invoiceId>/public-link", middlewares=WRITE_INVOICES)
@function.tracer.capture_method
def reissue_public_link(invoiceId: str) -> PublicLinkView:
    """A new public link for a published invoice; the old one is unknown from now on (404)."""
    urls = services.public_page.reissue(current_actor(app), invoiceId, request_base_url=request_base_url(app))
    return PublicLinkView(fullUrl=urls.full_url, shortUrl=urls.short_url)


lambda_handler = with_security_headers(function.handler())
