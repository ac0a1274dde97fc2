"""The REQUEST authorizer as API Gateway runs it: policies, context, refusals and the cache."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from devtools.stack.authorizer import Authorizer, MalformedResultError, authorizer_context, evaluate_policy
from devtools.stack.events import Api, HttpRequest, RequestInfo
from devtools.stack.runtime import Invocation

ARN = "arn:aws:execute-api:eu-west-1:123456789012:api1/dev/GET/v1/invoices/inv-1"
API = Api(api_id="api1", stage="dev", binary_media_types=[])


def policy(*statements: tuple[str, str | list[str]], action: str = "execute-api:Invoke") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Action": action, "Effect": effect, "Resource": resource} for effect, resource in statements
        ],
    }


@pytest.mark.parametrize(
    ("document", "effect"),
    [
        (policy(("Allow", ARN)), "allow"),
        (policy(("Allow", "arn:aws:execute-api:eu-west-1:123456789012:api1/dev/*/*")), "allow"),
        (policy(("Allow", "arn:aws:execute-api:eu-west-1:123456789012:api1/*")), "allow"),
        (policy(("Allow", "arn:aws:execute-api:eu-west-1:123456789012:api1/dev/POST/*")), "implicit-deny"),
        (
            policy(("Allow", "arn:aws:execute-api:eu-west-1:123456789012:api1/dev/GET/v1/invoices/inv-?")),
            "allow",
        ),
        (policy(("Allow", "*"), ("Deny", ARN)), "deny"),
        (policy(("Deny", "arn:aws:execute-api:*:*:*/*/GET/*"), ("Allow", "*")), "deny"),
        (policy(("Allow", [ARN, "other"])), "allow"),
        (policy(("Allow", "*"), action="execute-api:*"), "allow"),
        (policy(("Allow", "*"), action="s3:GetObject"), "implicit-deny"),
        ({"Version": "2012-10-17", "Statement": []}, "implicit-deny"),
        ({"Statement": {"Action": "*", "Effect": "Allow", "Resource": "*"}}, "allow"),
    ],
)
def test_policy_evaluation(document: dict[str, Any], effect: str) -> None:
    assert evaluate_policy(document, ARN) == effect


@pytest.mark.parametrize("document", ["Allow", {"Statement": [{"Effect": "Maybe", "Resource": "*"}]}])
def test_a_malformed_policy_is_refused(document: Any) -> None:
    with pytest.raises(MalformedResultError):
        evaluate_policy(document, ARN)


def test_context_values_become_strings_as_in_rest_apis() -> None:
    result = {
        "principalId": "user-1",
        "policyDocument": policy(("Allow", "*")),
        "context": {"tenantId": "acme", "clientId": 7, "ratio": 1.5, "admin": True, "gone": None},
    }

    assert authorizer_context(result) == {
        "tenantId": "acme",
        "clientId": "7",
        "ratio": "1.5",
        "admin": "true",
        "principalId": "user-1",
    }


@pytest.mark.parametrize(
    "result",
    [
        None,
        {"principalId": "p"},
        {"policyDocument": policy(("Allow", "*"))},
        {"principalId": "p", "policyDocument": policy(("Allow", "*")), "context": {"nested": {"a": 1}}},
        {"principalId": "p", "policyDocument": policy(("Allow", "*")), "context": {"list": [1]}},
    ],
)
def test_a_malformed_result_is_refused(result: Any) -> None:
    with pytest.raises(MalformedResultError):
        authorizer_context(result)


class FakeFunction:
    def __init__(self, result: Any = None, error: dict[str, Any] | None = None) -> None:
        self.result = result
        self.error = error
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> Invocation:
        self.events.append(event)
        return Invocation(request_id="r", result=self.result, error=self.error)


def request(authorization: str | None = "Bearer t", path: str = "/v1/invoices/inv-1") -> HttpRequest:
    headers = [("Authorization", authorization)] if authorization is not None else []
    return HttpRequest("GET", path, "", headers, b"", "127.0.0.1")


INFO = RequestInfo.new(datetime(2026, 11, 22, tzinfo=UTC), "/v1/invoices/{invoiceId}", {"invoiceId": "inv-1"})
ALLOW_ALL = {"principalId": "p", "policyDocument": policy(("Allow", "*")), "context": {"tenantId": "acme"}}


@pytest.mark.parametrize("token", [None, ""])
def test_a_missing_identity_header_is_unauthorized_without_calling_the_function(token: str | None) -> None:
    function = FakeFunction(ALLOW_ALL)

    decision = Authorizer(function, ["Authorization"], 300).authorize(API, request(token), INFO)

    assert decision.refusal == "UNAUTHORIZED"
    assert function.events == []


def test_an_allow_passes_the_context_and_principal() -> None:
    function = FakeFunction(ALLOW_ALL)

    decision = Authorizer(function, ["Authorization"], 300).authorize(API, request(), INFO)

    assert decision.refusal is None
    assert decision.authorizer is not None
    assert decision.authorizer["tenantId"] == "acme"
    assert decision.authorizer["principalId"] == "p"
    assert function.events[0]["methodArn"] == ARN
    assert function.events[0]["type"] == "REQUEST"


def test_the_unauthorized_error_is_a_401_and_other_errors_an_authorizer_failure() -> None:
    refused = FakeFunction(error={"errorType": "Exception", "errorMessage": "Unauthorized"})
    broken = FakeFunction(error={"errorType": "KeyError", "errorMessage": "'x'"})

    assert (
        Authorizer(refused, ["Authorization"], 300).authorize(API, request(), INFO).refusal == "UNAUTHORIZED"
    )
    assert (
        Authorizer(broken, ["Authorization"], 300).authorize(API, request(), INFO).refusal
        == "AUTHORIZER_FAILURE"
    )


def test_a_malformed_result_is_an_authorizer_failure() -> None:
    function = FakeFunction({"statusCode": 401})

    decision = Authorizer(function, ["Authorization"], 300).authorize(API, request(), INFO)

    assert decision.refusal == "AUTHORIZER_FAILURE"


def test_deny_is_access_denied() -> None:
    explicit = FakeFunction({"principalId": "p", "policyDocument": policy(("Deny", "*"))})
    implicit = FakeFunction({"principalId": "p", "policyDocument": policy(("Allow", "arn:other"))})

    denied = Authorizer(explicit, ["Authorization"], 300).authorize(API, request(), INFO)
    not_allowed = Authorizer(implicit, ["Authorization"], 300).authorize(API, request(), INFO)

    assert (denied.refusal, denied.message) == (
        "ACCESS_DENIED",
        "User is not authorized to access this resource with an explicit deny",
    )
    assert (not_allowed.refusal, not_allowed.message) == ("ACCESS_DENIED", None)


def test_results_are_cached_per_identity_for_the_ttl_and_evaluated_per_method_arn() -> None:
    only_get_inv_1 = {"principalId": "p", "policyDocument": policy(("Allow", ARN))}
    function = FakeFunction(only_get_inv_1)
    now = [1000.0]
    authorizer = Authorizer(function, ["Authorization"], 300, clock=lambda: now[0])

    first = authorizer.authorize(API, request(), INFO)
    cached = authorizer.authorize(API, request(), INFO)
    other_path = authorizer.authorize(API, request(path="/v1/invoices/inv-2"), INFO)
    other_token = authorizer.authorize(API, request("Bearer other"), INFO)
    now[0] += 301
    expired = authorizer.authorize(API, request(), INFO)

    assert [first.refusal, cached.refusal, other_path.refusal] == [None, None, "ACCESS_DENIED"]
    assert other_token.refusal is None
    assert expired.refusal is None
    assert len(function.events) == 3


def test_a_ttl_of_zero_disables_the_cache() -> None:
    function = FakeFunction(ALLOW_ALL)
    authorizer = Authorizer(function, ["Authorization"], 0)

    authorizer.authorize(API, request(), INFO)
    authorizer.authorize(API, request(), INFO)

    assert len(function.events) == 2
