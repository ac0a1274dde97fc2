"""The settings function, called with the events/settings samples against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event


@pytest.fixture
def settings_function(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    for tenant in ("acme", "globex"):
        new_tenant = NewTenant(tenant, tenant.title(), "EUR", f"billing@{tenant}.test")
        ensure_tenant(repository, new_tenant, now=datetime.now(UTC))
    return load_function("SettingsFunction")


def call(
    function,
    name: str,
    *,
    body: object = ...,
    tenant: str = "acme",
    scopes: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict]:
    event = sample_event(f"settings/{name}")
    event["requestContext"]["authorizer"]["tenantId"] = tenant
    if scopes is not None:
        event["requestContext"]["authorizer"]["scopes"] = scopes
    if body is not ...:
        event["body"] = json.dumps(body)
    for header, value in (headers or {}).items():
        event["headers"][header] = value
        event["multiValueHeaders"][header] = [value]
    response = invoke(function, event)
    return response["statusCode"], json.loads(response["body"])


def test_a_tenant_without_settings_reads_the_defaults(settings_function):
    status, settings = call(settings_function, "get-settings.json")

    assert status == 200
    assert settings["version"] == 0
    assert settings["defaults"] == {"currency": "EUR", "paymentTermDays": None, "taxRounding": "PER_RATE"}
    assert settings["seller"]["iban"] is None


def test_the_seller_and_defaults_are_stored_checked_and_read_back(settings_function):
    status, changed = call(settings_function, "patch-settings.json")
    _, read = call(settings_function, "get-settings.json")

    assert status == 200
    assert read == changed
    assert changed["version"] == 1
    assert changed["seller"]["iban"] == "DE89370400440532013000"
    assert changed["seller"]["address"] == {
        "line1": "Hauptstraße 1",
        "line2": "2. OG",
        "city": "Köln",
        "zip": "50667",
        "country": "DE",
    }
    assert changed["defaults"]["paymentTermDays"] == 14


def test_a_change_merges_into_the_stored_section(settings_function):
    call(settings_function, "patch-settings.json")

    status, changed = call(
        settings_function, "patch-settings.json", body={"seller": {"phone": None, "bic": "DEUTDEFF"}}
    )

    assert status == 200
    assert (changed["seller"]["phone"], changed["seller"]["bic"]) == (None, "DEUTDEFF")
    assert changed["seller"]["legalName"] == "Acme GmbH"
    assert changed["defaults"]["paymentTermDays"] == 14
    assert changed["version"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"seller": {"iban": "DE89 3704 0044 0532 0130 01"}}, "seller.iban"),
        ({"seller": {"bic": "COBAXXFF"}}, "seller.bic"),
        ({"seller": {"vatId": "DE000000000"}}, "seller.vatId"),
        ({"seller": {"address": {"country": "Germany"}}}, "seller.address.country"),
        ({"dunning": {"offsets": [1, 7]}}, "dunning"),
        ({"reminders": {"offsets": [1, 7]}}, "reminders.offsets"),
        ({"reminders": {"cadenceDays": [7, 1]}}, "reminders.cadenceDays"),
        ({"reminders": {"cadenceDays": list(range(11))}}, "reminders.cadenceDays"),
        ({"reminders": {"enabled": "sometimes"}}, "reminders.enabled"),
        ({"reminders": {"lateFee": {"type": "PERCENTAGE", "amount": 101}}}, "reminders.lateFee"),
        ({"reminders": {"lateFee": {"type": "FIXED", "amount": -5}}}, "reminders.lateFee.amount"),
        ({"reminders": {"senderName": "x" * 201}}, "reminders.senderName"),
        ({"defaults": {"taxRounding": "PER_INVOICE"}}, "defaults.taxRounding"),
    ],
)
def test_bad_settings_are_400_naming_the_field_and_change_nothing(settings_function, body, field):
    call(settings_function, "patch-settings.json")

    status, problem = call(settings_function, "patch-settings.json", body=body)
    _, after = call(settings_function, "get-settings.json")

    assert status == 400
    assert field in problem["errors"]
    assert after["version"] == 1


def test_changing_the_settings_needs_the_settings_scope(settings_function):
    status, problem = call(settings_function, "patch-settings.json", scopes="invoices:read invoices:write")
    read_status, _ = call(settings_function, "get-settings.json", scopes="settings:write")

    assert status == 403
    assert "settings:write" in problem["detail"]
    assert read_status == 200


def test_settings_are_the_tenants_own(settings_function):
    call(settings_function, "patch-settings.json")

    _, other = call(settings_function, "get-settings.json", tenant="globex")

    assert other["version"] == 0
    assert other["seller"]["legalName"] is None


def test_a_retried_change_with_its_idempotency_key_answers_the_first_response(settings_function):
    key = {"Idempotency-Key": "settings-1"}
    call(settings_function, "patch-settings.json", headers=key)
    call(settings_function, "patch-settings.json", body={"defaults": {"paymentTermDays": 30}})

    status, repeated = call(settings_function, "patch-settings.json", headers=key)
    _, current = call(settings_function, "get-settings.json")

    assert status == 200
    assert repeated["version"] == 1
    assert (current["version"], current["defaults"]["paymentTermDays"]) == (2, 30)
