"""Gateway responses: what API Gateway answers itself, rendered from the template's `GatewayResponses`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Default:
    """API Gateway's own status, `$context.error.message` and `x-amzn-ErrorType` of a response type."""

    status: int
    message: str | None
    error_type: str


DEFAULTS = {
    "UNAUTHORIZED": Default(401, "Unauthorized", "UnauthorizedException"),
    "ACCESS_DENIED": Default(403, "User is not authorized to access this resource", "AccessDeniedException"),
    "AUTHORIZER_FAILURE": Default(500, None, "AuthorizerConfigurationException"),
    "MISSING_AUTHENTICATION_TOKEN": Default(
        403, "Missing Authentication Token", "MissingAuthenticationTokenException"
    ),
    "REQUEST_TOO_LARGE": Default(413, "Request Too Long", "RequestTooLargeException"),
    "INTEGRATION_TIMEOUT": Default(504, "Endpoint request timed out", "InternalServerErrorException"),
    "INTEGRATION_FAILURE": Default(504, "Internal server error", "InternalServerErrorException"),
    "THROTTLED": Default(429, "Too Many Requests", "TooManyRequestsException"),
    # A Lambda proxy integration that fails or answers malformed output: 502, no type of its own.
    "DEFAULT_5XX": Default(502, "Internal server error", "InternalServerErrorException"),
}
EXPLICIT_DENY_MESSAGE = "User is not authorized to access this resource with an explicit deny"
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
_VARIABLE = re.compile(r"\$\{context\.([A-Za-z0-9_.]+)\}|\$context((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def substitute(template: str, variables: dict[str, str]) -> str:
    """Replace `$context.x.y` (and `${context.x.y}`) by its value; unknown variables become empty."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)[1:]
        return variables.get(name, "")

    return _VARIABLE.sub(replace, template)


def _header_value(expression: str) -> str | None:
    """A header mapping of a gateway response: only static `'literal'` values exist without a request."""
    if len(expression) >= 2 and expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    return None


def render(
    definitions: dict[str, dict[str, Any]],
    response_type: str,
    variables: dict[str, str],
    message: str | None = None,
) -> HttpResponse:
    """The response for `response_type`: its own entry, else DEFAULT_4XX/5XX, else API Gateway's default.

    `variables` are the request's `$context` values; the error variables are added here.
    """
    default = DEFAULTS[response_type]
    text = default.message if message is None else message
    fallback = "DEFAULT_4XX" if default.status < 500 else "DEFAULT_5XX"
    entry = definitions.get(response_type) or definitions.get(fallback) or {}
    status = int(entry.get("StatusCode", default.status))
    headers = [("Content-Type", "application/json")]
    for name, expression in entry.get("ResponseParameters", {}).get("Headers", {}).items():
        value = _header_value(str(expression))
        if value is not None:
            headers = [(key, old) for key, old in headers if key.lower() != name.lower()]
            headers.append((name, value))
    headers.append(("x-amzn-ErrorType", default.error_type))
    template = entry.get("ResponseTemplates", {}).get("application/json", DEFAULT_TEMPLATE)
    context = {
        **variables,
        "error.message": text or "",
        "error.messageString": json.dumps(text),
        "error.responseType": response_type,
    }
    return HttpResponse(status, headers, substitute(template, context).encode("utf-8"))
