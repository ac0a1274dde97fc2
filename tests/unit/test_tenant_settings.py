"""Tenant settings: merging changes per section, checking the seller, defaults for new invoices."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest

from invoicing.errors import ConcurrentChange, ValidationFailed
from invoicing.invoices.calculator import TaxRounding
from invoicing.invoices.model import InvoiceCreate, Seller
from invoicing.tenants import settings as tenant_settings
from invoicing.tenants.model import Tenant
from invoicing.tenants.settings import (
    Defaults,
    SettingsPatch,
    StoredSettings,
    TenantSettings,
    change_settings,
    merge_patch,
    patched,
    read_settings,
    seller_as_issued,
    with_defaults,
)
from tests.fakes import InMemoryTenantRepository

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACME = Tenant("acme", 1, "Acme GmbH", "EUR", "billing@acme.test", NOW)
SELLER = {
    "legalName": "Acme GmbH",
    "address": {"line1": "Hauptstraße 1", "city": "Köln", "zip": "50667", "country": "de"},
    "vatId": "de 136 695 976",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "cobadeffxxx",
    "email": "billing@acme.test",
}


class InMemorySettings:
    def __init__(self) -> None:
        self.stored: dict[str, StoredSettings] = {}
        self.saves = 0
        #: a change another request makes right before the next save
        self.interleaved: TenantSettings | None = None

    def get(self, tenant_id: str) -> StoredSettings:
        return self.stored.get(tenant_id, StoredSettings(TenantSettings(), 0))

    def save(self, tenant_id: str, settings: TenantSettings, *, read_version: int) -> StoredSettings:
        if self.interleaved is not None:
            self.stored[tenant_id] = StoredSettings(self.interleaved, self.get(tenant_id).version + 1)
            self.interleaved = None
        if self.get(tenant_id).version != read_version:
            raise ConcurrentChange("moved")
        self.saves += 1
        self.stored[tenant_id] = StoredSettings(settings, read_version + 1)
        return self.stored[tenant_id]


@pytest.fixture
def tenants() -> InMemoryTenantRepository:
    repository = InMemoryTenantRepository()
    repository.tenants["acme"] = ACME
    return repository


def patch(body: dict) -> SettingsPatch:
    return SettingsPatch.model_validate(body)


def test_merge_patch_follows_rfc_7396():
    target = {"a": "b", "c": {"d": "e", "f": "g"}}

    assert merge_patch(target, {"a": "z", "c": {"f": None}}) == {"a": "z", "c": {"d": "e"}}
    assert merge_patch(target, {"c": None}) == {"a": "b"}
    assert target == {"a": "b", "c": {"d": "e", "f": "g"}}


def test_a_seller_is_stored_checked_and_written_compactly():
    settings = patched(TenantSettings(), patch({"seller": SELLER}))

    assert settings.seller.iban == "DE89370400440532013000"
    assert settings.seller.bic == "COBADEFFXXX"
    assert settings.seller.vatId == "DE136695976"
    assert settings.seller.address is not None
    assert settings.seller.address.country == "DE"


def test_a_change_merges_into_its_section_and_leaves_the_others():
    before = patched(TenantSettings(), patch({"seller": SELLER, "defaults": {"paymentTermDays": 30}}))

    after = patched(before, patch({"seller": {"phone": "+49 221 123456", "address": {"line2": "2. OG"}}}))

    assert after.seller.phone == "+49 221 123456"
    assert after.seller.iban == before.seller.iban
    assert after.seller.address is not None
    assert (after.seller.address.line1, after.seller.address.line2) == ("Hauptstraße 1", "2. OG")
    assert after.defaults == before.defaults


def test_null_removes_a_field_and_a_null_section_clears_it():
    before = patched(TenantSettings(), patch({"seller": SELLER}))

    assert patched(before, patch({"seller": {"bic": None}})).seller.bic is None
    assert patched(before, patch({"seller": None})).seller == Seller()


@pytest.mark.parametrize(
    ("seller", "field"),
    [
        ({"iban": "DE89 3704 0044 0532 0130 01"}, "seller.iban"),
        ({"bic": "COBAXXFF"}, "seller.bic"),
        ({"vatId": "DE136695977"}, "seller.vatId"),
        ({"vatId": "136695976"}, "seller.vatId"),
    ],
)
def test_an_invalid_iban_bic_or_vat_id_is_refused_naming_the_field(seller, field):
    with pytest.raises(ValidationFailed) as refused:
        patched(TenantSettings(), patch({"seller": seller}))

    assert list(refused.value.field_errors) == [field]


def test_vat_ids_outside_the_eu_are_checked_by_their_country():
    settings = patched(TenantSettings(), patch({"seller": {"vatId": "CHE-116.281.710 MWST"}}))

    assert settings.seller.vatId == "CHE116281710MWST"
    with pytest.raises(ValidationFailed):
        patched(TenantSettings(), patch({"seller": {"vatId": "GB 980 7806 85"}}))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reminders": {"days": [1]}}, "reminders"),
        ({"seller": {"legalname": "typo"}}, "seller.legalname"),
        ({"seller": {"address": {"country": "XX"}}}, "seller.address.country"),
        ({"defaults": {"currency": "EURO"}}, "defaults.currency"),
        ({"defaults": {"taxRounding": "PER_INVOICE"}}, "defaults.taxRounding"),
    ],
)
def test_unknown_sections_and_fields_and_bad_values_are_refused(body, field):
    with pytest.raises(ValueError, match=field.split(".")[-1]):
        SettingsPatch.model_validate(body)


def test_a_seller_check_does_not_run_for_a_change_of_another_section():
    before = TenantSettings(seller=Seller(iban="not checked before"))

    after = patched(before, patch({"defaults": {"taxRounding": "PER_LINE"}}))

    assert after.defaults.taxRounding == TaxRounding.PER_LINE
    assert after.seller.iban == "not checked before"


def test_reading_answers_the_defaults_with_the_tenants_currency(tenants):
    store = InMemorySettings()

    settings = read_settings(store, tenants, "acme")

    assert settings.version == 0
    assert settings.defaults.currency == "EUR"
    assert settings.defaults.taxRounding == TaxRounding.PER_RATE


def test_a_change_is_stored_with_the_next_version(tenants):
    store = InMemorySettings()

    first = change_settings(store, tenants, "acme", patch({"seller": SELLER}))
    second = change_settings(store, tenants, "acme", patch({"defaults": {"currency": "CHF"}}))

    assert (first.version, second.version) == (1, 2)
    assert second.defaults.currency == "CHF"
    assert read_settings(store, tenants, "acme") == second


def test_a_change_that_changes_nothing_is_not_written(tenants):
    store = InMemorySettings()
    change_settings(store, tenants, "acme", patch({"seller": SELLER}))

    again = change_settings(store, tenants, "acme", patch({"seller": SELLER}))

    assert (again.version, store.saves) == (1, 1)


def test_a_concurrent_change_of_another_section_is_kept(tenants):
    store = InMemorySettings()
    store.interleaved = TenantSettings(defaults=Defaults(paymentTermDays=45))

    settings = change_settings(store, tenants, "acme", patch({"seller": SELLER}), sleep=lambda _: None)

    assert settings.defaults.paymentTermDays == 45
    assert settings.seller.iban == "DE89370400440532013000"
    assert settings.version == 2


def test_the_seller_as_issued_is_named_and_reachable_as_the_tenant_by_default():
    assert seller_as_issued(TenantSettings(), ACME) == Seller(
        legalName="Acme GmbH", email="billing@acme.test"
    )
    named = TenantSettings(seller=Seller(legalName="Acme Handels GmbH", email="ar@acme.test"))
    assert seller_as_issued(named, ACME) == named.seller


def test_a_create_takes_the_settings_defaults_then_the_tenants_currency():
    defaults = Defaults(currency="CHF", paymentTermDays=30)
    asked: list[str] = []

    def tenant_currency() -> str:
        asked.append("tenant")
        return "EUR"

    filled = with_defaults(InvoiceCreate(), defaults, tenant_currency)
    own = with_defaults(InvoiceCreate(currency="USD", paymentTermDays=7), defaults, tenant_currency)
    fallback = with_defaults(InvoiceCreate(), Defaults(), tenant_currency)

    assert (filled.currency, filled.paymentTermDays) == ("CHF", 30)
    assert (own.currency, own.paymentTermDays) == ("USD", 7)
    assert (fallback.currency, fallback.paymentTermDays) == ("EUR", None)
    assert asked == ["tenant"]


def test_the_checks_libraries_are_imported_only_to_check_a_seller():
    for module in [name for name in sys.modules if name.split(".")[0] in ("schwifty", "stdnum")]:
        del sys.modules[module]

    patched(TenantSettings(), patch({"defaults": {"paymentTermDays": 10}}))
    assert not any(name.split(".")[0] in ("schwifty", "stdnum") for name in sys.modules)

    tenant_settings.checked_seller(Seller(iban="DE89370400440532013000"))
    assert "schwifty" in sys.modules
