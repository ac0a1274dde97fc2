"""Administration of tenants and API keys (used by the admin command line)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from invoicing.auth.api_keys import ApiKeyCredentials, hash_secret, new_api_key
from invoicing.auth.principal import KNOWN_SCOPES
from invoicing.errors import Conflict, ValidationFailed
from invoicing.tenants.model import (
    ApiKeyRecord,
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


def create_api_key(
    repository: TenantRepository, tenant_id: str, scopes: Iterable[str], *, now: datetime
) -> ApiKeyCredentials:
    """Create a key for an existing tenant; the secret is returned once and stored only as a hash."""
    requested = frozenset(scopes)
    unknown = requested - KNOWN_SCOPES
    if unknown:
        raise ValidationFailed(
            f"Unknown scopes: {', '.join(sorted(unknown))}.",
            field_errors={"scopes": [f"Known scopes: {', '.join(sorted(KNOWN_SCOPES))}."]},
        )
    credentials = new_api_key()
    repository.save_api_key(
        ApiKeyRecord(
            key_id=credentials.key_id,
            tenant_id=tenant_id,
            secret_hash=hash_secret(credentials.secret),
            scopes=requested,
            created=now,
        )
    )
    return credentials
