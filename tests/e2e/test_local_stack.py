"""The local stack of template.yaml answers like the deployed API: the authorizer and GET /v1/me."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from devtools.stack.testing import RunningStack, run_admin

pytestmark = pytest.mark.e2e


def _get(url: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_a_request_without_token_gets_the_templates_unauthorized_response(local_stack: RunningStack) -> None:
    status, headers, body = _get(f"{local_stack.base_url}/v1/me")

    assert status == 401
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["instance"] == "/dev/v1/me"
    assert problem["correlationId"] == headers["x-amzn-RequestId"]


def test_a_token_from_the_admin_cli_reaches_get_me(local_stack: RunningStack) -> None:
    token = run_admin(local_stack, "issue-token", "--tenant", "acme").splitlines()[-1]

    status, _, body = _get(f"{local_stack.base_url}/v1/me", token)

    assert status == 200, body
    assert json.loads(body)["tenantId"] == "acme"


def test_an_unknown_route_is_missing_authentication_token(local_stack: RunningStack) -> None:
    status, headers, _ = _get(f"{local_stack.base_url}/v1/nothing-here")

    assert status == 404
    assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
