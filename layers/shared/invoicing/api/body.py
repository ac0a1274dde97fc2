"""The raw request body, decoded from API Gateway's base64 for binary media types, with a size cap."""

from __future__ import annotations

import base64

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from invoicing.errors import PayloadTooLarge


def raw_body(app: APIGatewayRestResolver, max_bytes: int) -> bytes:
    event = app.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode()
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"A request carries at most {max_bytes // 1024 // 1024} MiB.")
    return body
