"""A small HTTP client for the end-to-end tests: JSON in, status, headers and JSON out."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def exact_json(self) -> Any:
        """The body with every number as a Decimal, as a client that keeps amounts exact reads it."""
        return json.loads(self.body, parse_float=Decimal)


@dataclass(frozen=True)
class ApiClient:
    base_url: str
    authorization: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> HttpResponse:
        headers = dict(self.extra_headers)
        if self.authorization:
            headers["Authorization"] = self.authorization
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif raw is not None:
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return HttpResponse(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, dict(error.headers), error.read())

    def get(self, path: str) -> HttpResponse:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None) -> HttpResponse:
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any = None) -> HttpResponse:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> HttpResponse:
        return self.request("DELETE", path)


PROBLEM_KEYS = {
    "type",
    "title",
    "status",
    "detail",
    "instance",
    "time",
    "category",
    "message",
    "customerFacingMessage",
    "code",
    "statusCode",
    "name",
    "details",
    "errors",
    "correlationId",
}


def assert_problem(response: HttpResponse, status: int) -> dict[str, Any]:
    """The response is our one error body with this status; returns the body."""
    assert response.status == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert set(problem) == PROBLEM_KEYS
    assert problem["status"] == problem["code"] == problem["statusCode"] == status
    assert problem["correlationId"]
    return problem
