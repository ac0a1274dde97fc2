"""The proxy and REQUEST authorizer events the gateway builds, field by field as API Gateway sends them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from devtools.stack.events import (
    Api,
    HttpRequest,
    RequestInfo,
    authorizer_event,
    is_binary,
    proxy_event,
    request_time,
)

API = Api(
    api_id="abc123", stage="dev", binary_media_types=["multipart/form-data", "image/*", "application/pdf"]
)
NOW = datetime(2026, 11, 22, 12, 0, 0, 250000, tzinfo=UTC)


def request(
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    query: str = "",
    method: str = "GET",
    path: str = "/v1/invoices/inv%201",
) -> HttpRequest:
    return HttpRequest(
        method=method,
        path=path,
        query=query,
        headers=headers if headers is not None else [("Host", "127.0.0.1:3000"), ("User-Agent", "pytest")],
        body=body,
        source_ip="127.0.0.1",
    )


INFO = RequestInfo.new(NOW, "/v1/invoices/{invoiceId}", {"invoiceId": "inv 1"})


def test_multi_value_headers_and_query_strings_keep_every_value_and_the_last_wins() -> None:
    headers = [("Host", "h:3000"), ("Accept", "text/plain"), ("X-Tag", "a"), ("X-Tag", "b")]

    event = proxy_event(API, request(headers=headers, query="a=1&a=2&b=x+y&c=%2B&d"), INFO, None)

    assert event["headers"]["X-Tag"] == "b"
    assert event["multiValueHeaders"]["X-Tag"] == ["a", "b"]
    assert event["headers"]["X-Forwarded-Port"] == "3000"
    assert event["queryStringParameters"] == {"a": "2", "b": "x y", "c": "+", "d": ""}
    assert event["multiValueQueryStringParameters"]["a"] == ["1", "2"]


def test_absent_maps_are_null_in_the_proxy_event() -> None:
    info = RequestInfo.new(NOW, "/v1/me", {})

    event = proxy_event(API, request(path="/v1/me"), info, None)

    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert "authorizer" not in event["requestContext"]


def test_request_context_carries_stage_path_time_and_identity() -> None:
    event = proxy_event(API, request(), INFO, {"principalId": "p", "tenantId": "acme"})
    context = event["requestContext"]

    assert event["resource"] == "/v1/invoices/{invoiceId}"
    assert event["path"] == "/v1/invoices/inv%201"
    assert event["pathParameters"] == {"invoiceId": "inv 1"}
    assert context["path"] == "/dev/v1/invoices/inv%201"
    assert context["resourcePath"] == "/v1/invoices/{invoiceId}"
    assert context["stage"] == "dev"
    assert context["apiId"] == "abc123"
    assert context["accountId"] == "123456789012"
    assert context["requestTime"] == "22/Nov/2026:12:00:00 +0000"
    assert context["requestTimeEpoch"] == 1795348800250
    assert context["requestId"] == INFO.request_id
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "pytest"
    assert context["domainName"] == "127.0.0.1:3000"
    assert context["authorizer"] == {"principalId": "p", "tenantId": "acme"}


def test_a_binary_media_type_body_arrives_base64_encoded() -> None:
    payload = bytes(range(256))
    headers = [("Content-Type", "multipart/form-data; boundary=xyz")]

    event = proxy_event(API, request(body=payload, headers=headers, method="POST"), INFO, None)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_a_text_body_arrives_as_text() -> None:
    headers = [("Content-Type", "application/json")]

    event = proxy_event(API, request(body='{"a":"é"}'.encode(), headers=headers, method="POST"), INFO, None)

    assert event["isBase64Encoded"] is False
    assert event["body"] == '{"a":"é"}'


@pytest.mark.parametrize(
    ("content_type", "binary"),
    [
        ("image/png", True),
        ("IMAGE/JPEG; q=1", True),
        ("application/pdf", True),
        ("application/json", False),
        ("application/pdfx", False),
        (None, False),
    ],
)
def test_binary_media_types_match_with_wildcards(content_type: str | None, binary: bool) -> None:
    assert is_binary(content_type, API.binary_media_types) is binary


def test_the_authorizer_event_has_the_method_arn_and_empty_maps_as_objects() -> None:
    event = authorizer_event(API, request(query="x=1"), INFO)

    assert event["type"] == "REQUEST"
    assert (
        event["methodArn"] == "arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/GET/v1/invoices/inv%201"
    )
    assert event["queryStringParameters"] == {"x": "1"}
    assert event["stageVariables"] == {}
    assert event["headers"]["User-Agent"] == "pytest"
    assert event["requestContext"]["resourcePath"] == "/v1/invoices/{invoiceId}"
    assert "body" not in event


def test_request_time_is_in_common_log_format() -> None:
    assert request_time(datetime(2026, 1, 5, 7, 8, 9, tzinfo=UTC)) == "05/Jan/2026:07:08:09 +0000"
