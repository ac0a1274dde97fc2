"""Tenant settings: GET and PATCH /v1/settings (the seller printed on invoices, invoice defaults)."""

from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler.openapi.params import Body

from invoicing.adapters.settings_store import DynamoSettingsRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.api.handler import api_handler
from invoicing.api.identity import current_principal, requires_any_scope
from invoicing.api.resolver import build_resolver
from invoicing.auth.principal import Scope
from invoicing.settings import TableSettings, load_settings
from invoicing.tenants.settings import SettingsPatch, SettingsView, change_settings, read_settings

settings = load_settings(TableSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = build_resolver(logger)
tenant_settings = DynamoSettingsRepository(settings.table_name)
tenants = DynamoTenantRepository(settings.table_name)

READ = [requires_any_scope(Scope.INVOICES_READ, Scope.SETTINGS_WRITE)]
WRITE = [requires_any_scope(Scope.SETTINGS_WRITE)]

Patch = Annotated[
    SettingsPatch,
    Body(
        description=(
            "A JSON merge patch (RFC 7396) of sections: a section left out stays as it is, a field "
            "sent replaces the stored one, null removes it. Unknown sections and fields are 400."
        )
    ),
]


@app.get("/v1/settings", middlewares=READ)
@tracer.capture_method
def get_settings() -> SettingsView:
    return read_settings(tenant_settings, tenants, current_principal(app).tenant_id)


@app.patch("/v1/settings", middlewares=WRITE)
@tracer.capture_method
def patch_settings(patch: Patch) -> SettingsView:
    return change_settings(tenant_settings, tenants, current_principal(app).tenant_id, patch)


#: the seller's bank account never reaches an idempotency record: a replay answers without it
lambda_handler = api_handler(
    app,
    logger,
    tracer,
    metrics,
    idempotency_table=settings.idempotency_table_name,
    never_stored={"PATCH /v1/settings": {"iban"}},
)
