"""Tenant settings: GET and PATCH /v1/settings (the seller printed on invoices, invoice defaults)."""

from invoicing.wiring.function import ApiFunction
from invoicing.wiring.services import TableServices

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from invoicing.api.identity import current_principal, requires_any_scope
from invoicing.auth.principal import Scope
from invoicing.tenants.settings import SettingsPatch, SettingsView, change_settings, read_settings

function = ApiFunction(TableServices)
app = function.app
services = function.services

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
@function.tracer.capture_method
def get_settings() -> SettingsView:
    return read_settings(services.tenant_settings, services.tenants, current_principal(app).tenant_id)


@app.patch("/v1/settings", middlewares=WRITE)
@function.tracer.capture_method
def patch_settings(patch: Patch) -> SettingsView:
    return change_settings(
        services.tenant_settings, services.tenants, current_principal(app).tenant_id, patch
    )


#: the seller's bank account never reaches an idempotency record: a replay answers without it
lambda_handler = function.handler(idempotent=True, never_stored={"PATCH /v1/settings": {"iban"}})
