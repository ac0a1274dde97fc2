from datetime import UTC, datetime

import pytest

from invoicing.auth.api_keys import create_api_key
from invoicing.errors import ValidationFailed
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.fakes import InMemoryTenantRepository

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_ensure_tenant_creates_once_and_then_returns_the_same_tenant():
    repository = InMemoryTenantRepository()
    new = NewTenant("acme", "Acme", "EUR", "billing@acme.test")

    first = ensure_tenant(repository, new, now=NOW)
    again = ensure_tenant(repository, NewTenant("acme", "Renamed", "USD", "x@y.test"), now=NOW)

    assert again == first
    assert first.client_id == 1


@pytest.mark.parametrize("tenant_id", ["", "a", "Acme", "acme corp", "-acme", "a" * 64, "acme/../x"])
def test_invalid_tenant_ids_are_refused_naming_the_field(tenant_id):
    with pytest.raises(ValidationFailed) as refused:
        ensure_tenant(InMemoryTenantRepository(), NewTenant(tenant_id, "x", "EUR", "x@y.test"), now=NOW)

    assert "tenantId" in refused.value.field_errors


def test_api_keys_with_unknown_scopes_are_refused():
    with pytest.raises(ValidationFailed, match="admin:all"):
        create_api_key(InMemoryTenantRepository(), "acme", ["invoices:read", "admin:all"], now=NOW)


def test_an_api_keys_secret_is_stored_only_as_a_hash():
    repository = InMemoryTenantRepository()

    credentials = create_api_key(repository, "acme", ["invoices:read"], now=NOW)

    stored = repository.api_keys[credentials.key_id]
    assert credentials.secret not in stored.secret_hash
    assert stored.scopes == frozenset({"invoices:read"})


def test_a_tenant_with_an_invalid_number_format_is_refused():
    tenant = NewTenant("acme", "Acme", "EUR", "billing@acme.test", number_format="INV-{year}")

    with pytest.raises(ValidationFailed) as refused:
        ensure_tenant(InMemoryTenantRepository(), tenant, now=NOW)

    assert "numberFormat" in refused.value.field_errors
