"""The REST resolver every API function starts from."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
    OpenAPIResponseValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.compat import ModelField
from aws_lambda_powertools.event_handler.types import EventHandlerInstance

from invoicing.api import json_numbers
from invoicing.api.errors import register_error_handlers
from invoicing.errors import UnsupportedMediaType

JSON_MEDIA_TYPE = "application/json"


def build_resolver(logger: Logger) -> APIGatewayRestResolver:
    """A resolver that validates requests and responses against their pydantic models and answers
    every error with the one error body.

    JSON is read and written by `invoicing.api.json_numbers`, so amounts stay exact both ways. Two of
    powertools' validation middlewares are replaced by the subclasses below (the resolver builds each
    route's middleware stack from these attributes on its first request).
    """
    app = APIGatewayRestResolver(
        enable_validation=True,
        serializer=json_numbers.dumps,
        json_body_deserializer=json_numbers.loads,
    )
    app._request_validation_middleware = _JsonRequestValidation()  # type: ignore[no-untyped-call]
    app._response_validation_middleware = _ExactResponseValidation()
    register_error_handlers(app, logger)
    return app


class _JsonRequestValidation(OpenAPIRequestValidationMiddleware):
    """A route with a body model reads JSON only: another media type with a body is 415 (powertools
    would parse forms and multipart into the model, or fail on an unknown type)."""

    def _get_body(self, app: EventHandlerInstance) -> dict[str, Any]:
        event = app.current_event
        media_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media_type not in ("", JSON_MEDIA_TYPE) and event.body:
            raise UnsupportedMediaType(
                f"This operation reads {JSON_MEDIA_TYPE}, not {media_type}.",
                field_errors={"Content-Type": [f"Send {JSON_MEDIA_TYPE}."]},
            )
        body: dict[str, Any] = self._parse_json_data(app)
        return body


class _PythonModeField:
    """A route's return field whose dump keeps Python values (Decimal) for `json_numbers.dumps`."""

    def __init__(self, field: ModelField) -> None:
        self._field = field

    def __getattr__(self, name: str) -> Any:
        return getattr(self._field, name)

    def serialize(self, value: Any, **options: Any) -> Any:
        return self._field.serialize(value, **{**options, "mode": "python"})


class _ExactResponseValidation(OpenAPIResponseValidationMiddleware):
    """Responses validated as powertools does, but dumped in python mode: its JSON-mode dump and its
    `jsonable_encoder` would make every Decimal a float (or a string) before the serializer runs."""

    def _handle_response(self, *, route: Route, response: Response[Any]) -> Response[Any]:
        if route.dependant.return_param is None:
            return response
        handled: Response[Any] = super()._handle_response(route=route, response=response)
        return handled

    def _serialize_response_with_validation(self, *, field: ModelField, **options: Any) -> Any:
        python_mode: Any = _PythonModeField(field)
        return super()._serialize_response_with_validation(field=python_mode, **options)
