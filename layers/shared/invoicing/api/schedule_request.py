"""The body of `POST /v1/invoices/{invoiceId}/schedule`: multipart/form-data with an optional `pdf`
(the client's own PDF) and an optional `sendAt`; or JSON `{"sendAt": ...}`; or nothing at all."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import ValidationError

from invoicing.api.body import raw_body
from invoicing.documents.files import MAX_FILE_BYTES, PDF, sniff
from invoicing.documents.multipart import is_multipart, parse_files
from invoicing.errors import UnsupportedMediaType, ValidationFailed
from invoicing.invoices.model import ApiModel, Timestamp, field_errors
from invoicing.scheduling.requests import ScheduleRequest

PDF_FIELD = "pdf"
SEND_AT_FIELD = "sendAt"
#: a PDF of at most 3 MiB in a multipart body: boundaries, part headers and sendAt on top
MAX_SCHEDULE_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024


class ScheduleFields(ApiModel):
    """The fields of a schedule request, as JSON or as form fields."""

    sendAt: Timestamp | None = None


def _fields(data: object) -> ScheduleFields:
    try:
        return ScheduleFields.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(
            "The schedule request is not valid.", field_errors=field_errors(error)
        ) from None


def _one(parts: list[bytes], field: str) -> bytes | None:
    if len(parts) > 1:
        raise ValidationFailed(f"Send at most one {field!r}.", field_errors={field: ["At most one."]})
    return parts[0] if parts else None


def schedule_request(app: APIGatewayRestResolver) -> ScheduleRequest:
    content_type = app.current_event.headers.get("content-type", "")
    body = raw_body(app, MAX_SCHEDULE_BODY_BYTES)
    if not body.strip():
        return ScheduleRequest()
    if not is_multipart(content_type):
        try:
            data = json.loads(body)
        except ValueError:
            raise UnsupportedMediaType(
                "Send multipart/form-data (optional parts 'pdf' and 'sendAt'), or JSON with 'sendAt'."
            ) from None
        return ScheduleRequest(send_at=_fields(data).sendAt)
    pdf = _one(
        [part.content for part in parse_files(content_type, body, PDF_FIELD, required=False)], PDF_FIELD
    )
    if pdf is not None and sniff(pdf) != PDF:
        raise UnsupportedMediaType(
            "The 'pdf' part is not a PDF document.", field_errors={PDF_FIELD: ["Must be a PDF document."]}
        )
    send_at = _one(
        [part.content for part in parse_files(content_type, body, SEND_AT_FIELD, required=False)],
        SEND_AT_FIELD,
    )
    fields = _fields({SEND_AT_FIELD: send_at.decode("utf-8", "replace").strip()} if send_at else {})
    return ScheduleRequest(send_at=fields.sendAt, client_pdf=pdf)
