import base64
from datetime import UTC, datetime

import pytest

from invoicing.auth.api_keys import create_api_key
from invoicing.auth.authenticator import Authenticator
from invoicing.auth.principal import AuthMethod, Principal
from invoicing.auth.tokens import TokenPolicy, issue_token
from invoicing.errors import AuthenticationFailed
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.fakes import InMemoryTenantRepository

SECRET = "a-signing-secret-of-sufficient-length-for-hs256"
POLICY = TokenPolicy(issuer="invoicing", audience="invoicing-api", algorithms=("HS256",))
NOW = datetime.now(UTC)


@pytest.fixture
def repository():
    repository = InMemoryTenantRepository()
    ensure_tenant(repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=NOW)
    return repository


@pytest.fixture
def authenticator(repository):
    return Authenticator(tenants=repository, token_policy=POLICY, resolve_token_key=lambda _token: SECRET)


def bearer(tenant_id="acme", scopes="invoices:read"):
    token = issue_token(
        secret=SECRET, policy=POLICY, tenant_id=tenant_id, subject="alice", scopes=scopes, now=NOW
    )
    return f"Bearer {token}"


def test_a_bearer_token_yields_the_tenant_its_client_id_and_scopes(authenticator):
    principal = authenticator.authenticate(bearer(scopes="invoices:read invoices:write admin:everything"))

    assert principal == Principal(
        tenant_id="acme",
        client_id=1,
        subject="alice",
        scopes=frozenset({"invoices:read", "invoices:write"}),
        auth_method=AuthMethod.BEARER,
    )


def test_a_token_for_a_tenant_that_does_not_exist_is_refused(authenticator):
    with pytest.raises(AuthenticationFailed, match="tenant"):
        authenticator.authenticate(bearer(tenant_id="ghost"))


def test_an_api_key_yields_its_tenant_and_scopes(authenticator, repository):
    credentials = create_api_key(repository, "acme", ["invoices:read"], now=NOW)
    encoded = base64.b64encode(f"{credentials.key_id}:{credentials.secret}".encode()).decode()

    principal = authenticator.authenticate(f"Basic {encoded}")

    assert principal.tenant_id == "acme"
    assert principal.scopes == frozenset({"invoices:read"})
    assert principal.subject == f"api-key:{credentials.key_id}"
    assert principal.auth_method is AuthMethod.API_KEY


def test_an_api_key_with_a_wrong_secret_is_refused(authenticator, repository):
    credentials = create_api_key(repository, "acme", ["invoices:read"], now=NOW)

    with pytest.raises(AuthenticationFailed, match="does not match"):
        authenticator.authenticate(f"Basic {credentials.key_id}:wrong")


def test_an_unknown_api_key_is_refused(authenticator):
    with pytest.raises(AuthenticationFailed, match="Unknown"):
        authenticator.authenticate("Basic ak_unknown:whatever")


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Token abc", "Digest x=y"])
def test_missing_and_unsupported_headers_are_refused(authenticator, header):
    with pytest.raises(AuthenticationFailed):
        authenticator.authenticate(header)


def test_the_principal_survives_the_trip_through_the_authorizer_context(authenticator):
    principal = authenticator.authenticate(bearer(scopes="invoices:write"))
    as_delivered = {key: str(value) for key, value in principal.to_authorizer_context().items()}

    assert Principal.from_authorizer_context(as_delivered) == principal


@pytest.mark.parametrize("context", [None, {}, {"tenantId": "acme"}, {"tenantId": "acme", "clientId": "x"}])
def test_a_missing_or_incomplete_authorizer_context_is_an_authentication_failure(context):
    with pytest.raises(AuthenticationFailed):
        Principal.from_authorizer_context(context)
