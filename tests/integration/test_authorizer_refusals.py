"""The authorizer against moto: revoked and expired API keys, and ID tokens, are refused (401)."""

import base64
from datetime import UTC, datetime, timedelta

import boto3
import jwt
import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.auth.api_keys import create_api_key, hash_secret, new_api_key, revoke_api_key
from invoicing.errors import NotFound
from invoicing.tenants.model import ApiKeyRecord, NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def repository(deployment):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=NOW)
    return repository


@pytest.fixture
def authorizer(load_function):
    return load_function("AuthorizerFunction")


def authorize(authorizer, header: str) -> dict:
    event = sample_event("authorizer/basic-api-key.json")
    event["headers"]["Authorization"] = header
    event["multiValueHeaders"]["Authorization"] = [header]
    return invoke(authorizer, event)


def basic(credentials) -> str:
    return "Basic " + base64.b64encode(f"{credentials.key_id}:{credentials.secret}".encode()).decode()


def test_a_revoked_key_is_refused(repository, authorizer):
    key = create_api_key(repository, "acme", ["invoices:read"], now=NOW)
    assert authorize(authorizer, basic(key))["context"]["tenantId"] == "acme"

    revoke_api_key(repository, key.key_id, now=NOW)

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, basic(key))


def test_a_key_is_refused_once_it_expired(repository, authorizer):
    live = create_api_key(repository, "acme", ["invoices:read"], now=NOW, expires_at=NOW + timedelta(days=1))
    expired = new_api_key()
    repository.save_api_key(
        ApiKeyRecord(
            key_id=expired.key_id,
            tenant_id="acme",
            secret_hash=hash_secret(expired.secret),
            scopes=frozenset({"invoices:read"}),
            created=NOW - timedelta(days=2),
            expires_at=NOW - timedelta(seconds=1),
        )
    )

    assert authorize(authorizer, basic(live))["context"]["subject"] == f"api-key:{live.key_id}"
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, basic(expired))


def test_expiry_and_revocation_are_stored_and_read_back(repository):
    key = create_api_key(repository, "acme", ["invoices:read"], now=NOW, expires_at=NOW + timedelta(days=7))

    first = repository.revoke_api_key(key.key_id, revoked_at=NOW + timedelta(minutes=1))
    again = repository.revoke_api_key(key.key_id, revoked_at=NOW + timedelta(minutes=2))

    assert first == again == repository.find_api_key(key.key_id)
    assert isinstance(first, ApiKeyRecord)
    assert (first.key_id, first.expires_at, first.revoked_at) == (
        key.key_id,
        NOW + timedelta(days=7),
        NOW + timedelta(minutes=1),
    )
    with pytest.raises(NotFound):
        repository.revoke_api_key("ak_unknown", revoked_at=NOW)
    assert repository.find_api_key("ak_unknown") is None


def test_an_id_token_is_refused(deployment, repository, authorizer):
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=deployment.ref("TokenSigningSecret"))
    claims = {
        "iss": deployment.parameter("JwtIssuer"),
        "aud": deployment.parameter("JwtAudience"),
        "sub": "alice",
        "tenant_id": "acme",
        "token_use": "id",
        "iat": NOW,
        "exp": NOW + timedelta(minutes=5),
    }
    token = jwt.encode(claims, secret["SecretString"], algorithm="HS256")

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, f"Bearer {token}")
    assert authorize(
        authorizer, f"Bearer {jwt.encode(claims | {'token_use': 'access'}, secret['SecretString'])}"
    )
