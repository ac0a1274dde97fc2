"""GET /v1/me: who the caller is, as the authorizer established it."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import Services

from typing import Self

from pydantic import BaseModel, Field

from invoicing.api.identity import current_principal, requires_any_scope
from invoicing.auth.principal import Principal, Scope

function = ApiFunction(Services)
app = function.app


class Me(BaseModel):
    tenantId: str = Field(description="The caller's tenant.")
    clientId: int = Field(description="The tenant's numeric client id (seed 000's clientId).")
    scopes: list[str] = Field(description="Scopes granted to the caller.")
    subject: str = Field(description="The token's subject, or api-key:<keyId> for API keys.")

    @classmethod
    def of(cls, principal: Principal) -> Self:
        return cls(
            tenantId=principal.tenant_id,
            clientId=principal.client_id,
            scopes=sorted(principal.scopes),
            subject=principal.subject,
        )


@app.get("/v1/me", middlewares=[requires_any_scope(*Scope)])
@function.tracer.capture_method
def get_me() -> Me:
    return Me.of(current_principal(app))


lambda_handler = function.handler()
