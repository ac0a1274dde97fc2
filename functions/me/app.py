"""GET /v1/me: who the caller is, as the authorizer established it."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from pydantic import BaseModel, Field

from invoicing.api.handler import api_handler
from invoicing.api.identity import current_principal, requires_any_scope
from invoicing.api.resolver import build_resolver
from invoicing.auth.principal import Scope
from invoicing.settings import FunctionSettings, load_settings

settings = load_settings(FunctionSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = build_resolver(logger)


class Me(BaseModel):
    tenantId: str = Field(description="The caller's tenant.")
    clientId: int = Field(description="The tenant's numeric client id (seed 000's clientId).")
    scopes: list[str] = Field(description="Scopes granted to the caller.")
    subject: str = Field(description="The token's subject, or api-key:<keyId> for API keys.")


@app.get("/v1/me", middlewares=[requires_any_scope(*Scope)])
@tracer.capture_method
def get_me() -> Me:
    principal = current_principal(app)
    return Me(
        tenantId=principal.tenant_id,
        clientId=principal.client_id,
        scopes=sorted(principal.scopes),
        subject=principal.subject,
    )


lambda_handler = api_handler(app, logger, tracer, metrics)
