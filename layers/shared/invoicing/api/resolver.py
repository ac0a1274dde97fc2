"""The REST resolver every API function starts from."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIResponseValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.compat import ModelField

from invoicing.api import json_numbers
from invoicing.api.errors import register_error_handlers


def build_resolver(logger: Logger) -> APIGatewayRestResolver:
    """A resolver that validates requests and responses against their pydantic models and answers
    every error with the one error body.

    JSON numbers are read as Decimal and written by `invoicing.api.json_numbers`, so amounts stay
    exact both ways. powertools' response validation middleware is replaced by the subclass below
    (the resolver builds each route's middleware stack from this attribute on its first request).
    """
    app = APIGatewayRestResolver(
        enable_validation=True,
        serializer=json_numbers.dumps,
        json_body_deserializer=partial(json.loads, parse_float=Decimal),
    )
    app._response_validation_middleware = _ExactResponseValidation()
    register_error_handlers(app, logger)
    return app


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
