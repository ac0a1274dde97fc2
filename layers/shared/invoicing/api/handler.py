"""The Lambda entry point every API function exposes: observability around the resolver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.adapters.kept_responses import S3KeptResponses
from invoicing.api.idempotency import IdempotentWrites, NeverStored

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def api_handler(
    app: APIGatewayRestResolver,
    logger: Logger,
    tracer: Tracer,
    metrics: Metrics,
    *,
    idempotency_table: str | None = None,
    idempotency_bucket: str | None = None,
    never_stored: NeverStored | None = None,
) -> LambdaHandler:
    """`lambda_handler` for `app`: structured logs with the request id as correlation id, an X-Ray
    segment, metrics flushed (with the cold-start metric) after each request, and, given an
    idempotency table, `Idempotency-Key` on every write (`invoicing.api.idempotency`); responses too
    large for the table are kept in `idempotency_bucket`, and the fields `never_stored` names for a
    route never reach a record."""
    writes = None
    if idempotency_table:
        kept_responses = S3KeptResponses(idempotency_bucket) if idempotency_bucket else None
        writes = IdempotentWrites(idempotency_table, logger, metrics, kept_responses, never_stored)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        if writes is None:
            return app.resolve(event, context)
        return writes(app.resolve, event, context)

    return lambda_handler
