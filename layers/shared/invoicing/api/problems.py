"""The one error body every error of the API uses.

It is RFC 9457 problem details plus the fields each seed's clients read: `time` (001), `category`,
`message`, `customerFacingMessage` (000), `code`, `name`, `details` (002), `errors`, `statusCode`,
`correlationId` (003). API Gateway's own errors (template.yaml `GatewayResponses`) use the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from invoicing.clock import iso_utc

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:invoicing:problem:"


@dataclass(frozen=True)
class Problem:
    status: int
    slug: str
    detail: str
    customer_message: str
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)

    def body(self, *, instance: str, correlation_id: str, now: datetime) -> dict[str, Any]:
        title = HTTPStatus(self.status).phrase
        return {
            "type": PROBLEM_TYPE_PREFIX + self.slug,
            "title": title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            "time": iso_utc(now),
            "category": "TechnicalError" if self.status >= 500 else "BusinessError",
            "message": self.detail,
            "customerFacingMessage": self.customer_message,
            "code": self.status,
            "statusCode": self.status,
            "name": "ServerError" if self.status >= 500 else "ClientError",
            "details": [
                {"error": "; ".join(messages), "fields": [name], "hint": self.hints.get(name, "")}
                for name, messages in self.field_errors.items()
            ],
            "errors": self.field_errors,
            "correlationId": correlation_id,
        }


def problem_response(description: str) -> OpenAPIResponse:
    """An error response for a route's OpenAPI `responses`: the problem body (schema `Problem`)."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": schema}}}
