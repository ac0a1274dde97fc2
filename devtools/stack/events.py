"""The events API Gateway (REST, payload 1.0) delivers: the Lambda proxy and REQUEST authorizer events."""

from __future__ import annotations

import base64
import fnmatch
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from devtools.template import ACCOUNT_ID, REGION

Headers = list[tuple[str, str]]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Api:
    """The deployed API as requests see it."""

    api_id: str
    stage: str
    binary_media_types: list[str]


@dataclass(frozen=True)
class HttpRequest:
    """A request as it reached the gateway: the path still percent-encoded, headers in arrival order."""

    method: str
    path: str
    query: str
    headers: Headers
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        """The last value of header `name` (any case), as API Gateway's `headers` carries it."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return values[-1] if values else None


@dataclass(frozen=True)
class RequestInfo:
    """What the gateway established for one request before it calls anything."""

    request_id: str
    extended_request_id: str
    time: datetime
    resource: str | None
    path_parameters: dict[str, str]

    @classmethod
    def new(cls, time: datetime, resource: str | None, path_parameters: dict[str, str]) -> RequestInfo:
        extended = base64.b64encode(os.urandom(11)).decode("ascii")
        return cls(str(uuid.uuid4()), extended, time, resource, path_parameters)


def request_time(time: datetime) -> str:
    """API Gateway's `requestTime`: `22/Nov/2026:12:00:00 +0000` (English month whatever the locale)."""
    return time.strftime(f"%d/{MONTHS[time.month - 1]}/%Y:%H:%M:%S +0000")


def is_binary(content_type: str | None, binary_media_types: list[str]) -> bool:
    """Whether a Content-Type (parameters ignored) matches the API's binary media types, `*` allowed."""
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return any(fnmatch.fnmatchcase(media_type, pattern.lower()) for pattern in binary_media_types)


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _last(multi: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[-1] for key, values in multi.items()}


def _headers(request: HttpRequest, port: str) -> list[tuple[str, str]]:
    """The request headers plus those API Gateway adds in front of the integration."""
    added = [
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Port", port),
        ("X-Forwarded-Proto", "http"),
    ]
    present = {name.lower() for name, _ in request.headers}
    return request.headers + [(name, value) for name, value in added if name.lower() not in present]


def method_arn(api: Api, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api.api_id}/{api.stage}/{method}/{path.lstrip('/')}"


def request_context(api: Api, request: HttpRequest, info: RequestInfo) -> dict[str, Any]:
    host = request.header("Host") or "localhost"
    resource = info.resource or ""
    return {
        "accountId": ACCOUNT_ID,
        "apiId": api.api_id,
        "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, resource).hex[:6],
        "resourcePath": resource,
        "httpMethod": request.method,
        "path": f"/{api.stage}{request.path}",
        "stage": api.stage,
        "requestId": info.request_id,
        "extendedRequestId": info.extended_request_id,
        "requestTime": request_time(info.time),
        "requestTimeEpoch": int(info.time.timestamp() * 1000),
        "protocol": request.protocol,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": request.header("User-Agent"),
            "userArn": None,
        },
    }


def _common(request: HttpRequest, info: RequestInfo, empty_maps: bool) -> dict[str, Any]:
    """The fields both events share; an empty map is {} with `empty_maps`, else null."""

    def empty() -> dict[str, Any] | None:
        return {} if empty_maps else None

    host = request.header("Host") or ""
    headers = _multi(_headers(request, host.rpartition(":")[2] if ":" in host else "80"))
    query = _multi(parse_qsl(request.query, keep_blank_values=True))
    return {
        "resource": info.resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": _last(headers) or empty(),
        "multiValueHeaders": headers or empty(),
        "queryStringParameters": _last(query) or empty(),
        "multiValueQueryStringParameters": query or empty(),
        "pathParameters": dict(info.path_parameters) or empty(),
        "stageVariables": empty(),
    }


def proxy_event(
    api: Api, request: HttpRequest, info: RequestInfo, authorizer: dict[str, Any] | None
) -> dict[str, Any]:
    """The Lambda proxy integration event; binary media types arrive base64-encoded."""
    binary = is_binary(request.header("Content-Type"), api.binary_media_types)
    if not request.body:
        body = None
    elif binary:
        body = base64.b64encode(request.body).decode("ascii")
    else:
        body = request.body.decode("utf-8", "replace")
    context = request_context(api, request, info)
    if authorizer is not None:
        context["authorizer"] = authorizer
    return {
        **_common(request, info, empty_maps=False),
        "requestContext": context,
        "body": body,
        "isBase64Encoded": binary and body is not None,
    }


def authorizer_event(api: Api, request: HttpRequest, info: RequestInfo) -> dict[str, Any]:
    """The REQUEST authorizer event; unlike the proxy event it carries empty maps as {}."""
    return {
        "type": "REQUEST",
        "methodArn": method_arn(api, request.method, request.path),
        **_common(request, info, empty_maps=True),
        "requestContext": request_context(api, request, info),
    }
