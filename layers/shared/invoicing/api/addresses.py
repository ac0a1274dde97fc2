"""Where the API is, as a request reached it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver


def request_base_url(app: APIGatewayRestResolver) -> str:
    """The API's address as this request reached it (the stage's URL on API Gateway)."""
    context = app.current_event.request_context
    domain, stage = context.domain_name, context.stage
    return f"https://{domain}/{stage}" if domain and stage else ""
