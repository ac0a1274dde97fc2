"""The null rule: on create a null is the default; on update it clears what an invoice may lack and is a
400 naming the field for what every invoice has, and no invoice that could not be read back is stored.

The functions are called with their events/ samples against moto.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.errors import ValidationFailed
from invoicing.invoices import edits, kernel
from invoicing.invoices.model import InvoiceCreate
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.test_bad_input import all_invoice_ids, call, create, problem


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {"invoices": load_function("InvoicesFunction")}


# --- nulls -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["type", "currency", "rows", "discountPercentage", "feesPercentage", "shippingAmount"]
)
def test_an_update_that_empties_a_field_every_invoice_has_is_400_and_the_invoice_stays_readable(
    functions, field
):
    invoice = create(functions, opportunityId="opp-42")

    update = call(functions, "invoices/update-invoice.json", invoice_id=invoice["id"], body={field: None})
    found = call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])
    by_opportunity = call(functions, "invoices/find-by-opportunity.json")
    deleted = call(functions, "invoices/delete-invoice.json", invoice_id=invoice["id"])

    refused = problem(update, 400)
    assert field in refused["errors"]
    assert "leave the field out" in refused["errors"][field][0]
    assert found["statusCode"] == 200
    assert json.loads(found["body"])["version"] == invoice["version"]
    assert [listed["id"] for listed in json.loads(by_opportunity["body"])] == [invoice["id"]]
    assert deleted["statusCode"] == 204


def test_an_invoice_stays_listed_after_a_refused_null(functions):
    invoice = create(functions)

    call(functions, "invoices/update-invoice.json", invoice_id=invoice["id"], body={"type": None})

    assert all_invoice_ids(functions) == [invoice["id"]]


def test_an_update_null_clears_a_field_an_invoice_may_lack(functions):
    invoice = create(functions, note="Payable by transfer.", clientId="C-1", opportunityId="opp-1")

    response = call(
        functions,
        "invoices/update-invoice.json",
        invoice_id=invoice["id"],
        body={"note": None, "clientId": None, "customer": None, "invoiceDate": None},
    )
    found = json.loads(call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])["body"])

    assert response["statusCode"] == 200, response["body"]
    assert (found["note"], found["clientId"], found["customer"], found["invoiceDate"], found["dueDate"]) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert found["opportunityId"] == "opp-1"


def test_a_null_on_create_is_the_default(functions):
    invoice = create(functions, type=None, discountPercentage=None, feesPercentage=None, shippingAmount=None)

    assert (
        invoice["type"],
        invoice["discountPercentage"],
        invoice["feesAmount"],
        invoice["shippingAmount"],
    ) == (
        "MANUAL",
        0,
        0,
        0,
    )


def test_a_null_currency_on_create_is_the_tenants_currency(functions):
    invoice = create(functions, currency=None)

    assert invoice["currency"] == "EUR"


def test_a_type_sent_on_create_is_kept(functions):
    assert create(functions, type="RECURRING")["type"] == "RECURRING"


def test_the_store_refuses_an_invoice_it_could_not_read_back(deployment):
    repository = DynamoInvoiceRepository(deployment.ref("InvoicingTable"))
    change = edits.create_invoice(
        InvoiceCreate(currency="EUR"), actor=kernel.Actor("acme", "alice"), now=datetime.now(UTC)
    )
    unreadable = change.invoice.model_copy(update={"type": None})

    with pytest.raises(ValidationFailed) as refused:
        repository.create(unreadable, change.event)

    assert "type" in refused.value.field_errors
    assert repository.ids_by_invoice_date("acme", 10) == []
