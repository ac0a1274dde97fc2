"""Tenant settings (`/v1/settings`): what a tenant states once and every invoice uses.

Sections:
- `seller`: who issues the invoices, printed on each and kept on it as it was when it was issued;
- `defaults`: what a new invoice takes when its create omits it (currency, payment terms), and how
  its tax is rounded;
- `reminders`: the overdue job's reminder cadence (days after the due date), whether it mails
  reminders, the optional late fee and the name reminders are sent by (`invoicing.overdue.policy`);
- `payments`: the credit card surcharge, the ACH cash discount and the processors payments go
  through (`invoicing.payments.pricing`).

A change is a JSON merge patch (RFC 7396) of sections: a section left out stays as it is; inside a
section, a field sent replaces the stored one, `null` removes it, an object merges field by field;
`{"seller": null}` clears the whole section. An unknown section or field is 400. The merged
sections a change touches are then checked as a whole (IBAN, BIC and VAT id with schwifty and
python-stdnum, imported only here, when a seller is checked) and stored with the version they were
read at, so of two concurrent changes neither is lost.

A new section is a model (extra fields forbidden, every field defaulted), a field of
`TenantSettings` and of `SettingsPatch`, and, if its model cannot say everything, a check in
`SECTION_CHECKS`.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as ModelInvalid

from invoicing.errors import ConcurrentChange, ValidationFailed
from invoicing.invoices.calculator import TaxRounding
from invoicing.invoices.model import CurrencyCode, InvoiceCreate, Seller
from invoicing.overdue.policy import ReminderSettings
from invoicing.payments.method_prices import PaymentSettings
from invoicing.tenants.model import Tenant, TenantLookup, require_tenant

SAVE_ATTEMPTS = 5


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: CurrencyCode | None = Field(
        default=None, description="Currency of a new invoice that names none; else the tenant's currency."
    )
    paymentTermDays: Annotated[int, Field(ge=0, le=3650)] | None = Field(
        default=None, description="Payment terms of a new invoice that states none."
    )
    taxRounding: TaxRounding = Field(
        default=TaxRounding.PER_RATE,
        description="PER_RATE: tax rounded once per rate (EN 16931); PER_LINE: per line, then summed.",
    )


class TenantSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seller: Seller = Field(default_factory=Seller)
    defaults: Defaults = Field(default_factory=Defaults)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)


#: the request and answer models build their schema on first use: only the settings function uses them
_SETTINGS_FUNCTION_ONLY = ConfigDict(extra="forbid", defer_build=True)


class SettingsPatch(BaseModel):
    """The sections to change (JSON merge patch); a section left out stays as it is."""

    model_config = _SETTINGS_FUNCTION_ONLY

    seller: Seller | None = None
    defaults: Defaults | None = None
    reminders: ReminderSettings | None = None
    payments: PaymentSettings | None = None


class SettingsView(TenantSettings):
    """The settings as they apply: `defaults.currency` is the tenant's currency unless set."""

    model_config = _SETTINGS_FUNCTION_ONLY
    version: int = Field(description="Grows by one with every change.")


@dataclass(frozen=True)
class StoredSettings:
    settings: TenantSettings
    #: 0 while the tenant has never changed its settings
    version: int


class SettingsStore(Protocol):
    def get(self, tenant_id: str) -> StoredSettings:
        """The tenant's settings; the defaults at version 0 if it has none stored."""
        ...

    def save(self, tenant_id: str, settings: TenantSettings, *, read_version: int) -> StoredSettings:
        """Store `settings` as version `read_version + 1`; ConcurrentChange if the stored settings are
        no longer at `read_version`."""
        ...


