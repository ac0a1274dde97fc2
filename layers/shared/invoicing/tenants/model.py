"""Tenant and API key records, and the storage interface the domain needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from invoicing.errors import NotFound, ValidationFailed

TENANT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def validate_tenant_id(tenant_id: str) -> str:
    if not TENANT_ID_PATTERN.fullmatch(tenant_id):
        raise ValidationFailed(
            f"Tenant id {tenant_id!r} is not valid.",
            field_errors={"tenantId": ["2 to 63 characters: lower-case letters, digits and '-'."]},
        )
    return tenant_id


DEFAULT_NUMBER_FORMAT = "INV-{year}-{sequence:05d}"
_NUMBER_FIELDS = re.compile(r"\{(\w+)(?::[^}]*)?\}")


def validate_number_format(number_format: str) -> str:
    """An invoice number format has `{sequence}` (with an optional format spec) and maybe `{year}`."""
    fields = set(_NUMBER_FIELDS.findall(number_format))
    if "sequence" not in fields or not fields <= {"year", "sequence"}:
        raise ValidationFailed(
            f"Invoice number format {number_format!r} must contain {{sequence}} and may contain {{year}}.",
            field_errors={"numberFormat": ["Use {sequence} (e.g. {sequence:05d}) and optionally {year}."]},
        )
    return number_format


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    client_id: int
    name: str
    default_currency: str
    sender_email: str
    created: datetime
    #: invoice number format: `{sequence}` (with a format spec such as `:05d`) and optionally `{year}`
    number_format: str = DEFAULT_NUMBER_FORMAT
    #: start the sequence at 1 every year
    yearly_number_reset: bool = True
    #: what reminders say when the invoice has no `reminderBody` of its own
    reminder_body: str | None = None
    #: mails the API accepts for the tenant per UTC day; None: the stack's default
    mail_quota_per_day: int | None = None
    #: text messages the API accepts for the tenant per UTC day; None: the stack's default
    sms_quota_per_day: int | None = None


@dataclass(frozen=True)
class NewTenant:
    """What an administrator supplies; the client id is assigned on creation."""

    tenant_id: str
    name: str
    default_currency: str
    sender_email: str
    number_format: str = DEFAULT_NUMBER_FORMAT
    yearly_number_reset: bool = True
    reminder_body: str | None = None


@dataclass(frozen=True)
class ApiKeyRecord:
    key_id: str
    tenant_id: str
    secret_hash: str
    scopes: frozenset[str]
    created: datetime
    #: refused from this moment on; None: never expires
    expires_at: datetime | None = None
    #: refused since it was revoked; a revocation is never undone
    revoked_at: datetime | None = None


class TenantLookup(Protocol):
    def find_tenant(self, tenant_id: str) -> Tenant | None: ...


def require_tenant(tenants: TenantLookup, tenant_id: str) -> Tenant:
    """The caller's tenant; NotFound if it was removed after its credentials were issued."""
    tenant = tenants.find_tenant(tenant_id)
    if tenant is None:
        raise NotFound(f"Tenant {tenant_id} does not exist.")
    return tenant


class TenantRepository(TenantLookup, Protocol):
    def create_tenant(self, tenant: NewTenant, *, created: datetime) -> Tenant:
        """Create the tenant with a fresh numeric client id; `Conflict` if the id is taken."""
        ...

    def find_api_key(self, key_id: str) -> ApiKeyRecord | None: ...

    def save_api_key(self, record: ApiKeyRecord) -> None: ...

    def revoke_api_key(self, key_id: str, *, revoked_at: datetime) -> ApiKeyRecord:
        """Mark the key revoked (the first revocation's time is kept); `NotFound` if it does not exist."""
        ...
