from datetime import UTC, datetime

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.errors import Conflict
from invoicing.tenants.model import ApiKeyRecord, NewTenant

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def repository(deployment):
    return DynamoTenantRepository(deployment.ref("InvoicingTable"))


def test_a_created_tenant_reads_back_with_a_numeric_client_id(repository):
    created = repository.create_tenant(
        NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), created=NOW
    )

    assert repository.find_tenant("acme") == created
    assert created.client_id == 1


def test_client_ids_are_unique_across_tenants(repository):
    tenants = [
        repository.create_tenant(NewTenant(f"t-{n}", "T", "EUR", "a@b.test"), created=NOW) for n in range(5)
    ]

    assert sorted(t.client_id for t in tenants) == [1, 2, 3, 4, 5]


def test_creating_an_existing_tenant_is_a_conflict_and_changes_nothing(repository):
    original = repository.create_tenant(NewTenant("acme", "Acme", "EUR", "a@acme.test"), created=NOW)

    with pytest.raises(Conflict):
        repository.create_tenant(NewTenant("acme", "Impostor", "USD", "x@evil.test"), created=NOW)

    assert repository.find_tenant("acme") == original


def test_a_missing_tenant_or_key_is_none(repository):
    assert repository.find_tenant("ghost") is None
    assert repository.find_api_key("ak_ghost") is None


def test_an_api_key_round_trips(repository):
    record = ApiKeyRecord("ak_1", "acme", "scrypt$1$1$1$c2FsdA==$ZGln", frozenset({"invoices:read"}), NOW)

    repository.save_api_key(record)

    assert repository.find_api_key("ak_1") == record
