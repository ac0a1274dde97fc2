"""Authentication over HTTP against the local stack: accepted callers, 401s, 403s, the error body."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import boto3
import jwt
import pytest

from devtools.stack.testing import run_admin
from devtools.template import REGION, local_deployment
from tests.e2e.client import ApiClient, assert_problem

pytestmark = pytest.mark.e2e


def signing_secret(local_stack) -> str:
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=local_stack.moto_endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    secret_id = local_deployment().ref("TokenSigningSecret")
    return secrets.get_secret_value(SecretId=secret_id)["SecretString"]


def token(secret: str, *, tenant="acme", expires_in=timedelta(hours=1), issuer="invoicing") -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": issuer,
        "aud": "invoicing-api",
        "sub": "mallory",
        "tenant_id": tenant,
        "scope": "invoices:read invoices:write",
        "iat": now - timedelta(hours=2),
        "exp": now + expires_in,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def test_a_bearer_token_is_accepted(client_for):
    response = client_for("acme").get("/v1/me")

    assert response.status == 200
    me = response.json()
    assert me["tenantId"] == "acme"
    assert isinstance(me["clientId"], int)
    assert me["scopes"] == ["invoices:read", "invoices:write"]


def test_tenants_get_distinct_client_ids(client_for):
    acme = client_for("acme").get("/v1/me").json()
    globex = client_for("globex").get("/v1/me").json()

    assert acme["clientId"] != globex["clientId"]


def test_an_api_key_is_accepted_as_basic_credentials(local_stack):
    key = run_admin(local_stack, "create-api-key", "--tenant", "acme").splitlines()[-1]
    encoded = base64.b64encode(key.encode()).decode()

    standard = ApiClient(local_stack.base_url, f"Basic {encoded}").get("/v1/me")
    bare = ApiClient(local_stack.base_url, f"Basic {key}").get("/v1/me")

    assert standard.status == bare.status == 200
    assert standard.json()["subject"] == f"api-key:{key.split(':')[0]}"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer not-a-jwt", "Token abc", "Basic ak_0000:nope", "Basic !!!"],
    ids=["missing", "empty", "no-token", "malformed", "unknown-scheme", "unknown-key", "bad-basic"],
)
def test_bad_credentials_are_401_in_the_error_body(local_stack, authorization):
    response = ApiClient(local_stack.base_url, authorization).get("/v1/me")

    problem = assert_problem(response, 401)
    assert problem["title"] == "Unauthorized"
    assert problem["category"] == "BusinessError"
    assert "Authorization" in problem["errors"]


def test_a_forged_token_is_401(local_stack):
    forged = token("a-secret-that-is-not-the-stacks-secret-000000")

    assert_problem(ApiClient(local_stack.base_url, f"Bearer {forged}").get("/v1/me"), 401)


def test_an_expired_token_is_401(local_stack):
    expired = token(signing_secret(local_stack), expires_in=-timedelta(minutes=5))

    assert_problem(ApiClient(local_stack.base_url, f"Bearer {expired}").get("/v1/me"), 401)


def test_a_token_of_another_issuer_is_401(local_stack):
    foreign = token(signing_secret(local_stack), issuer="someone-else")

    assert_problem(ApiClient(local_stack.base_url, f"Bearer {foreign}").get("/v1/me"), 401)


def test_a_wrong_api_key_secret_is_401(local_stack):
    key_id = run_admin(local_stack, "create-api-key", "--tenant", "acme").splitlines()[-1].split(":")[0]

    assert_problem(ApiClient(local_stack.base_url, f"Basic {key_id}:wrong-secret").get("/v1/me"), 401)


def test_a_caller_without_scopes_is_403(client_for):
    problem = assert_problem(client_for("acme", scopes="").get("/v1/me"), 403)

    assert problem["title"] == "Forbidden"


def test_a_read_only_caller_cannot_write(client_for):
    problem = assert_problem(
        client_for("acme", scopes="invoices:read").post("/v1/invoices", {"currency": "EUR"}), 403
    )

    assert "invoices:write" in problem["detail"]


def test_an_unknown_route_is_404_in_the_error_body(client_for):
    problem = assert_problem(client_for("acme").get("/v1/no-such-route"), 404)

    assert "/v1/no-such-route" in problem["detail"]


def test_a_handlers_error_carries_the_gateways_correlation_id(client_for):
    response = client_for("acme", scopes="").get("/v1/me")

    assert_problem(response, 403)
    assert response.json()["correlationId"] == response.headers["x-amzn-RequestId"]


def test_parallel_first_logins_of_a_new_tenant_create_it_once(local_stack):
    def login(_: int) -> str:
        output = run_admin(local_stack, "issue-token", "--tenant", "brand-new-tenant")
        return output.splitlines()[-1]

    with ThreadPoolExecutor(max_workers=6) as pool:
        tokens = list(pool.map(login, range(6)))

    client_ids = {
        ApiClient(local_stack.base_url, f"Bearer {t}").get("/v1/me").json()["clientId"] for t in tokens
    }
    assert len(client_ids) == 1
