"""The authorizer and GET /v1/me, called with the events/ samples against moto."""

import base64
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.auth.api_keys import create_api_key
from invoicing.auth.tokens import TokenPolicy, issue_token
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

NOW = datetime.now(UTC)


@pytest.fixture
def tenant(deployment):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    return ensure_tenant(repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=NOW)


@pytest.fixture
def authorizer(load_function):
    return load_function("AuthorizerFunction")


def signing_secret(deployment) -> str:
    secrets = boto3.client("secretsmanager")
    return secrets.get_secret_value(SecretId=deployment.ref("TokenSigningSecret"))["SecretString"]


def token_for(deployment, tenant_id="acme", scopes="invoices:read", lifetime=timedelta(hours=1), now=NOW):
    policy = TokenPolicy(
        issuer=deployment.parameter("JwtIssuer"),
        audience=deployment.parameter("JwtAudience"),
        algorithms=("HS256",),
    )
    return issue_token(
        secret=signing_secret(deployment),
        policy=policy,
        tenant_id=tenant_id,
        subject="alice@acme.test",
        scopes=scopes,
        now=now,
        lifetime=lifetime,
    )


def with_authorization(event: dict, value: str) -> dict:
    event["headers"]["Authorization"] = value
    event["multiValueHeaders"]["Authorization"] = [value]
    return event


def test_a_valid_token_is_allowed_with_the_tenant_in_the_context(deployment, tenant, authorizer):
    event = with_authorization(
        sample_event("authorizer/bearer-token.json"), f"Bearer {token_for(deployment)}"
    )

    response = invoke(authorizer, event)

    (statement,) = response["policyDocument"]["Statement"]
    arn = "arn:aws:execute-api:eu-west-1:123456789012:local/dev"
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == [f"{arn}/GET/*", f"{arn}/POST/v1/invoices/dynamic-search"]
    assert response["context"] == {
        "tenantId": "acme",
        "clientId": tenant.client_id,
        "subject": "alice@acme.test",
        "scopes": "invoices:read",
        "authMethod": "bearer",
    }


def test_an_api_key_is_allowed(deployment, tenant, authorizer):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    key = create_api_key(repository, "acme", ["invoices:read", "invoices:write"], now=NOW)
    basic = base64.b64encode(f"{key.key_id}:{key.secret}".encode()).decode()
    event = with_authorization(sample_event("authorizer/basic-api-key.json"), f"Basic {basic}")

    response = invoke(authorizer, event)

    assert response["context"]["subject"] == f"api-key:{key.key_id}"
    assert response["context"]["scopes"] == "invoices:read invoices:write"


@pytest.mark.parametrize(
    "make_header",
    [
        lambda deployment: None,
        lambda deployment: "Bearer not-a-jwt",
        lambda deployment: f"Bearer {token_for(deployment)}x",
        lambda deployment: f"Bearer {token_for(deployment, tenant_id='ghost')}",
        lambda deployment: f"Bearer {token_for(deployment, now=NOW - timedelta(hours=3))}",
        lambda deployment: "Basic ak_0000:wrong-secret",
    ],
    ids=["sample-placeholder", "malformed", "forged", "unknown-tenant", "expired", "unknown-key"],
)
def test_bad_credentials_are_refused_with_unauthorized(deployment, tenant, authorizer, make_header):
    event = sample_event("authorizer/malformed-token.json")
    header = make_header(deployment)
    if header is not None:
        with_authorization(event, header)

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        invoke(authorizer, event)


def test_me_answers_with_the_callers_identity(load_function):
    me = load_function("MeFunction")

    response = invoke(me, sample_event("me/get-me.json"))

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {
        "tenantId": "acme",
        "clientId": 1,
        "scopes": ["invoices:read", "invoices:write"],
        "subject": "alice@acme.test",
    }


def test_me_refuses_a_caller_without_scopes_with_403_in_the_error_body(load_function):
    me = load_function("MeFunction")

    response = invoke(me, sample_event("me/get-me-without-scopes.json"))

    assert response["statusCode"] == 403
    assert response["multiValueHeaders"]["Content-Type"] == ["application/problem+json"]
    body = json.loads(response["body"])
    assert body["status"] == 403
    assert body["correlationId"] == "0b7d3c59-5d1e-4a8e-b1f4-7f6d2f9a4c21"
    assert body["category"] == "BusinessError"


def test_a_function_refuses_to_start_without_its_environment(load_function):
    with pytest.raises(Exception, match="TOKEN_SECRET_ARN is not set"):
        load_function("AuthorizerFunction", unset=("TOKEN_SECRET_ARN",))
