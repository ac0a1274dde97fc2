"""The invoice-view function (seed 003's invoice shape and calculations), with its events/ samples
against moto; invoices are written through the invoices, lifecycle and settings functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from types import EllipsisType

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import imported_at_cold_start, invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
SEED_003_CREATE = {
    "currency": "USD",
    "cardPaymentProcessorId": "db82121d-3317-4452-ab36-552196b0f55a",
    "additionalNotes": "Thanks",
    "shippingAmount": 10,
    "taxPercentage": 8.25,
    "feesPercentage": 1,
    "discountPercentage": 5,
    "customerId": "87d8e330-2878-4742-a86f-dbbb3bf522ac",
    "customer": {"firstName": "Hank", "lastName": "Scorpio", "email": "hank@globex.test"},
    "lineItems": [
        {
            "lineItemId": "p-1",
            "unitTypeId": 2,
            "productName": "Work",
            "sku": "W-1",
            "unitPrice": 120,
            "quantity": 3,
            "discountPercentage": 10,
            "totalAmount": 1,
        },
        {"productName": "Part", "unitPrice": 19.99, "quantity": 2},
    ],
    "canPriceBeForceOverrided": False,
}


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    for tenant in ("acme", "globex"):
        new_tenant = NewTenant(tenant, tenant.title(), "USD", f"billing@{tenant}.test")
        ensure_tenant(repository, new_tenant, now=datetime.now(UTC))
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "settings": load_function("SettingsFunction"),
        "invoice_view": load_function("InvoiceViewFunction"),
    }


def call(
    functions,
    sample: str,
    *,
    invoice_id: str = SAMPLE_ID,
    body: object = ...,
    tenant: str = "acme",
    query: dict[str, str] | EllipsisType | None = ...,
) -> tuple[int, dict]:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    event["requestContext"]["authorizer"]["tenantId"] = tenant
    event["requestContext"]["authorizer"]["scopes"] = "invoices:read invoices:write settings:write"
    if body is not ...:
        event["body"] = json.dumps(body)
    if query is not ...:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    response = invoke(functions[sample.split("/")[0]], event)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else {}


def published(functions) -> str:
    status, created = call(functions, "invoices/create-invoice.json", body=SEED_003_CREATE)
    assert status == 201, created
    status, sent = call(functions, "lifecycle/mark-as-sent.json", invoice_id=created["id"])
    assert status == 200, sent
    return created["id"]


def test_a_seed_003_create_reads_back_in_seed_003s_shape(functions):
    invoice_id = published(functions)

    status, view = call(functions, "invoice_view/get-invoice.json", invoice_id=invoice_id)

    assert status == 200, view
    assert view["id"] == invoice_id
    assert view["status"] == 3  # Due
    assert view["number"]
    assert [item["totalAmount"] for item in view["lineItems"]] == [324, 39.98]  # not the client's 1
    assert view["lineItems"][0] | {"id": None} == {
        "id": None,
        "lineItemId": "p-1",
        "unitTypeId": 2,
        "productName": "Work",
        "description": None,
        "sku": "W-1",
        "unitPrice": 120,
        "quantity": 3,
        "discountPercentage": 10,
        "totalAmount": 324,
    }
    assert view["subTotalAmount"] == 363.98
    assert view["taxPercentage"] == 8.25
    assert view["cardPaymentProcessorId"] == "db82121d-3317-4452-ab36-552196b0f55a"
    assert view["customerId"] == "87d8e330-2878-4742-a86f-dbbb3bf522ac"
    assert view["merchantId"] == "acme"
    assert view["additionalNotes"] == "Thanks"
    assert view["fullUrl"].startswith("https://127.0.0.1:3000/dev/v1/public/invoices/")  # the hosted page
    assert view["shortUrl"].startswith("https://127.0.0.1:3000/dev/i/")
    assert view["markedAsPaid"] is False
    assert view["paymentMethodTypeId"] == 0
    assert [entry["typeName"] for entry in view["history"]] == ["CREATE", "STATUS_CHANGED"]
    _, seed_001 = call(functions, "invoices/find-invoice.json", invoice_id=invoice_id)
    assert view["totalAmount"] == seed_001["total"]
    assert view["invoiceCalculations"]["debitCard"]["totalAmount"] == seed_001["total"]


def test_calculations_surcharge_credit_cards_only_and_discount_ach(functions):
    invoice_id = published(functions)
    status, _ = call(
        functions,
        "settings/patch-settings.json",
        body={"payments": {"creditCardSurchargePercentage": 3, "achCashDiscountPercentage": 2}},
    )
    assert status == 200

    figures = {
        method: call(
            functions,
            "invoice_view/get-calculations.json",
            invoice_id=invoice_id,
            query={"paymentMethod": method} if method else None,
        )[1]
        for method in (None, "creditCard", "debitCard", "ach")
    }

    base = Decimal(str(figures[None]["totalAmount"]))
    assert figures[None]["surchargeAmount"] == 0
    assert figures["debitCard"]["totalAmount"] == float(base)
    credit = figures["creditCard"]
    assert Decimal(str(credit["surchargeAmount"])) == (base * 3 / 100).quantize(Decimal("0.01"))
    assert Decimal(str(credit["totalAmount"])) == base + Decimal(str(credit["surchargeAmount"]))
    ach = figures["ach"]
    assert Decimal(str(ach["totalAmount"])) == base - Decimal(str(ach["cashDiscountAmount"]))
    assert ach["surchargeAmount"] == 0
    assert figures["debitCard"]["surchargeAmount"] == 0
    assert credit["id"] == invoice_id
    _, view = call(functions, "invoice_view/get-invoice.json", invoice_id=invoice_id)
    assert view["invoiceCalculations"]["creditCard"] == {k: v for k, v in credit.items() if k != "id"}
    assert view["useCardPrice"] is True
    assert view["zeroCostProcessingOptionId"] == 3


def test_the_payments_settings_are_checked(functions):
    status, problem = call(
        functions, "settings/patch-settings.json", body={"payments": {"creditCardSurchargePercentage": 3.5}}
    )

    assert status == 400, problem
    assert "payments.creditCardSurchargePercentage" in json.dumps(problem["errors"])


def test_another_tenants_invoice_and_an_unknown_method_are_refused(functions):
    invoice_id = published(functions)

    assert call(functions, "invoice_view/get-invoice.json", invoice_id=invoice_id, tenant="globex")[0] == 404
    assert (
        call(functions, "invoice_view/get-calculations.json", invoice_id=invoice_id, tenant="globex")[0]
        == 404
    )
    status, problem = call(
        functions,
        "invoice_view/get-calculations.json",
        invoice_id=invoice_id,
        query={"paymentMethod": "cash"},
    )
    assert status == 400, problem


def test_a_forced_line_total_that_differs_is_400_and_nothing_is_created(functions):
    body = SEED_003_CREATE | {"canPriceBeForceOverrided": True}

    status, problem = call(functions, "invoices/create-invoice.json", body=body)

    assert status == 400, problem
    assert "the server's arithmetic wins" in json.dumps(problem)


def test_the_function_imports_no_checker_renderer_or_store_at_cold_start():
    lazy = ("schwifty", "stdnum", "pycountry", "fpdf", "invoicing.adapters.invoice_store")
    assert imported_at_cold_start("InvoiceViewFunction", lazy) == []


def test_mark_as_paid_takes_seed_003s_payment_method(functions):
    invoice_id = published(functions)
    status, paid = call(
        functions, "lifecycle/mark-as-paid.json", invoice_id=invoice_id, body={"paymentMethodTypeId": 5}
    )
    _, view = call(functions, "invoice_view/get-invoice.json", invoice_id=invoice_id)

    assert status == 200, paid
    assert paid["transactions"][-1]["paymentMethod"] == "CASH"
    assert view["status"] == 6
    assert view["paymentMethodTypeId"] == 5
    assert view["markedAsPaid"] is True
    assert view["transactionId"] == paid["transactions"][-1]["id"]
    assert view["history"][-1]["transactionId"] == view["transactionId"]


def test_mark_as_paid_refuses_an_unknown_payment_method_and_a_draft_with_the_seeds_sentence(functions):
    invoice_id = published(functions)
    status, problem = call(
        functions, "lifecycle/mark-as-paid.json", invoice_id=invoice_id, body={"paymentMethodTypeId": 99}
    )
    _, draft = call(functions, "invoices/create-invoice.json", body=SEED_003_CREATE)
    draft_status, refused = call(functions, "lifecycle/mark-as-paid.json", invoice_id=draft["id"])

    assert status == 400, problem
    assert "paymentMethodTypeId" in json.dumps(problem["errors"])
    assert draft_status == 409
    assert refused["detail"].startswith(
        "Only invoices in published (Due, Past Due) status and not paid can be marked as paid."
    )