def merge_patch(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7396: `patch` applied to `target`."""
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = value
    return merged


_SEPARATORS = re.compile(r"[\s.\-/]")


def _iban(value: str) -> str:
    from schwifty import IBAN

    return IBAN(value).compact


def _bic(value: str) -> str:
    from schwifty import BIC

    return BIC(value).compact


def _vat_id(value: str) -> str:
    """EU VAT ids through VIES's rules (`stdnum.eu.vat`), others through their country's module."""
    from stdnum import get_cc_module
    from stdnum.eu import vat

    compact = _SEPARATORS.sub("", value).upper()
    prefix = compact[:2]
    if prefix.lower() in vat.MEMBER_STATES:
        return str(vat.validate(compact))
    module = get_cc_module(prefix.lower(), "vat") if prefix.isalpha() else None
    if module is None:
        raise ValueError("Start with the country code, e.g. DE123456789.")
    number = str(module.validate(compact))
    return number if number.startswith(prefix) else prefix + number


_SELLER_CHECKS: dict[str, Callable[[str], str]] = {"iban": _iban, "bic": _bic, "vatId": _vat_id}
_NAMES = {"iban": "IBAN", "bic": "BIC", "vatId": "VAT identification number"}


def checked_seller(seller: Seller) -> Seller:
    """The seller with IBAN, BIC and VAT id validated and written compactly (DE89370400440532013000);
    ValidationFailed naming every field that is not valid."""
    errors: dict[str, list[str]] = {}
    normalised: dict[str, str] = {}
    for field, check in _SELLER_CHECKS.items():
        value = getattr(seller, field)
        if value is None:
            continue
        try:
            normalised[field] = check(value)
        except ValueError as error:  # schwifty's and stdnum's errors are ValueErrors
            errors[f"seller.{field}"] = [f"Not a valid {_NAMES[field]}: {error}"]
    if errors:
        raise ValidationFailed(f"The seller is not valid: {', '.join(errors)}.", field_errors=errors)
    return seller.model_copy(update=normalised)


SECTION_CHECKS: dict[str, Callable[[Any], Any]] = {"seller": checked_seller}


def patched(current: TenantSettings, patch: SettingsPatch) -> TenantSettings:
    """`current` with `patch` merged in, the sections it touches checked."""
    changes = patch.model_dump(mode="json", exclude_unset=True)
    try:
        merged = TenantSettings.model_validate(merge_patch(current.model_dump(mode="json"), changes))
    except ModelInvalid as error:
        field_errors: dict[str, list[str]] = {}
        for issue in error.errors():
            field_errors.setdefault(".".join(str(part) for part in issue["loc"]), []).append(issue["msg"])
        raise ValidationFailed(
            f"The settings are not valid: {', '.join(field_errors)}.", field_errors=field_errors
        ) from None
    for section in changes:
        check = SECTION_CHECKS.get(section)
        if check is not None:
            merged = merged.model_copy(update={section: check(getattr(merged, section))})
    return merged


def view(stored: StoredSettings, tenant: Tenant) -> SettingsView:
    defaults = stored.settings.defaults
    return SettingsView(
        seller=stored.settings.seller,
        defaults=defaults.model_copy(update={"currency": defaults.currency or tenant.default_currency}),
        reminders=stored.settings.reminders,
        payments=stored.settings.payments,
        version=stored.version,
    )


def read_settings(store: SettingsStore, tenants: TenantLookup, tenant_id: str) -> SettingsView:
    return view(store.get(tenant_id), require_tenant(tenants, tenant_id))


Sleep = Callable[[float], None]


def change_settings(
    store: SettingsStore,
    tenants: TenantLookup,
    tenant_id: str,
    patch: SettingsPatch,
    *,
    sleep: Sleep = time.sleep,
) -> SettingsView:
    """Merge `patch` into the stored settings. A concurrent change makes it merge again into the
    fresh settings, so changes of different sections or fields never undo each other."""
    tenant = require_tenant(tenants, tenant_id)
    for attempt in range(SAVE_ATTEMPTS):
        current = store.get(tenant_id)
        settings = patched(current.settings, patch)
        if settings == current.settings:
            return view(current, tenant)
        try:
            return view(store.save(tenant_id, settings, read_version=current.version), tenant)
        except ConcurrentChange:
            if attempt == SAVE_ATTEMPTS - 1:
                raise
            sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311
    raise AssertionError("unreachable")


def seller_as_issued(settings: TenantSettings, tenant: Tenant) -> Seller:
    """The seller an invoice is issued by: the settings' seller, named and reachable as the tenant is
    where the settings leave that out."""
    seller = settings.seller
    return seller.model_copy(
        update={"legalName": seller.legalName or tenant.name, "email": seller.email or tenant.sender_email}
    )


def current_seller(store: SettingsStore, tenant: Tenant) -> Seller:
    """The seller an invoice published now is issued by (one read of the settings)."""
    return seller_as_issued(store.get(tenant.tenant_id).settings, tenant)


def with_defaults(
    fields: InvoiceCreate, defaults: Defaults, tenant_currency: Callable[[], str]
) -> InvoiceCreate:
    """A create request with the tenant's defaults for what it omits: the currency (the settings',
    else the tenant's: `tenant_currency` is only called then) and the payment terms."""
    update: dict[str, object] = {}
    if fields.currency is None:
        update["currency"] = defaults.currency or tenant_currency()
    if fields.paymentTermDays is None and defaults.paymentTermDays is not None:
        update["paymentTermDays"] = defaults.paymentTermDays
    return fields.model_copy(update=update)
