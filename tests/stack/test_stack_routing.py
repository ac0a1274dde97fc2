"""Resource matching as API Gateway does it: literal, then variable, then greedy segments."""

from __future__ import annotations

import pytest

from devtools.stack.routing import Router
from devtools.template import Route, local_deployment


def route(path: str, method: str = "GET", function: str = "Fn") -> Route:
    return Route(function=function, method=method, path=path, public=False)


ROUTER = Router(
    [
        route("/v1/invoices", "GET", "List"),
        route("/v1/invoices", "POST", "Create"),
        route("/v1/invoices/{invoiceId}", "GET", "Get"),
        route("/v1/invoices/summary", "GET", "Summary"),
        route("/v1/invoices/{invoiceId}/rows/{rowId}", "DELETE", "DeleteRow"),
        route("/v1/files/{proxy+}", "ANY", "Files"),
        route("/v1/files/special/{name}", "GET", "Special"),
        route("/", "GET", "Root"),
    ]
)


@pytest.mark.parametrize(
    ("method", "path", "function", "resource"),
    [
        ("GET", "/v1/invoices", "List", "/v1/invoices"),
        ("POST", "/v1/invoices", "Create", "/v1/invoices"),
        ("GET", "/v1/invoices/summary", "Summary", "/v1/invoices/summary"),
        ("GET", "/v1/invoices/inv-1", "Get", "/v1/invoices/{invoiceId}"),
        ("DELETE", "/v1/invoices/inv-1/rows/7", "DeleteRow", "/v1/invoices/{invoiceId}/rows/{rowId}"),
        ("GET", "/v1/files/special/a.pdf", "Special", "/v1/files/special/{name}"),
        ("PUT", "/v1/files/a/b/c.pdf", "Files", "/v1/files/{proxy+}"),
        ("GET", "/", "Root", "/"),
        ("GET", "/v1/invoices/", "List", "/v1/invoices"),
    ],
)
def test_the_most_specific_resource_wins(method: str, path: str, function: str, resource: str) -> None:
    match = ROUTER.match(method, path)

    assert match is not None
    assert match.route is not None
    assert (match.route.function, match.resource) == (function, resource)


def test_path_parameters_are_decoded() -> None:
    match = ROUTER.match("DELETE", "/v1/invoices/inv%2F1%20a/rows/%40x")

    assert match is not None
    assert match.path_parameters == {"invoiceId": "inv/1 a", "rowId": "@x"}


def test_a_greedy_variable_takes_the_rest_of_the_path() -> None:
    match = ROUTER.match("GET", "/v1/files/a/b%20c/d.pdf")

    assert match is not None
    assert match.path_parameters == {"proxy": "a/b c/d.pdf"}


def test_a_greedy_variable_needs_at_least_one_segment() -> None:
    assert ROUTER.match("GET", "/v1/files") is None


def test_a_known_resource_without_the_method_has_no_route() -> None:
    match = ROUTER.match("PATCH", "/v1/invoices/inv-1")

    assert match is not None
    assert match.resource == "/v1/invoices/{invoiceId}"
    assert match.route is None


def test_an_unknown_path_matches_nothing() -> None:
    assert ROUTER.match("GET", "/v2/invoices") is None
    assert ROUTER.match("GET", "/v1/invoices/inv-1/rows") is None


def test_the_template_routes_are_used() -> None:
    match = Router(local_deployment().routes()).match("GET", "/v1/me")

    assert match is not None
    assert match.route is not None
    assert match.route.function == "MeFunction"
