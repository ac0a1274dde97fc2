"""Seller and buyer data on invoices: the tenant's defaults on create, the customer's country and VAT
id, the seller kept as issued on every publishing path, and what an issued invoice prints frozen."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import imported_at_cold_start, invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SELLER = json.loads(sample_event("settings/patch-settings.json")["body"])["seller"]


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "PLN", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {
        name: load_function(f"{name.title()}Function")
        for name in ("invoices", "lifecycle", "documents", "delivery", "settings")
    }


def respond(functions, sample: str, *, invoice_id: str = SAMPLE_ID, body: object = ...) -> dict:
    group = sample.split("/")[0]
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if body is not ...:
        event["body"] = json.dumps(body)
    return invoke(functions[group], event)


def call(functions, sample: str, **options) -> tuple[int, dict]:
    response = respond(functions, sample, **options)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else {}


def create(functions, **fields) -> dict:
    body = json.loads(sample_event("invoices/create-invoice.json")["body"]) | fields
    status, invoice = call(functions, "invoices/create-invoice.json", body=body)
    assert status == 201, invoice
    return invoice


def set_settings(functions, body: dict) -> dict:
    status, settings = call(functions, "settings/patch-settings.json", body=body)
    assert status == 200, settings
    return settings


def pdf_text(functions, invoice_id: str) -> tuple[bytes, str]:
    response = respond(functions, "documents/get-pdf.json", invoice_id=invoice_id)
    assert response["statusCode"] == 200, response.get("body")
    content = base64.b64decode(response["body"])
    return content, "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_create_without_currency_takes_the_tenants_currency(functions):
    invoice = create(functions, currency=None, paymentTermDays=None)

    assert invoice["currency"] == "PLN"
    assert invoice["paymentTermDays"] is None


def test_creates_take_the_settings_defaults_for_what_they_omit(functions):
    set_settings(
        functions, {"defaults": {"currency": "EUR", "paymentTermDays": 21, "taxRounding": "PER_LINE"}}
    )

    omitted = create(functions, currency=None, paymentTermDays=None)
    stated = create(functions, currency="USD", paymentTermDays=7)
    status, empty = call(functions, "invoices/create-empty-invoice.json")

    assert (omitted["currency"], omitted["paymentTermDays"], omitted["dueDate"]) == (
        "EUR",
        21,
        "2026-12-13T00:00:00Z",
    )
    assert (stated["currency"], stated["paymentTermDays"]) == ("USD", 7)
    assert status == 201
    assert (empty["currency"], empty["paymentTermDays"]) == ("EUR", 21)
    assert {omitted["taxRounding"], stated["taxRounding"], empty["taxRounding"]} == {"PER_LINE"}


def test_the_customer_names_its_country_either_way_and_gets_both(functions):
    customer = {
        "companyName": "Globex",
        "vatId": "FR40303265045",
        "billingAddress": {"line1": "1 rue de Rivoli", "city": "Paris", "zip": "75001", "country": "fr"},
        "shippingAddress": {"line1": "2 Quai", "city": "Lyon", "countryId": 250},
    }

    invoice = create(functions, customer=customer)

    assert invoice["customer"]["vatId"] == "FR40303265045"
    addresses = [invoice["customer"]["billingAddress"], invoice["customer"]["shippingAddress"]]
    assert [(address["country"], address["countryId"]) for address in addresses] == [("FR", 250), ("FR", 250)]


def test_seed_003s_placeholder_country_id_0_is_no_country(functions):
    placeholder = {"city": "Springfield", "countryId": 0, "stateId": 0}
    customer = {"companyName": "Globex", "billingAddress": placeholder}

    address = create(functions, customer=customer)["customer"]["billingAddress"]

    assert (address["country"], address["countryId"]) == (None, None)


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({"country": "DE", "countryId": 250}, "customer.billingAddress.countryId"),
        ({"countryId": 999}, "customer.billingAddress.countryId"),
        ({"country": "XK1"}, "customer.billingAddress.country"),
    ],
)
def test_a_country_that_is_not_one_is_400_naming_the_field(functions, address, field):
    body = json.loads(sample_event("invoices/create-invoice.json")["body"])
    body["customer"]["billingAddress"] = address

    status, problem = call(functions, "invoices/create-invoice.json", body=body)

    assert status == 400
    assert field in problem["errors"]


@pytest.mark.parametrize(
    ("sample", "body"),
    [
        ("lifecycle/mark-as-sent.json", ...),
        ("lifecycle/publish.json", ...),
        ("delivery/send.json", ...),
    ],
)
def test_every_publishing_path_keeps_the_seller_as_it_was(functions, sample, body):
    set_settings(functions, {"seller": SELLER})
    invoice = create(functions)

    status, published = call(functions, sample, invoice_id=invoice["id"], body=body)
    set_settings(functions, {"seller": {"legalName": "Acme Renamed AG", "iban": "CH9300762011623852957"}})
    _, read = call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])

    assert status == 200, published
    assert read["seller"]["legalName"] == "Acme GmbH"
    assert read["seller"]["iban"] == "DE89370400440532013000"
    assert read["seller"]["address"]["country"] == "DE"
    assert read["merchantContactInfo"] == {
        "addressLine1": "Hauptstraße 1",
        "addressLine2": "2. OG",
        "city": "Köln",
        "zip": "50667",
        "countryId": 276,
        "stateId": None,
        "stateName": None,
        "email": "billing@acme.test",
        "businessPhoneNumber": "+49 221 123456",
    }


def test_a_seller_without_settings_is_the_tenant(functions):
    invoice = create(functions)

    _, published = call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])

    assert (published["seller"]["legalName"], published["seller"]["email"]) == (
        "Acme GmbH",
        "billing@acme.test",
    )
    assert create(functions)["seller"] is None


def test_the_pdf_prints_the_seller_as_issued_and_the_buyers_vat_id(functions):
    set_settings(functions, {"seller": SELLER})
    customer = json.loads(sample_event("invoices/create-invoice.json")["body"])["customer"]
    invoice = create(functions, customer=customer | {"vatId": "FR40303265045"})
    call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])
    set_settings(functions, {"seller": {"legalName": "Acme Renamed AG"}})

    _, text = pdf_text(functions, invoice["id"])

    assert "Acme Renamed AG" not in text
    for printed in (
        "Acme GmbH",
        "Hauptstraße 1",
        "50667 Köln",
        "Germany",
        "VAT ID DE136695976",
        "Tax number 214/5678/1234",
        "IBAN DE89 3704 0044 0532 0130 00",
        "BIC COBADEFFXXX",
        "VAT ID FR40303265045",
    ):
        assert printed in text


def test_a_draft_preview_prints_the_seller_it_would_be_issued_by_now(functions):
    invoice = create(functions)
    set_settings(functions, {"seller": SELLER})
    _, before = pdf_text(functions, invoice["id"])
    set_settings(functions, {"seller": {"legalName": "Acme Renamed AG"}})

    _, after = pdf_text(functions, invoice["id"])

    assert "DRAFT" in before
    assert "VAT ID DE136695976" in before
    assert "Acme Renamed AG" in after


def test_the_customer_of_a_paid_invoice_cannot_be_replaced_and_its_pdf_stays(functions):
    invoice = create(functions)
    call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])
    _, paid = call(functions, "lifecycle/mark-as-paid.json", invoice_id=invoice["id"])
    assert paid["status"] == "PAID"
    before, _ = pdf_text(functions, invoice["id"])

    status, problem = call(
        functions,
        "invoices/update-invoice.json",
        invoice_id=invoice["id"],
        body={"customer": {"companyName": "Someone Else Ltd", "email": "else@example.test"}},
    )
    after, _ = pdf_text(functions, invoice["id"])
    _, read = call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])

    assert status == 409
    assert list(problem["errors"]) == ["customer"]
    assert after == before
    assert read["customer"] == paid["customer"]


@pytest.mark.parametrize(
    "fields",
    [
        {"paymentReference": "RF18 5390 0754 7034"},
        {"invoiceDate": "2026-12-01T00:00:00Z", "rows": []},
        {"customer": None},
        {"customer": {"companyName": "Globex", "vatId": "FR40303265045"}},
    ],
)
def test_what_an_issued_invoice_states_is_frozen(functions, fields):
    invoice = create(functions)
    call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])

    status, problem = call(functions, "invoices/update-invoice.json", invoice_id=invoice["id"], body=fields)

    assert status == 409
    assert set(problem["errors"]) == set(fields)


def test_notes_references_contact_and_mail_texts_stay_editable_once_issued(functions):
    invoice = create(functions)
    call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])
    editable = {
        "note": "Paid by transfer, thank you.",
        "opportunityId": "opp-43",
        "salesOrderId": "SO-7",
        "milestoneId": "M-2",
        "subsidiaryId": "S-1",
        "clientId": "globex-1",
        "contactEmail": "payables@globex.test",
        "mailBody": "Please find attached.",
        "reminderBody": "A friendly reminder.",
    }

    status, updated = call(functions, "invoices/update-invoice.json", invoice_id=invoice["id"], body=editable)

    assert status == 200, updated
    assert {name: updated[name] for name in editable} == editable
    assert updated["seller"]["legalName"] == "Acme GmbH"


@pytest.mark.parametrize(
    "function", ["InvoicesFunction", "LifecycleFunction", "DeliveryFunction", "SettingsFunction"]
)
def test_no_cold_start_imports_the_checking_libraries(function):
    """schwifty and python-stdnum are imported when a seller is checked, pycountry at the first country."""
    assert imported_at_cold_start(function, ("schwifty", "stdnum", "pycountry")) == []
