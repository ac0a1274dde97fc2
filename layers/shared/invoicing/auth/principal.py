"""The authenticated caller, as the authorizer establishes it and the handlers receive it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from invoicing.errors import AuthenticationFailed


class Scope(StrEnum):
    INVOICES_READ = "invoices:read"
    INVOICES_WRITE = "invoices:write"
    #: change the tenant's settings (`PATCH /v1/settings`): the seller printed on invoices, defaults
    SETTINGS_WRITE = "settings:write"


KNOWN_SCOPES = frozenset(Scope)


class AuthMethod(StrEnum):
    BEARER = "bearer"
    API_KEY = "api-key"


def parse_scopes(scopes: str | Iterable[str]) -> frozenset[str]:
    """Scopes from an OAuth `scope` string (space separated) or a list; unknown scopes are dropped."""
    items = scopes.split() if isinstance(scopes, str) else scopes
    return frozenset(scope for scope in items if scope in KNOWN_SCOPES)


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    client_id: int
    subject: str
    scopes: frozenset[str]
    auth_method: AuthMethod

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def to_authorizer_context(self) -> dict[str, str | int]:
        """Flat key/value context for API Gateway (REST APIs deliver every value as a string)."""
        return {
            "tenantId": self.tenant_id,
            "clientId": self.client_id,
            "subject": self.subject,
            "scopes": " ".join(sorted(self.scopes)),
            "authMethod": self.auth_method.value,
        }

    @classmethod
    def from_authorizer_context(cls, context: Mapping[str, object] | None) -> Principal:
        """Rebuild the principal in a handler; a missing context means the route was not authorized."""
        if not context or not context.get("tenantId"):
            raise AuthenticationFailed("The request carries no authorizer context.")
        try:
            return cls(
                tenant_id=str(context["tenantId"]),
                client_id=int(str(context["clientId"])),
                subject=str(context["subject"]),
                scopes=parse_scopes(str(context.get("scopes", ""))),
                auth_method=AuthMethod(str(context["authMethod"])),
            )
        except (KeyError, ValueError) as error:
            raise AuthenticationFailed(f"The authorizer context is incomplete: {error}.") from None
