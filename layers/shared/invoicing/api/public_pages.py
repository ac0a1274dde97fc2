"""HTTP glue of the public (link-authorised) routes: the page's form posts read as the seed's JSON
bodies, the security headers on every answer, the HTML 404, and what a request tells the page."""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import Response

from invoicing.api import json_numbers
from invoicing.api.errors import problem_for
from invoicing.api.idempotency import idempotency_key
from invoicing.errors import DomainError, NotFound, QuotaExceeded
from invoicing.public_links.page import PublicRequest
from invoicing.public_links.rendering import HTML, SECURITY_HEADERS, render_error, render_not_found

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from invoicing.api.handler import LambdaHandler

PUBLIC_PREFIXES = ("/v1/public/", "/i/")
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
#: set on a form post once read as JSON (the answer is then HTML); the form's tag travels beside it
SUBMITTED_AS_FORM = "x-submitted-as-form"
FORM_TAG = "x-form-tag"
_INTEGERS = {"expirationYear", "expirationMonth", "accountType", "accountHolderType", "billingCountryId"}
_BOOLEANS = {"authorizeBankWithdrawal", "savePaymentMethod", "saveCustomerInfo"}
#: link scanners of mail and chat services that open links before (or instead of) the customer
SCANNER_AGENTS = (
    "bot",
    "crawler",
    "spider",
    "preview",
    "slurp",
    "facebookexternalhit",
    "slackbot",
    "discordbot",
    "whatsapp",
    "telegrambot",
    "skypeuripreview",
    "microsoft office",
    "outlook",
    "barracuda",
    "proofpoint",
    "mimecast",
    "safelinks",
    "googleimageproxy",
    "curl",
    "python-requests",
    "wget",
)


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def _header(event: dict[str, Any], name: str) -> str:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name and value:
            return str(value)
    return ""


def _form_value(name: str, value: str) -> Any:
    if name in _INTEGERS:
        return int(value) if value.isdigit() else value
    if name in _BOOLEANS:
        return value.lower() in ("true", "on", "1")
    if name == "totalAmount":
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def form_as_json(event: dict[str, Any]) -> dict[str, Any]:
    """A page's form post as the JSON body its route reads: empty fields left out, numbers and
    booleans typed, the form's tag and request key moved to headers (the body model forbids them)."""
    if event.get("httpMethod") != "POST" or not _header(event, "content-type").startswith(FORM_MEDIA_TYPE):
        return event
    raw = event.get("body") or ""
    text = base64.b64decode(raw).decode() if event.get("isBase64Encoded") else raw
    fields = {name: value for name, value in parse_qsl(text) if value != ""}
    headers = {
        key: value for key, value in (event.get("headers") or {}).items() if key.lower() != "content-type"
    }
    headers.update({"Content-Type": "application/json", SUBMITTED_AS_FORM: "1"})
    headers[FORM_TAG] = fields.pop("formTag", "")
    request_key = fields.pop("requestKey", "")
    if request_key:
        headers["Idempotency-Key"] = request_key
    body = {name: _form_value(name, value) for name, value in fields.items()}
    return {
        **event,
        "headers": headers,
        "multiValueHeaders": {},
        "body": json_numbers.dumps(body),
        "isBase64Encoded": False,
    }


def submitted_as_form(app: APIGatewayRestResolver) -> bool:
    return bool(_header(app.current_event.raw_event, SUBMITTED_AS_FORM))


def form_tag(app: APIGatewayRestResolver) -> str | None:
    """The page form's tag; None for a JSON client (the token alone authorises it)."""
    return _header(app.current_event.raw_event, FORM_TAG) if submitted_as_form(app) else None


def counts_as_view(event: dict[str, Any]) -> bool:
    """A customer opening the page: not a HEAD, a prefetch or a known link scanner."""
    if event.get("httpMethod") != "GET":
        return False
    purpose = f"{_header(event, 'purpose')} {_header(event, 'sec-purpose')} {_header(event, 'x-purpose')}"
    if "prefetch" in purpose.lower() or "preview" in purpose.lower():
        return False
    agent = _header(event, "user-agent").lower()
    return bool(agent) and not any(scanner in agent for scanner in SCANNER_AGENTS)


def public_request(app: APIGatewayRestResolver, secret: str) -> PublicRequest:
    event = app.current_event
    return PublicRequest(
        secret=secret,
        client_ip=event.request_context.identity.source_ip or "",
        counts_as_view=counts_as_view(event.raw_event),
        request_key=idempotency_key(event.raw_event),
    )


def paid_page_path(token: str) -> str:
    """The page's path relative to an answer of `.../<token>/pay/<method>`."""
    return f"../../{token}"


def html(status: int, body: str, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status, HTML, body, headers=headers)


def public_page(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Route middleware of the public routes: an unknown link is the HTML 404 (never the problem
    body, which would name the route), and a form's refused payment an HTML page saying why."""
    try:
        return next_middleware(app)
    except NotFound:
        return html(404, render_not_found())
    except QuotaExceeded:
        raise
    except DomainError as error:
        if not submitted_as_form(app):
            raise
        problem = problem_for(error)
        token = app.current_event.path_parameters.get("token", "")
        back = render_error(error.customer_message, error.message, back_path=paid_page_path(token))
        return html(problem.status, back)


def with_security_headers(handle: LambdaHandler) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The entry point of a function with public routes: their form posts read as JSON, and every
    answer of theirs (errors and 429s included) with the page's security headers."""

    def entry(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        public = is_public(str(event.get("path") or ""))
        response = handle(form_as_json(event) if public else event, context)
        if public and "multiValueHeaders" in response:
            response["multiValueHeaders"].update({name: [value] for name, value in SECURITY_HEADERS.items()})
        elif public:
            response["headers"] = {**(response.get("headers") or {}), **SECURITY_HEADERS}
        return response

    return entry
