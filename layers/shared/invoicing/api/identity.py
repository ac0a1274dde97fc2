"""The caller of the current request, taken only from the authorizer's context."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from invoicing.auth.principal import Principal, Scope
from invoicing.errors import PermissionDenied

Middleware = Callable[[APIGatewayRestResolver, NextMiddleware], Response[object]]


def current_principal(app: APIGatewayRestResolver) -> Principal:
    return Principal.from_authorizer_context(app.current_event.request_context.authorizer.raw_event)


def requires_any_scope(*scopes: str) -> Middleware:
    """Route middleware: 403 unless the caller holds at least one of `scopes`."""

    def check(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[object]:
        principal = current_principal(app)
        if not any(principal.has_scope(scope) for scope in scopes):
            raise PermissionDenied(f"This operation needs the scope {' or '.join(scopes)}.")
        return next_middleware(app)

    return check


#: route middlewares of the invoice routes: reading needs invoices:read, changing invoices:write
READ_INVOICES = [requires_any_scope(Scope.INVOICES_READ)]
WRITE_INVOICES = [requires_any_scope(Scope.INVOICES_WRITE)]
