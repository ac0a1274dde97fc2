"""The one place that maps exceptions to HTTP responses."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from invoicing import errors
from invoicing.api import json_numbers
from invoicing.api.problems import PROBLEM_CONTENT_TYPE, Problem
from invoicing.clock import utc_now

_STATUS_BY_ERROR: list[tuple[type[errors.DomainError], int, str]] = [
    (errors.AuthenticationFailed, 401, "unauthorized"),
    (errors.PermissionDenied, 403, "forbidden"),
    (errors.NotFound, 404, "not-found"),
    (errors.ConcurrentChange, 409, "concurrent-change"),
    (errors.Conflict, 409, "conflict"),
    (errors.ValidationFailed, 400, "validation-error"),
    (errors.PaymentDeclined, 402, "payment-declined"),
    (errors.PayloadTooLarge, 413, "payload-too-large"),
    (errors.UnsupportedMediaType, 415, "unsupported-media-type"),
    (errors.Unprocessable, 422, "unprocessable"),
    (errors.QuotaExceeded, 429, "quota-exceeded"),
    (errors.DependencyUnavailable, 503, "dependency-unavailable"),
]

INTERNAL_ERROR_DETAIL = "An internal error occurred. Quote the correlation id when you contact support."


def problem_for(error: errors.DomainError) -> Problem:
    for error_type, status, slug in _STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return Problem(status, slug, error.message, error.customer_message, error.field_errors)
    return Problem(400, "bad-request", error.message, error.customer_message, error.field_errors)


def problem_for_validation(error: RequestValidationError) -> Problem:
    """Request validation (malformed JSON, wrong types, missing fields) is 400, naming each field."""
    field_errors: dict[str, list[str]] = {}
    for issue in error.errors():
        field_errors.setdefault(_field_name(issue.get("loc", ())), []).append(str(issue.get("msg")))
    fields = ", ".join(field_errors)
    return Problem(
        400,
        "validation-error",
        f"The request is not valid: {fields}.",
        "Some fields are not valid.",
        field_errors,
    )


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "rows", 0, "quantity")` -> `rows[0].quantity`; the location kind is dropped."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def register_error_handlers(app: APIGatewayRestResolver, logger: Logger) -> None:
    def respond(problem: Problem) -> Response[str]:
        event = app.current_event
        body = problem.body(
            instance=event.request_context.path or event.path,
            correlation_id=event.request_context.request_id or "",
            now=utc_now(),
        )
        return Response(problem.status, PROBLEM_CONTENT_TYPE, json_numbers.dumps(body))

    def domain_error(error: errors.DomainError) -> Response[str]:
        logger.info("request refused", extra={"error": type(error).__name__, "detail": error.message})
        response = respond(problem_for(error))
        if isinstance(error, errors.QuotaExceeded):
            response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response

    def validation_error(error: RequestValidationError) -> Response[str]:
        return respond(problem_for_validation(error))

    def route_not_found(_: NotFoundError) -> Response[str]:
        event = app.current_event
        detail = f"No route matches {event.http_method} {event.path}."
        return respond(Problem(404, "not-found", detail, "The requested resource does not exist."))

    def unexpected_error(_: Exception) -> Response[str]:
        logger.exception("unhandled error")
        return respond(
            Problem(
                500,
                "internal-error",
                INTERNAL_ERROR_DETAIL,
                "Something went wrong on our side. Please try again later.",
            )
        )

    app.exception_handler(errors.DomainError)(domain_error)
    app.exception_handler(RequestValidationError)(validation_error)
    app.not_found(route_not_found)
    app.exception_handler(Exception)(unexpected_error)
