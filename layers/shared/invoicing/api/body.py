"""The raw request body, decoded from API Gateway's base64 for binary media types, with a size cap."""

from __future__ import annotations

import base64
import binascii

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from invoicing.errors import PayloadTooLarge, ValidationFailed


def raw_body(app: APIGatewayRestResolver, max_bytes: int) -> bytes:
    event = app.current_event
    raw = event.body or ""
    try:
        body = base64.b64decode(raw, validate=True) if event.is_base64_encoded else raw.encode()
    except binascii.Error as error:
        raise ValidationFailed(
            "The body is marked base64-encoded but is not base64.", field_errors={"body": [str(error)]}
        ) from error
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"A request carries at most {max_bytes // 1024 // 1024} MiB.")
    return body
