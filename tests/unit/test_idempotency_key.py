import json

import pytest

from invoicing.api.idempotency import idempotency_key, is_final, may_call, request_fingerprint


@pytest.mark.parametrize("header", ["Idempotency-Key", "idempotency-key", "IDEMPOTENCY-KEY"])
def test_the_key_is_read_from_any_header_case_on_writes(header):
    assert idempotency_key({"httpMethod": "POST", "headers": {header: " k-1 "}}) == "k-1"


@pytest.mark.parametrize(
    "event",
    [
        {"httpMethod": "GET", "headers": {"Idempotency-Key": "k"}},
        {"httpMethod": "POST", "headers": {}},
        {"httpMethod": "POST", "headers": None},
        {"httpMethod": "PATCH", "headers": {"Idempotency-Key": "  "}},
    ],
)
def test_reads_and_requests_without_a_key_are_not_idempotent(event):
    assert idempotency_key(event) is None


def request(body: str | None = None, **query: list[str]) -> dict:
    return {"httpMethod": "DELETE", "body": body, "multiValueQueryStringParameters": query or None}


def test_the_fingerprint_is_the_body_and_every_query_value():
    fingerprint = request_fingerprint(request(ids=["a", "b"], force=["1"]))

    assert fingerprint == request_fingerprint(request(force=["1"], ids=["a", "b"]))
    assert fingerprint != request_fingerprint(request(ids=["a"], force=["1"]))
    assert fingerprint != request_fingerprint(request(ids=["a", "c"], force=["1"]))
    assert fingerprint != request_fingerprint(request('{"note": "x"}', ids=["a", "b"], force=["1"]))
    assert request_fingerprint(request()) != request_fingerprint(request("{}"))


def test_a_query_without_its_multi_value_form_has_the_same_fingerprint():
    single = {"httpMethod": "PATCH", "body": None, "queryStringParameters": {"date": "2026-11-30"}}

    assert request_fingerprint(single) == request_fingerprint(request(date=["2026-11-30"]))


def answer(status: int, problem: str | None = None) -> dict:
    body = json.dumps({"type": f"urn:invoicing:problem:{problem}", "status": status}) if problem else "{}"
    return {"statusCode": status, "body": body}


@pytest.mark.parametrize(
    "response",
    [
        answer(409, "concurrent-change"),
        answer(409, "idempotency-key-in-progress"),
        answer(429, "too-many-requests"),
        answer(503, "dependency-unavailable"),
        answer(500, "internal-error"),
        answer(502),
        answer(401, "unauthorized"),
        answer(403, "forbidden"),
        {"body": "{}"},
    ],
)
def test_answers_that_ask_to_retry_or_concern_the_caller_are_not_kept(response):
    assert not is_final(response)


@pytest.mark.parametrize(
    "response",
    [
        answer(200),
        answer(201),
        {"statusCode": 204, "body": None},
        answer(400, "validation-error"),
        answer(404, "not-found"),
        answer(409, "conflict"),
        {"statusCode": 409, "body": "not json"},
        answer(422, "unprocessable"),
    ],
)
def test_final_answers_are_kept(response):
    assert is_final(response)


def caller(scopes: str, method: str, path: str) -> dict:
    context = {"tenantId": "acme", "clientId": "1", "subject": "a", "scopes": scopes, "authMethod": "bearer"}
    return {"httpMethod": method, "path": path, "requestContext": {"authorizer": context}}


@pytest.mark.parametrize(
    ("scopes", "method", "path", "allowed"),
    [
        ("invoices:read invoices:write", "POST", "/v1/invoices", True),
        ("invoices:write", "DELETE", "/v1/invoices/delete-list", True),
        ("invoices:read", "POST", "/v1/invoices", False),
        ("invoices:read", "PATCH", "/v1/invoices/i-1/mark-as-paid", False),
        ("invoices:write", "POST", "/v1/invoices/dynamic-search", False),
        ("invoices:read", "POST", "/v1/invoices/dynamic-search", True),
        ("", "POST", "/v1/invoices", False),
    ],
)
def test_a_caller_may_call_what_the_authorizers_policy_opens_to_its_scopes(scopes, method, path, allowed):
    assert may_call(caller(scopes, method, path)) is allowed


def test_a_request_without_a_caller_may_call_nothing():
    assert not may_call({"httpMethod": "POST", "path": "/v1/invoices", "requestContext": {}})


def test_fields_never_stored_are_left_out_of_the_fingerprint_at_any_depth():
    def paying(card: str, amount: str) -> dict:
        return request(f'{{"amount": {amount}, "payer": {{"card": {{"number": "{card}", "cvc": "1"}}}}}}')

    fingerprint = request_fingerprint(paying("4111111111111111", "10.50"), {"number", "cvc"})

    assert fingerprint == request_fingerprint(paying("5555555555554444", "10.50"), {"number", "cvc"})
    assert fingerprint != request_fingerprint(paying("4111111111111111", "10.51"), {"number", "cvc"})
    assert request_fingerprint(paying("4111111111111111", "10.50")) != request_fingerprint(
        paying("5555555555554444", "10.50")
    )


def test_a_body_that_is_not_json_is_left_out_when_a_route_marks_fields():
    assert request_fingerprint(request("card=4111"), {"card"}) == request_fingerprint(request(), {"card"})
