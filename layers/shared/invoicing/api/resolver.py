"""The REST resolver every API function starts from."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from invoicing.api.errors import register_error_handlers


def build_resolver(logger: Logger) -> APIGatewayRestResolver:
    """A resolver that validates requests and responses against their pydantic models and answers
    every error with the one error body. JSON numbers are read as Decimal, so amounts stay exact."""
    app = APIGatewayRestResolver(
        enable_validation=True,
        json_body_deserializer=partial(json.loads, parse_float=Decimal),
    )
    register_error_handlers(app, logger)
    return app
