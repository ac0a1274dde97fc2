"""What the gateway answers itself (gateway responses) and how it maps a Lambda proxy result."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from devtools.stack.gateway import MalformedProxyResponseError, proxy_response
from devtools.stack.responses import render, substitute
from devtools.template import local_deployment

VARIABLES = {
    "requestId": "req-1",
    "path": "/dev/v1/invoices",
    "httpMethod": "GET",
    "requestTime": "22/Nov/2026:12:00:00 +0000",
    "stage": "dev",
}


def test_the_templates_own_response_is_rendered_with_context_variables() -> None:
    responses = local_deployment().gateway_responses()

    response = render(responses, "UNAUTHORIZED", VARIABLES)

    assert response.status == 401
    headers = dict(response.headers)
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["WWW-Authenticate"] == 'Bearer realm="invoicing", Basic realm="invoicing"'
    assert headers["x-amzn-ErrorType"] == "UnauthorizedException"
    body = json.loads(response.body)
    assert body["instance"] == "/dev/v1/invoices"
    assert body["time"] == "22/Nov/2026:12:00:00 +0000"
    assert body["correlationId"] == "req-1"


def test_message_string_is_json_quoted() -> None:
    definitions = {
        "DEFAULT_4XX": {"ResponseTemplates": {"application/json": '{"m":$context.error.messageString}'}}
    }

    body = render(definitions, "ACCESS_DENIED", VARIABLES, 'a "quoted"\nline').body

    assert json.loads(body) == {"m": 'a "quoted"\nline'}


def test_the_templates_5xx_covers_a_failed_integration() -> None:
    responses = local_deployment().gateway_responses()

    response = render(responses, "INTEGRATION_TIMEOUT", VARIABLES)

    assert response.status == 500
    assert json.loads(response.body)["correlationId"] == "req-1"


def test_a_type_without_entry_falls_back_to_its_status_class() -> None:
    definitions = {
        "DEFAULT_4XX": {
            "StatusCode": "400",
            "ResponseTemplates": {"application/json": '{"t":"$context.error.responseType"}'},
        },
        "DEFAULT_5XX": {"ResponseTemplates": {"application/json": '{"five":"$context.error.message"}'}},
    }

    four = render(definitions, "MISSING_AUTHENTICATION_TOKEN", VARIABLES)
    five = render(definitions, "DEFAULT_5XX", VARIABLES)

    assert (four.status, json.loads(four.body)) == (400, {"t": "MISSING_AUTHENTICATION_TOKEN"})
    assert (five.status, json.loads(five.body)) == (502, {"five": "Internal server error"})


@pytest.mark.parametrize(
    ("response_type", "status", "body"),
    [
        ("MISSING_AUTHENTICATION_TOKEN", 403, {"message": "Missing Authentication Token"}),
        ("UNAUTHORIZED", 401, {"message": "Unauthorized"}),
        ("ACCESS_DENIED", 403, {"message": "User is not authorized to access this resource"}),
        ("AUTHORIZER_FAILURE", 500, {"message": None}),
        ("REQUEST_TOO_LARGE", 413, {"message": "Request Too Long"}),
        ("DEFAULT_5XX", 502, {"message": "Internal server error"}),
    ],
)
def test_api_gateway_defaults_without_any_entry(
    response_type: str, status: int, body: dict[str, Any]
) -> None:
    response = render({}, response_type, VARIABLES)

    assert (response.status, json.loads(response.body)) == (status, body)
    assert dict(response.headers)["Content-Type"] == "application/json"


def test_unknown_variables_become_empty_and_formal_notation_works() -> None:
    text = substitute("$context.nope|${context.requestId}|$context.path.|$context.stage", VARIABLES)

    assert text == "|req-1|/dev/v1/invoices.|dev"


def test_header_mappings_other_than_literals_are_ignored() -> None:
    definitions = {
        "UNAUTHORIZED": {
            "ResponseParameters": {"Headers": {"X-Static": "'yes'", "X-Dynamic": "method.request.header.x"}}
        }
    }

    headers = dict(render(definitions, "UNAUTHORIZED", VARIABLES).headers)

    assert headers["X-Static"] == "yes"
    assert "X-Dynamic" not in headers


def test_a_proxy_result_maps_to_status_headers_and_body() -> None:
    response = proxy_response(
        {
            "statusCode": 201,
            "headers": {"Location": "/v1/x", "X-One": "1", "Set-Cookie": "ignored"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"ok":true}',
            "isBase64Encoded": False,
        }
    )

    assert response.status == 201
    assert response.headers == [
        ("Location", "/v1/x"),
        ("X-One", "1"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Content-Type", "application/json"),
    ]
    assert response.body == b'{"ok":true}'


def test_a_base64_body_is_decoded_byte_for_byte() -> None:
    payload = bytes(range(256)) * 3

    response = proxy_response(
        {
            "statusCode": 200,
            "headers": {"Content-Type": "application/pdf"},
            "body": base64.b64encode(payload).decode(),
            "isBase64Encoded": True,
        }
    )

    assert response.body == payload
    assert response.headers == [("Content-Type", "application/pdf")]


@pytest.mark.parametrize(
    "result",
    [
        "hello",
        {"body": "x"},
        {"statusCode": "abc"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "unexpected": 1},
        {"statusCode": 200, "headers": {"X": {"nested": 1}}},
        {"statusCode": 200, "multiValueHeaders": {"X": "not a list"}},
        {"statusCode": 200, "body": "not base64!", "isBase64Encoded": True},
    ],
)
def test_a_malformed_proxy_result_is_refused(result: Any) -> None:
    with pytest.raises(MalformedProxyResponseError):
        proxy_response(result)
