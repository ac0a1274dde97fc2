"""Card and ACH payments over HTTP against the local stack and its sandbox processor: a card that
pays, a retry with the same Idempotency-Key and four parallel payments that charge once, each
sandbox decline, the Luhn, expiry and routing errors, ACH settled to PAID and one returned (the
stack delivers the sandbox's signed events), another tenant's invoice answering 404, and no card or
account number in any table item, object or log line of the run."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal

import boto3
import pytest

from devtools.template import REGION
from tests.e2e.client import ApiClient, assert_problem

pytestmark = pytest.mark.e2e

TENANT = "e2e-payments"
INVOICE = {
    "currency": "USD",
    "invoiceDate": "2031-01-02T00:00:00Z",
    "paymentTermDays": 30,
    "contactEmail": "ap@payments.test",
    "rows": [
        {"description": "Consulting", "quantity": 2, "unitPrice": 150, "taxRate": 10, "type": "SERVICE"}
    ],
}
NUMBERS = (
    "4242424242424242", "4000056655665556", "4000000000000002", "4000000000009995", "4000000000000069",
    "4000000000000127", "110000000", "000123456789", "000222222227",
)  # fmt: skip


@pytest.fixture(scope="module")
def api(client_for) -> ApiClient:
    client: ApiClient = client_for(TENANT, scopes="invoices:read invoices:write settings:write")
    response = client.patch("/v1/settings", {"payments": {"creditCardSurchargePercentage": 3}})
    assert response.status == 200, response.body
    return client


def sent(api: ApiClient) -> dict:
    created = api.post("/v1/invoices", INVOICE)
    assert created.status == 201, created.body
    published = api.patch(f"/v1/invoices/{created.json()['id']}/mark-as-sent")
    assert published.status == 200, published.body
    return published.exact_json()


def card(amount: Decimal, number: str = "4242424242424242", **changes: object) -> dict:
    body = {
        "totalAmount": float(amount), "accountNumber": number, "expirationYear": 2032,
        "expirationMonth": 6, "securityCode": "737", "billingCountryId": 840, "billingPostalCode": "94107",
        "savePaymentMethod": False,
    }  # fmt: skip
    return body | changes


def ach(amount: Decimal, account: str = "000123456789", **changes: object) -> dict:
    body = {
        "totalAmount": float(amount), "routingNumber": "110000000", "accountNumber": account,
        "accountType": 1, "accountHolderType": 1, "firstName": "Jenny", "lastName": "Rosen",
        "email": "jenny@payments.test", "billingPostalCode": "94107", "savePaymentMethod": False,
        "saveCustomerInfo": False, "authorizeBankWithdrawal": True,
    }  # fmt: skip
    return body | changes


def credit_balance(api: ApiClient, invoice_id: str) -> Decimal:
    response = api.get(f"/v1/invoices/{invoice_id}/calculations?paymentMethod=creditCard")
    assert response.status == 200, response.body
    return Decimal(str(response.exact_json()["totalAmount"]))


def test_a_credit_card_pays_its_surcharged_balance(api):
    invoice = sent(api)
    balance = credit_balance(api, invoice["id"])
    assert balance > invoice["total"]

    response = api.post(f"/v1/invoices/{invoice['id']}/pay/card", card(balance, savePaymentMethod=True))

    assert response.status == 200, response.body
    assert response.json() == {"success": True, "paymentMethodCreated": True, "customerInfoSaved": False}
    paid = api.get(f"/v1/invoices/find/{invoice['id']}").exact_json()
    assert paid["status"] == "PAID"
    assert paid["transactions"][0]["surchargeAmount"] == balance - invoice["total"]


def test_a_debit_card_pays_the_base_price(api):
    invoice = sent(api)

    wrong = api.post(f"/v1/invoices/{invoice['id']}/pay/card", card(invoice["total"] + 1, "4000056655665556"))
    problem = assert_problem(wrong, 422)
    assert problem["errors"]["totalAmount"] == [
        f"Expected {invoice['total']} (or less, for a partial payment)."
    ]
    response = api.post(f"/v1/invoices/{invoice['id']}/pay/card", card(invoice["total"], "4000056655665556"))
    assert response.status == 200, response.body


def test_a_retry_with_the_same_key_and_four_parallel_payments_charge_once(api):
    invoice = sent(api)
    keyed = replace(api, extra_headers={"Idempotency-Key": f"pay-{invoice['id']}"})
    first = keyed.post(f"/v1/invoices/{invoice['id']}/pay/card", card(Decimal(10)))
    again = keyed.post(f"/v1/invoices/{invoice['id']}/pay/card", card(Decimal(10)))
    assert (first.status, again.status, first.body) == (200, 200, again.body)
    assert len(api.get(f"/v1/invoices/find/{invoice['id']}").json()["transactions"]) == 1

    other = sent(api)
    balance = credit_balance(api, other["id"])
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda _: api.post(f"/v1/invoices/{other['id']}/pay/card", card(balance)), range(4))
        )
    assert sorted(answer.status for answer in answers) == [200, 409, 409, 409]
    assert len(api.get(f"/v1/invoices/find/{other['id']}").json()["transactions"]) == 1


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000127", "incorrect_cvc"),
    ],
)
def test_each_sandbox_decline_is_402_with_its_code(api, number, code):
    invoice = sent(api)

    problem = assert_problem(
        api.post(f"/v1/invoices/{invoice['id']}/pay/card", card(Decimal(1), number)), 402
    )

    assert problem["errors"]["declineCode"] == [code]
    after = api.get(f"/v1/invoices/find/{invoice['id']}").json()
    assert (after["status"], after["transactions"], after["events"][-1]["type"]) == (
        "SENT",
        [],
        "PAYMENT_FAILED",
    )


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("card", card(Decimal(1), "4242424242424241"), "accountNumber"),
        ("card", card(Decimal(1), expirationYear=2021), "expirationYear"),
        ("ach", ach(Decimal(1), routingNumber="110000001"), "routingNumber"),
    ],
)
def test_luhn_expiry_and_routing_errors_are_400(api, route, body, field):
    invoice = sent(api)

    problem = assert_problem(api.post(f"/v1/invoices/{invoice['id']}/pay/{route}", body), 400)

    assert field in problem["errors"]
    assert body["accountNumber"] not in json.dumps(problem)


def wait_for_status(api: ApiClient, invoice_id: str, status: str, event: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        invoice = api.get(f"/v1/invoices/find/{invoice_id}").json()
        if invoice["status"] == status and invoice["events"][-1]["type"] == event:
            return invoice
        assert time.monotonic() < deadline, invoice["events"][-1]
        time.sleep(0.5)


def test_ach_settles_to_paid_and_a_returned_debit_is_reversed(api):
    settles, returned = sent(api), sent(api)

    ach_balance = Decimal(
        str(
            api.get(f"/v1/invoices/{settles['id']}/calculations?paymentMethod=ach").exact_json()[
                "totalAmount"
            ]
        )
    )
    assert api.post(f"/v1/invoices/{settles['id']}/pay/ach", ach(ach_balance)).status == 200
    assert api.post(f"/v1/invoices/{returned['id']}/pay/ach", ach(ach_balance, "000222222227")).status == 200

    assert (
        wait_for_status(api, settles["id"], "PAID", "PAYMENT_ADDED")["transactions"][0]["paymentMethod"]
        == "ACH"
    )
    reversed_ = wait_for_status(api, returned["id"], "SENT", "PAYMENT_RETURNED")
    assert (reversed_["transactions"], reversed_["events"][-1]["errorCode"]) == ([], "R01")


def test_another_tenants_invoice_is_404(api, client_for):
    invoice = sent(api)
    stranger = client_for("e2e-payments-stranger")

    assert_problem(stranger.post(f"/v1/invoices/{invoice['id']}/pay/card", card(Decimal(1))), 404)
    assert_problem(stranger.post(f"/v1/invoices/{invoice['id']}/pay/ach", ach(Decimal(1))), 404)


def test_no_card_or_account_number_anywhere_after_the_run(api, local_stack):
    invoice = sent(api)
    assert api.post(f"/v1/invoices/{invoice['id']}/pay/card", card(Decimal(5))).status == 200
    time.sleep(3)
    options = {"endpoint_url": local_stack.moto_endpoint, "region_name": REGION}
    dynamodb, s3 = boto3.client("dynamodb", **options), boto3.client("s3", **options)
    found = []
    for table in dynamodb.list_tables()["TableNames"]:
        found += [
            json.dumps(item)
            for item in dynamodb.get_paginator("scan").paginate(TableName=table).search("Items")
        ]
    for bucket in s3.list_buckets()["Buckets"]:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for entry in page.get("Contents", []):
                found.append(
                    s3.get_object(Bucket=bucket["Name"], Key=entry["Key"])["Body"].read().decode("latin-1")
                )
    everything = "\n".join([*found, local_stack.output()])
    assert "PAYMENTS" in everything
    for number in NUMBERS:
        assert number not in everything, number
