"""In-memory stand-ins for the domain's storage interfaces."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from invoicing.errors import Conflict, NotFound
from invoicing.tenants.model import ApiKeyRecord, NewTenant, Tenant


class InMemoryTenantRepository:
    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}
        self.api_keys: dict[str, ApiKeyRecord] = {}

    def find_tenant(self, tenant_id: str) -> Tenant | None:
        return self.tenants.get(tenant_id)

    def create_tenant(self, tenant: NewTenant, *, created: datetime) -> Tenant:
        if tenant.tenant_id in self.tenants:
            raise Conflict(f"Tenant {tenant.tenant_id} already exists.")
        stored = Tenant(
            tenant_id=tenant.tenant_id,
            client_id=len(self.tenants) + 1,
            name=tenant.name,
            default_currency=tenant.default_currency,
            sender_email=tenant.sender_email,
            created=created,
        )
        self.tenants[tenant.tenant_id] = stored
        return stored

    def find_api_key(self, key_id: str) -> ApiKeyRecord | None:
        return self.api_keys.get(key_id)

    def save_api_key(self, record: ApiKeyRecord) -> None:
        self.api_keys[record.key_id] = replace(record)

    def revoke_api_key(self, key_id: str, *, revoked_at: datetime) -> ApiKeyRecord:
        record = self.api_keys.get(key_id)
        if record is None:
            raise NotFound(f"API key {key_id} does not exist.")
        if record.revoked_at is None:
            record = self.api_keys[key_id] = replace(record, revoked_at=revoked_at)
        return record
