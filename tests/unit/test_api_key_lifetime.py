"""API keys can be given an expiry and can be revoked; the authenticator refuses them from then on."""

from datetime import UTC, datetime, timedelta

import pytest

from invoicing.auth.api_keys import create_api_key, revoke_api_key
from invoicing.auth.authenticator import Authenticator
from invoicing.auth.tokens import TokenPolicy
from invoicing.errors import AuthenticationFailed, NotFound, ValidationFailed
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.fakes import InMemoryTenantRepository

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
POLICY = TokenPolicy(issuer="invoicing", audience="invoicing-api", algorithms=("HS256",))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def repository():
    repository = InMemoryTenantRepository()
    ensure_tenant(repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=NOW)
    return repository


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def authenticator(repository, clock):
    return Authenticator(
        tenants=repository, token_policy=POLICY, resolve_token_key=lambda _token: "unused", clock=clock
    )


def basic(credentials) -> str:
    return f"Basic {credentials.key_id}:{credentials.secret}"


def test_a_key_works_until_it_expires(authenticator, repository, clock):
    key = create_api_key(repository, "acme", ["invoices:read"], now=NOW, expires_at=NOW + timedelta(days=30))

    clock.now = NOW + timedelta(days=30) - timedelta(seconds=1)
    assert authenticator.authenticate(basic(key)).tenant_id == "acme"

    clock.now = NOW + timedelta(days=30)
    with pytest.raises(AuthenticationFailed, match="expired"):
        authenticator.authenticate(basic(key))


def test_a_key_without_expiry_keeps_working(authenticator, repository, clock):
    key = create_api_key(repository, "acme", ["invoices:read"], now=NOW)

    clock.now = NOW + timedelta(days=3650)

    assert authenticator.authenticate(basic(key)).subject == f"api-key:{key.key_id}"


def test_a_revoked_key_is_refused_and_stays_revoked(authenticator, repository):
    key = create_api_key(repository, "acme", ["invoices:read"], now=NOW)

    first = revoke_api_key(repository, key.key_id, now=NOW + timedelta(hours=1))
    again = revoke_api_key(repository, key.key_id, now=NOW + timedelta(hours=2))

    assert first.revoked_at == again.revoked_at == NOW + timedelta(hours=1)
    with pytest.raises(AuthenticationFailed, match="revoked"):
        authenticator.authenticate(basic(key))


def test_a_revoked_key_with_a_wrong_secret_says_only_that_the_secret_is_wrong(authenticator, repository):
    key = create_api_key(repository, "acme", ["invoices:read"], now=NOW)
    revoke_api_key(repository, key.key_id, now=NOW)

    with pytest.raises(AuthenticationFailed, match="does not match"):
        authenticator.authenticate(f"Basic {key.key_id}:wrong")


def test_revoking_an_unknown_key_is_not_found(repository):
    with pytest.raises(NotFound):
        revoke_api_key(repository, "ak_unknown", now=NOW)


def test_a_key_cannot_be_created_already_expired(repository):
    with pytest.raises(ValidationFailed) as refused:
        create_api_key(repository, "acme", ["invoices:read"], now=NOW, expires_at=NOW)

    assert list(refused.value.field_errors) == ["expiresAt"]
    assert repository.api_keys == {}
