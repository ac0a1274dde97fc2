"""Administration of tenants and API keys (used by the admin command line)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from invoicing.auth.api_keys import ApiKeyCredentials, hash_secret, new_api_key
from invoicing.auth.principal import KNOWN_SCOPES
from invoicing.errors import Conflict, NotFound, ValidationFailed
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
    repository: TenantRepository,
    tenant_id: str,
    scopes: Iterable[str],
    *,
    now: datetime,
    expires_at: datetime | None = None,
) -> ApiKeyCredentials:
    """Create a key for an existing tenant; the secret is returned once and stored only as a hash.
    A key with `expires_at` is refused from that moment on."""
    requested = frozenset(scopes)
    unknown = requested - KNOWN_SCOPES
    if unknown:
        raise ValidationFailed(
            f"Unknown scopes: {', '.join(sorted(unknown))}.",
            field_errors={"scopes": [f"Known scopes: {', '.join(sorted(KNOWN_SCOPES))}."]},
        )
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(
            "An API key must expire in the future.", field_errors={"expiresAt": ["Must be after now."]}
        )
    credentials = new_api_key()
    repository.save_api_key(
        ApiKeyRecord(
            key_id=credentials.key_id,
            tenant_id=tenant_id,
            secret_hash=hash_secret(credentials.secret),
            scopes=requested,
            created=now,
            expires_at=expires_at,
        )
    )
    return credentials


def revoke_api_key(repository: TenantRepository, key_id: str, *, now: datetime) -> ApiKeyRecord:
    """Revoke a key for good. The authorizer refuses it on its next check; API Gateway may answer
    from its cached decision for the same Authorization header until that entry expires."""
    if repository.find_api_key(key_id) is None:
        raise NotFound(f"API key {key_id} does not exist.")
    return repository.revoke_api_key(key_id, revoked_at=now)
