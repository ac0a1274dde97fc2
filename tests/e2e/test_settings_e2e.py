"""Tenant settings over HTTP against the local stack: the seller printed on issued invoices, the
defaults of new ones, and what an issued invoice keeps."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader

from tests.e2e.client import assert_problem

pytestmark = pytest.mark.e2e

TENANT = "e2e-settings"
SELLER = {
    "legalName": "Łódź Dostawy Sp. z o.o.",
    "address": {"line1": "ul. Piotrkowska 1", "city": "Łódź", "zip": "90-001", "country": "PL"},
    "vatId": "PL 526-000-12-46",
    "iban": "PL61 1090 1014 0000 0712 1981 2874",
    "bic": "WBKPPLPP",
    "email": "faktury@lodz.test",
    "phone": "+48 42 123 45 67",
    "paymentInstructions": "Przelew w ciągu 14 dni.",
}
ORDER = {
    "invoiceDate": "2026-11-22T00:00:00Z",
    "customer": {
        "companyName": "Globex GmbH",
        "vatId": "DE136695976",
        "email": "ap@globex.test",
        "billingAddress": {"line1": "Hauptstraße 1", "city": "Köln", "zip": "50667", "countryId": 276},
    },
    "rows": [{"description": "Beratung", "quantity": 2, "unitPrice": 100, "taxRate": 23}],
}


@pytest.fixture(scope="module")
def admin(client_for):
    return client_for(TENANT, scopes="invoices:read invoices:write settings:write")


@pytest.fixture(scope="module")
def clerk(client_for):
    return client_for(TENANT)


def pdf_of(client, invoice_id: str) -> bytes:
    response = dataclasses.replace(client, extra_headers={"Accept": "application/pdf"}).get(
        f"/v1/invoices/{invoice_id}/pdf"
    )
    assert response.status == 200, response.body
    return response.body


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_seller_and_defaults_are_set_read_and_refused_when_invalid(admin, clerk):
    changed = admin.patch(
        "/v1/settings", {"seller": SELLER, "defaults": {"currency": "PLN", "paymentTermDays": 14}}
    )
    read = clerk.get("/v1/settings")
    bad = admin.patch("/v1/settings", {"seller": {"iban": "PL61 1090 1014 0000 0712 1981 2875"}})
    unknown = admin.patch("/v1/settings", {"taxes": {"vatIncluded": True}})

    assert changed.status == 200, changed.body
    assert read.json() == changed.json()
    assert read.json()["seller"]["iban"] == "PL61109010140000071219812874"
    assert read.json()["seller"]["vatId"] == "PL5260001246"
    assert "seller.iban" in assert_problem(bad, 400)["errors"]
    assert "taxes" in assert_problem(unknown, 400)["errors"]


def test_an_invoice_writer_cannot_change_the_settings(clerk):
    problem = assert_problem(clerk.patch("/v1/settings", {"seller": {"legalName": "Mallory"}}), 403)

    assert problem["status"] == 403


def test_an_issued_invoice_keeps_the_seller_and_its_pdf_after_the_settings_change(admin, clerk):
    admin.patch("/v1/settings", {"seller": SELLER, "defaults": {"currency": "PLN", "paymentTermDays": 14}})
    invoice = clerk.post("/v1/invoices", ORDER).json()
    issued = clerk.patch(f"/v1/invoices/{invoice['id']}/mark-as-sent").json()
    pdf = pdf_of(clerk, invoice["id"])

    admin.patch("/v1/settings", {"seller": {"legalName": "Nowa Nazwa S.A.", "iban": None}})
    clerk.patch(f"/v1/invoices/{invoice['id']}/mark-as-paid")
    replaced = clerk.patch(f"/v1/invoices/{invoice['id']}/update", {"customer": {"companyName": "Other Ltd"}})
    read = clerk.get(f"/v1/invoices/find/{invoice['id']}").json()

    assert (invoice["currency"], invoice["paymentTermDays"]) == ("PLN", 14)
    assert invoice["customer"]["billingAddress"]["country"] == "DE"
    assert issued["seller"]["legalName"] == "Łódź Dostawy Sp. z o.o."
    assert read["status"] == "PAID"
    assert read["seller"] == issued["seller"]
    assert read["merchantContactInfo"]["countryId"] == 616
    assert "customer" in assert_problem(replaced, 409)["errors"]
    assert read["customer"] == issued["customer"]
    assert pdf_of(clerk, invoice["id"]) == pdf
    text = text_of(pdf)
    for printed in (
        "Łódź Dostawy Sp. z o.o.",
        "IBAN PL61 1090 1014 0000 0712 1981 2874",
        "VAT ID DE136695976",
    ):
        assert printed in text
    assert "Nowa Nazwa" not in text
