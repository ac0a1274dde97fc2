"""Administration of tenants (used by the admin command line). Their API keys are
`invoicing.auth.api_keys`: auth depends on tenants, never the other way round."""

from __future__ import annotations

from datetime import datetime

from invoicing.errors import Conflict
from invoicing.tenants.model import (
    NewTenant,
    Tenant,
    TenantRepository,
    validate_number_format,
    validate_tenant_id,
)


def ensure_tenant(repository: TenantRepository, tenant: NewTenant, *, now: datetime) -> Tenant:
    """Return the tenant, creating it first if it does not exist yet (safe to run concurrently)."""
    validate_tenant_id(tenant.tenant_id)
    validate_number_format(tenant.number_format)
    existing = repository.find_tenant(tenant.tenant_id)
    if existing is not None:
        return existing
    try:
        return repository.create_tenant(tenant, created=now)
    except Conflict:
        created_meanwhile = repository.find_tenant(tenant.tenant_id)
        if created_meanwhile is None:
            raise
        return created_meanwhile
