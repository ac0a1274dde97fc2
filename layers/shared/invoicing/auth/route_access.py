"""Which routes each scope opens, as API Gateway policy statements.

The authorizer turns a caller's scopes into Allow/Deny statements, so API Gateway answers 403
before a function runs (and before any request validation could say something to a caller who may
not use the route). Handlers check the same scopes again as route middleware.

- invoices:read  opens every GET and the read-only POST of dynamic search;
- invoices:write opens every POST, PUT, PATCH and DELETE but the settings, and GET /v1/me;
- settings:write opens PATCH /v1/settings, and GET /v1/settings and GET /v1/me;
- a caller with no scope is denied everything.

An explicit Deny wins over every Allow, so a Deny is only stated for a scope the caller lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from invoicing.auth.principal import Scope

#: POST routes that only read; a write-only caller may not use them
READ_ONLY_POSTS = ("v1/invoices/dynamic-search",)
SETTINGS = "v1/settings"


@dataclass(frozen=True)
class RouteStatement:
    effect: str  # "Allow" or "Deny"
    method: str  # an HTTP verb or "*"
    resource: str  # a path without its leading slash, "*" wildcards allowed


def statements_for(scopes: Iterable[str]) -> list[RouteStatement]:
    granted = set(scopes)
    statements: list[RouteStatement] = []
    if Scope.INVOICES_READ in granted:
        statements.append(RouteStatement("Allow", "GET", "*"))
        statements.extend(RouteStatement("Allow", "POST", path) for path in READ_ONLY_POSTS)
    if Scope.INVOICES_WRITE in granted:
        statements.extend(
            RouteStatement("Allow", method, "*") for method in ("POST", "PUT", "PATCH", "DELETE")
        )
        statements.append(RouteStatement("Allow", "GET", "v1/me"))
        if Scope.INVOICES_READ not in granted:
            statements.extend(RouteStatement("Deny", "POST", path) for path in READ_ONLY_POSTS)
        if Scope.SETTINGS_WRITE not in granted:
            statements.append(RouteStatement("Deny", "PATCH", SETTINGS))
    if Scope.SETTINGS_WRITE in granted:
        statements.extend(
            RouteStatement("Allow", method, path)
            for method, path in (("PATCH", SETTINGS), ("GET", SETTINGS), ("GET", "v1/me"))
        )
    if not statements:
        statements.append(RouteStatement("Deny", "*", "*"))
    return statements
