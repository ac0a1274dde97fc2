"""Every HTTP method reaches the local gateway, which answers an undeclared one as API Gateway does:
the template's MISSING_AUTHENTICATION_TOKEN gateway response, in the one error body."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.stack.gateway import Gateway, GatewayServer
from devtools.stack.responses import render
from devtools.template import local_deployment

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "correlationId", "errors", "details"}


class NoFunctions:
    """A runtime that is never asked to run anything: no request here reaches a function."""

    def invoke(self, *_: Any) -> Any:
        raise AssertionError("no function should run")


@pytest.fixture(scope="module")
def server() -> Iterator[GatewayServer]:
    deployment = local_deployment()
    running = GatewayServer(Gateway(deployment, NoFunctions()), 0)  # type: ignore[arg-type]
    running.start()
    yield running
    running.stop()


def send(server: GatewayServer, method: str, path: str, body: bytes | None = None) -> tuple[int, dict, bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def expected_status() -> int:
    responses = local_deployment().gateway_responses()
    return render(responses, "MISSING_AUTHENTICATION_TOKEN", {}).status


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "PURGE", "LINK", "BREW"])
@pytest.mark.parametrize("path", ["/v1/invoices", "/v1/no-such-resource"])
def test_an_undeclared_method_is_the_missing_authentication_token_response(server, method, path):
    status, headers, body = send(server, method, path, b"{}")

    assert status == expected_status()
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    problem = json.loads(body)
    assert set(problem) >= PROBLEM_KEYS
    assert problem["status"] == status
    assert method in problem["detail"]
    assert problem["correlationId"] == headers["x-amzn-RequestId"]


def test_an_undeclared_method_on_a_declared_resource_is_answered_like_an_unknown_path(server):
    undeclared = send(server, "PUT", "/v1/me")
    unknown = send(server, "GET", "/v1/nowhere")

    assert undeclared[0] == unknown[0] == expected_status()
    assert json.loads(undeclared[2])["type"] == json.loads(unknown[2])["type"]
