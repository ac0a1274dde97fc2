"""GET /v1/invoices/{invoiceId}/e-invoice: the documents function against moto, with the seller from
the settings function, validated against the official EN 16931 rules."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from defusedxml import ElementTree
from facturx import get_xml_from_pdf

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.einvoice.ubl import CAC, CBC
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.einvoice_validation import fatal_asserts
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
BUYER = {
    "companyName": "Globex Corporation",
    "vatId": "FR40303265045",
    "billingAddress": {"line1": "1 rue de la Paix", "city": "Paris", "zip": "75002", "country": "FR"},
}


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {
        name: load_function(f"{name.title()}Function")
        for name in ("invoices", "lifecycle", "documents", "settings")
    }


def respond(functions, sample: str, *, invoice_id: str = SAMPLE_ID, body: object = ..., **changes) -> dict:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id)) | changes
    if body is not ...:
        event["body"] = json.dumps(body)
    return invoke(functions[sample.split("/")[0]], event)


def issued_invoice(functions, **fields) -> dict:
    body = json.loads(sample_event("invoices/create-invoice.json")["body"]) | fields
    created = respond(functions, "invoices/create-invoice.json", body=body)
    assert created["statusCode"] == 201, created["body"]
    invoice_id = json.loads(created["body"])["id"]
    sent = respond(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice_id)
    assert sent["statusCode"] == 200, sent["body"]
    return json.loads(sent["body"])


def e_invoice(functions, invoice_id: str, syntax: str) -> dict:
    query = {
        "queryStringParameters": {"format": syntax},
        "multiValueQueryStringParameters": {"format": [syntax]},
    }
    return respond(functions, "documents/get-e-invoice.json", invoice_id=invoice_id, **query)


def test_an_issued_invoice_is_answered_as_valid_cii_and_ubl_with_its_own_figures(functions):
    settings = respond(functions, "settings/patch-settings.json")
    assert settings["statusCode"] == 200, settings["body"]
    invoice = issued_invoice(functions, customer=BUYER)

    answers = {syntax: e_invoice(functions, invoice["id"], syntax) for syntax in ("cii", "ubl")}

    for syntax, answer in answers.items():
        assert answer["statusCode"] == 200, answer["body"]
        assert answer["multiValueHeaders"]["Content-Type"] == ["application/xml"]
        assert f"-{syntax}.xml" in answer["multiValueHeaders"]["Content-Disposition"][0]
        assert fatal_asserts(syntax, answer["body"].encode()) == []
    ubl = ElementTree.fromstring(answers["ubl"]["body"].encode())
    assert ubl.findtext(f"{{{CBC}}}ID") == invoice["invoiceNumber"]
    assert (
        ubl.findtext(f"{{{CAC}}}LegalMonetaryTotal/{{{CBC}}}PayableAmount") == f"{invoice['amountDue']:.2f}"
    )
    assert ubl.findtext(f"{{{CAC}}}TaxTotal/{{{CBC}}}TaxAmount") == f"{invoice['totalTax']:.2f}"
    assert "Acme GmbH" in answers["cii"]["body"]


def test_missing_seller_data_is_422_naming_what_is_missing(functions):
    invoice = issued_invoice(functions, customer=BUYER)

    answer = e_invoice(functions, invoice["id"], "ubl")

    assert answer["statusCode"] == 422
    problem = json.loads(answer["body"])
    assert {"seller.address.country", "seller.vatId"} <= set(problem["errors"])


def test_a_draft_has_no_e_invoice(functions):
    created = respond(functions, "invoices/create-invoice.json")
    draft = json.loads(created["body"])

    assert e_invoice(functions, draft["id"], "cii")["statusCode"] == 409


def test_the_original_pdf_of_a_complete_invoice_is_factur_x_carrying_its_cii(functions):
    respond(functions, "settings/patch-settings.json")
    invoice = issued_invoice(functions, customer=BUYER)

    pdf = respond(functions, "documents/get-pdf.json", invoice_id=invoice["id"])

    assert pdf["statusCode"] == 200
    name, xml = get_xml_from_pdf(base64.b64decode(pdf["body"]), check_xsd=True)
    assert name == "factur-x.xml"
    assert invoice["invoiceNumber"].encode() in xml
    assert fatal_asserts("cii", xml) == []
