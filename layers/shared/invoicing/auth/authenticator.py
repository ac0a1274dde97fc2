"""Turn an Authorization header into a Principal, or refuse it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from invoicing.auth.api_keys import (
    check_in_force,
    parse_basic_credentials,
    spend_verification_time,
    verify_secret,
)
from invoicing.auth.principal import AuthMethod, Principal, parse_scopes
from invoicing.auth.tokens import KeyResolver, TokenPolicy, verify_token
from invoicing.clock import utc_now
from invoicing.errors import AuthenticationFailed
from invoicing.tenants.model import Tenant, TenantRepository


@dataclass(frozen=True)
class Authenticator:
    tenants: TenantRepository
    token_policy: TokenPolicy
    resolve_token_key: KeyResolver
    clock: Callable[[], datetime] = utc_now

    def authenticate(self, authorization: str | None) -> Principal:
        scheme, _, credentials = (authorization or "").strip().partition(" ")
        if not credentials.strip():
            raise AuthenticationFailed("The Authorization header is missing or empty.")
        match scheme.lower():
            case "bearer":
                return self._bearer(credentials.strip())
            case "basic":
                return self._api_key(credentials.strip())
            case _:
                raise AuthenticationFailed(f"Unsupported authorization scheme {scheme!r}.")

    def _bearer(self, token: str) -> Principal:
        claims = verify_token(token, policy=self.token_policy, resolve_key=self.resolve_token_key)
        tenant = self._tenant(claims.tenant_id)
        return Principal(
            tenant_id=tenant.tenant_id,
            client_id=tenant.client_id,
            subject=claims.subject,
            scopes=parse_scopes(claims.scopes),
            auth_method=AuthMethod.BEARER,
        )

    def _api_key(self, value: str) -> Principal:
        credentials = parse_basic_credentials(value)
        record = self.tenants.find_api_key(credentials.key_id)
        if record is None:
            spend_verification_time(credentials.secret)
            raise AuthenticationFailed("Unknown API key.")
        if not verify_secret(credentials.secret, record.secret_hash):
            raise AuthenticationFailed("API key secret does not match.")
        check_in_force(expires_at=record.expires_at, revoked_at=record.revoked_at, now=self.clock())
        tenant = self._tenant(record.tenant_id)
        return Principal(
            tenant_id=tenant.tenant_id,
            client_id=tenant.client_id,
            subject=f"api-key:{record.key_id}",
            scopes=record.scopes,
            auth_method=AuthMethod.API_KEY,
        )

    def _tenant(self, tenant_id: str) -> Tenant:
        tenant = self.tenants.find_tenant(tenant_id)
        if tenant is None:
            raise AuthenticationFailed("The credentials name a tenant that does not exist.")
        return tenant
