"""Seed 003's reads over HTTP against the local stack: the 003 shape of a published invoice, its
calculations with and without a credit card surcharge (credit surcharged, debit not, ACH
discounted), seed 003's rule sentences as 409, and another tenant's invoice answering 404."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.client import assert_problem

pytestmark = pytest.mark.e2e

TENANT = "e2e-seed003"
CREATE = {
    "currency": "USD",
    "dueDate": "2031-01-31",
    "cardPaymentProcessorId": "sandbox-card",
    "achPaymentProcessorId": "sandbox-ach",
    "additionalNotes": "Thank you for your business.",
    "shippingAmount": 12.5,
    "taxPercentage": 8.875,
    "feesPercentage": 1.5,
    "discountPercentage": 5,
    "merchantContactInfoId": "f5d826ad-fdaf-44d6-8e8e-3260a44e8639",
    "customerId": "87d8e330-2878-4742-a86f-dbbb3bf522ac",
    "achAllowFasterProcessing": True,
    "customer": {
        "firstName": "Hank",
        "lastName": "Scorpio",
        "companyName": "Globex",
        "email": "hank@globex.test",
        "mobilePhoneNumber": "+1 555 0100",
        "isMobileNumberSmsNotificationsEnabled": False,
        "useBillingAsShippingAddress": True,
        "billingAddress": {
            "line1": "1 Globex Way",
            "city": "Cypress Creek",
            "zip": "97001",
            "countryId": 840,
        },
    },
    "lineItems": [
        {
            "lineItemId": "ecf65d8c-fd37-452f-82f1-ff563e6f910f",
            "unitTypeId": 2,
            "productName": "Consulting",
            "description": "Doomsday device review",
            "sku": "CONS-1",
            "unitPrice": 150,
            "quantity": 7.5,
            "discountPercentage": 10,
            "totalAmount": 0,
        },
        {"productName": "Hammock", "sku": "HAM-2", "unitPrice": 89.99, "quantity": 3},
    ],
    "canPriceBeForceOverrided": False,
}
#: every field of seed 003's invoice and of its calculations
INVOICE_FIELDS = {
    "id", "number", "status", "issueDate", "dueDate", "paymentDate", "cardPaymentProcessorId",
    "achPaymentProcessorId", "additionalNotes", "subTotalAmount", "shippingAmount", "totalAmount",
    "taxPercentage", "feesPercentage", "discountPercentage", "surchargePercentage", "surchargeAmount",
    "cashDiscountPercentage", "cashDiscountAmount", "paymentMethodTypeId", "merchantId",
    "merchantContactInfoId", "merchantContactInfo", "customerId", "customer", "lineItems",
    "isCustomerUpdated", "isLineItemsUpdated", "fullUrl", "shortUrl", "markedAsPaid", "transactionId",
    "achAllowFasterProcessing", "history", "zeroCostProcessingOptionId", "zeroCostProcessingOption",
    "useCardPrice", "invoiceCalculations",
}  # fmt: skip
CALCULATION_FIELDS = {
    "subTotalAmount", "totalAmount", "shippingAmount", "taxAmount", "taxPercentage", "feesAmount",
    "feesPercentage", "discountAmount", "discountPercentage", "surchargeAmount", "surchargePercentage",
    "cashDiscountPercentage", "cashDiscountAmount",
}  # fmt: skip


@pytest.fixture(scope="module")
def admin(client_for):
    return client_for(TENANT, scopes="invoices:read invoices:write settings:write")


@pytest.fixture(scope="module")
def published_id(admin) -> str:
    created = admin.post("/v1/invoices", CREATE)
    assert created.status == 201, created.body
    invoice_id = created.json()["id"]
    sent = admin.patch(f"/v1/invoices/{invoice_id}/mark-as-sent")
    assert sent.status == 200, sent.body
    return invoice_id


def calculations(client, invoice_id: str, method: str | None = None) -> dict:
    query = f"?paymentMethod={method}" if method else ""
    response = client.get(f"/v1/invoices/{invoice_id}/calculations{query}")
    assert response.status == 200, response.body
    return response.exact_json()


def test_a_published_invoice_in_seed_003s_shape(admin, published_id):
    response = admin.get(f"/v1/invoices/{published_id}")
    seed_001 = admin.get(f"/v1/invoices/find/{published_id}").exact_json()

    assert response.status == 200, response.body
    view = response.exact_json()
    assert set(view) == INVOICE_FIELDS
    assert view["id"] == published_id
    assert view["status"] == 3
    assert view["number"] == seed_001["invoiceNumber"]
    assert view["totalAmount"] == seed_001["total"]
    assert view["subTotalAmount"] == seed_001["linesTotal"] == Decimal("1282.47")
    assert [item["totalAmount"] for item in view["lineItems"]] == [Decimal("1012.50"), Decimal("269.97")]
    assert view["lineItems"][0]["lineItemId"] == CREATE["lineItems"][0]["lineItemId"]
    assert view["lineItems"][0]["unitTypeId"] == 2
    assert view["taxPercentage"] == Decimal("8.875")
    assert view["customer"]["billingAddress"]["countryId"] == 840
    assert view["customerId"] == CREATE["customerId"]
    assert view["merchantId"] == TENANT
    assert view["cardPaymentProcessorId"] == "sandbox-card"
    assert view["achAllowFasterProcessing"] is True
    assert view["fullUrl"].startswith("http://127.0.0.1:")  # the hosted page, on the stack's address
    assert "/v1/public/invoices/" in view["fullUrl"]
    assert view["history"][-1]["typeName"] == "STATUS_CHANGED"
    for method in ("debitCard", "creditCard", "ach"):
        assert set(view["invoiceCalculations"][method]) == CALCULATION_FIELDS, method


def test_calculations_with_and_without_a_surcharge(admin, published_id):
    admin.patch("/v1/settings", {"payments": None})
    base = calculations(admin, published_id)
    unsurcharged = calculations(admin, published_id, "creditCard")

    changed = admin.patch(
        "/v1/settings", {"payments": {"creditCardSurchargePercentage": 3, "achCashDiscountPercentage": 1.5}}
    )
    credit = calculations(admin, published_id, "creditCard")
    debit = calculations(admin, published_id, "debitCard")
    ach = calculations(admin, published_id, "ach")
    out_of_range = admin.patch("/v1/settings", {"payments": {"creditCardSurchargePercentage": 3.01}})

    assert set(base) == CALCULATION_FIELDS | {"id"}
    assert unsurcharged["totalAmount"] == base["totalAmount"]
    assert unsurcharged["surchargeAmount"] == 0
    assert changed.status == 200, changed.body
    total = base["totalAmount"]
    assert credit["surchargePercentage"] == 3
    assert credit["surchargeAmount"] == (total * 3 / 100).quantize(Decimal("0.01"))
    assert credit["totalAmount"] == total + credit["surchargeAmount"]
    assert debit["surchargeAmount"] == 0
    assert debit["totalAmount"] == total
    assert ach["cashDiscountAmount"] == (total * Decimal("1.5") / 100).quantize(Decimal("0.01"))
    assert ach["totalAmount"] == total - ach["cashDiscountAmount"]
    assert "payments.creditCardSurchargePercentage" in assert_problem(out_of_range, 400)["errors"]


def test_seed_003s_rules_are_409_with_its_sentences(admin, published_id):
    deleted = admin.delete(f"/v1/invoices/{published_id}")
    draft = admin.post("/v1/invoices", CREATE).json()
    cancelled = admin.patch(f"/v1/invoices/{draft['id']}/cancel")
    marked = admin.patch(f"/v1/invoices/{draft['id']}/mark-as-paid")

    assert "You can't delete published invoices." in assert_problem(deleted, 409)["detail"]
    assert (
        "Only invoices in published (Due, Past Due) status and not paid can be canceled."
        in assert_problem(cancelled, 409)["detail"]
    )
    assert (
        "Only invoices in published (Due, Past Due) status and not paid can be marked as paid."
        in assert_problem(marked, 409)["detail"]
    )


def test_another_tenants_invoice_is_404(client_for, published_id):
    intruder = client_for("e2e-seed003-other")

    assert_problem(intruder.get(f"/v1/invoices/{published_id}"), 404)
    assert_problem(intruder.get(f"/v1/invoices/{published_id}/calculations?paymentMethod=creditCard"), 404)
