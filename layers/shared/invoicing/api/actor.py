"""The caller as the author of a change (its own module: `me` and `docs` need no invoice code)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from invoicing.api.identity import current_principal
from invoicing.invoices.kernel import Actor


def current_actor(app: APIGatewayRestResolver) -> Actor:
    principal = current_principal(app)
    return Actor(tenant_id=principal.tenant_id, subject=principal.subject)
