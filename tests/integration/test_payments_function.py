"""The payments function, called with the events/payments samples against moto, with the built-in
sandbox processor: card payments (funding types, declines, the amount, never twice), ACH settled and
returned through signed webhook events, and no card data at rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import boto3
import pytest

from invoicing.adapters.payment_records import DynamoPaymentRecords
from invoicing.adapters.sandbox_processor import EVENTS_KEY, signature_for
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.invoices.enums import PaymentMethod
from invoicing.payments.records import Reservation
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
CARD_NUMBERS = (
    "4242424242424242", "4242424242424241", "4000056655665556", "4000000000000002", "4000000000009995",
)  # fmt: skip
ACH_NUMBERS = ("110000000", "000123456789", "000222222227", "000111111116")


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    for tenant in ("acme", "globex"):
        new_tenant = NewTenant(tenant, tenant.title(), "EUR", f"billing@{tenant}.test")
        ensure_tenant(repository, new_tenant, now=datetime.now(UTC))
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "settings": load_function("SettingsFunction"),
        "payments": load_function("PaymentsFunction"),
    }


def call(functions, sample, *, invoice_id=SAMPLE_ID, body=..., tenant="acme", headers=None):
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if event["requestContext"].get("authorizer"):
        event["requestContext"]["authorizer"]["tenantId"] = tenant
    if body is not ...:
        event["body"] = json.dumps(body)
    event["headers"].pop("Idempotency-Key", None)
    event["multiValueHeaders"].pop("Idempotency-Key", None)
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    response = invoke(functions[sample.split("/")[0]], event)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def sent_invoice(functions, tenant="acme") -> dict:
    body = json.loads(sample_event("invoices/create-invoice.json")["body"])
    status, invoice = call(functions, "invoices/create-invoice.json", body=body, tenant=tenant)
    assert status == 201, invoice
    status, invoice = call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"], tenant=tenant)
    assert status == 200, invoice
    return invoice


def read(functions, invoice_id, tenant="acme") -> dict:
    status, invoice = call(functions, "invoices/find-invoice.json", invoice_id=invoice_id, tenant=tenant)
    assert status == 200, invoice
    return invoice


def card_body(amount, number="4242424242424242", **changes) -> dict:
    body = json.loads(sample_event("payments/pay-card.json")["body"])
    return (
        body | {"totalAmount": float(amount), "accountNumber": number, "savePaymentMethod": False} | changes
    )


def ach_body(amount, account="000123456789", **changes) -> dict:
    body = json.loads(sample_event("payments/pay-ach.json")["body"])
    return body | {"totalAmount": float(amount), "accountNumber": account} | changes


def set_surcharge(functions, percentage) -> None:
    event = sample_event("settings/patch-settings.json")
    event["body"] = json.dumps({"payments": {"creditCardSurchargePercentage": percentage}})
    response = invoke(functions["settings"], event)
    assert response["statusCode"] == 200, response["body"]


def test_a_credit_card_pays_the_invoice_and_records_the_processor_transaction(functions):
    invoice = sent_invoice(functions)
    total = Decimal(str(invoice["total"]))

    status, answer = call(
        functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(total)
    )

    assert (status, answer) == (
        200,
        {"success": True, "paymentMethodCreated": False, "customerInfoSaved": False},
    )
    paid = read(functions, invoice["id"])
    assert paid["status"] == "PAID"
    [transaction] = paid["transactions"]
    assert transaction["paymentMethod"] == "CREDIT_CARD"
    assert transaction["processorTransactionId"].startswith("ch_sandbox_")
    assert Decimal(str(transaction["amount"])) == total
    assert paid["events"][-1]["type"] == "PAYMENT_ADDED"


def test_the_surcharge_applies_to_credit_cards_only(functions):
    set_surcharge(functions, 3)
    invoice = sent_invoice(functions)
    total = Decimal(str(invoice["total"]))
    with_surcharge = total + (total * 3 / 100).quantize(Decimal("0.01"))

    status, refused = call(
        functions,
        "payments/pay-card.json",
        invoice_id=invoice["id"],
        body=card_body(with_surcharge + Decimal("0.01")),
    )
    assert status == 422
    assert refused["errors"]["totalAmount"] == [
        f"Expected {with_surcharge} (or less, for a partial payment)."
    ]

    status, _ = call(
        functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(with_surcharge)
    )
    assert status == 200
    [transaction] = read(functions, invoice["id"])["transactions"]
    assert Decimal(str(transaction["surchargeAmount"])) == with_surcharge - total
    assert Decimal(str(transaction["amount"])) == total

    debit = sent_invoice(functions)
    status, refused = call(
        functions,
        "payments/pay-card.json",
        invoice_id=debit["id"],
        body=card_body(with_surcharge, "4000056655665556"),
    )
    assert status == 422
    status, _ = call(
        functions, "payments/pay-card.json", invoice_id=debit["id"], body=card_body(total, "4000056655665556")
    )
    assert status == 200
    [transaction] = read(functions, debit["id"])["transactions"]
    assert transaction["paymentMethod"] == "DEBIT_CARD"
    assert Decimal(str(transaction["surchargeAmount"])) == 0


def test_a_partial_amount_is_a_partial_payment(functions):
    invoice = sent_invoice(functions)

    status, _ = call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(10))

    assert status == 200
    partly = read(functions, invoice["id"])
    assert partly["status"] == "PARTIALLY_PAID"
    assert Decimal(str(partly["paid"])) == 10


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000127", "incorrect_cvc"),
    ],
)
def test_a_decline_is_402_with_the_code_and_a_failed_history_entry(functions, number, code):
    invoice = sent_invoice(functions)
    before = read(functions, invoice["id"])

    status, problem = call(
        functions,
        "payments/pay-card.json",
        invoice_id=invoice["id"],
        body=card_body(invoice["total"], number),
    )

    assert status == 402
    assert problem["errors"]["declineCode"] == [code]
    assert number not in json.dumps(problem)
    after = read(functions, invoice["id"])
    assert (after["status"], after["transactions"], after["paid"]) == ("SENT", [], before["paid"])
    assert after["events"][-1]["type"] == "PAYMENT_FAILED"
    assert after["events"][-1]["errorCode"] == code
    status, _ = call(
        functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(invoice["total"])
    )
    assert status == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accountNumber": "4242424242424241"}, "accountNumber"),
        ({"expirationYear": 2020}, "expirationYear"),
        ({"expirationMonth": 13}, "expirationMonth"),
        ({"securityCode": "12"}, "securityCode"),
        ({"accountNumber": 4242424242424241}, "accountNumber"),
    ],
)
def test_bad_cards_are_400_naming_the_field_and_never_echo_it(functions, changes, field):
    invoice = sent_invoice(functions)

    status, problem = call(
        functions,
        "payments/pay-card.json",
        invoice_id=invoice["id"],
        body=card_body(invoice["total"], **changes),
    )

    assert status == 400
    assert field in problem["errors"]
    assert "424242424242424" not in json.dumps(problem)
    assert read(functions, invoice["id"])["events"][-1]["type"] == "STATUS_CHANGED"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"routingNumber": "110000001"}, "routingNumber"),
        ({"accountNumber": "123"}, "accountNumber"),
        ({"authorizeBankWithdrawal": False}, "authorizeBankWithdrawal"),
    ],
)
def test_bad_bank_accounts_are_400_naming_the_field(functions, changes, field):
    invoice = sent_invoice(functions)

    status, problem = call(
        functions, "payments/pay-ach.json", invoice_id=invoice["id"], body=ach_body(1, **changes)
    )

    assert status == 400
    assert list(problem["errors"]) == [field]


def test_only_published_unpaid_invoices_of_the_tenant_can_be_paid(functions):
    body = json.loads(sample_event("invoices/create-invoice.json")["body"])
    _, draft = call(functions, "invoices/create-invoice.json", body=body)
    assert call(functions, "payments/pay-card.json", invoice_id=draft["id"], body=card_body(1))[0] == 409
    invoice = sent_invoice(functions)
    assert (
        call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(invoice["total"]))[
            0
        ]
        == 200
    )
    assert call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(1))[0] == 409
    theirs = sent_invoice(functions, tenant="globex")
    assert call(functions, "payments/pay-card.json", invoice_id=theirs["id"], body=card_body(1))[0] == 404


def test_a_repeat_with_the_same_idempotency_key_charges_once(functions):
    invoice = sent_invoice(functions)
    headers = {"Idempotency-Key": "pay-once-1"}

    first = call(
        functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(10), headers=headers
    )
    second = call(
        functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(10), headers=headers
    )

    assert first == second
    assert first[0] == 200
    assert len(read(functions, invoice["id"])["transactions"]) == 1


def test_a_held_reservation_is_409_and_one_left_by_a_crash_is_resolved_with_the_processor(
    deployment, functions
):
    invoice = sent_invoice(functions)
    records = DynamoPaymentRecords(deployment.ref("InvoicingTable"))
    now = datetime.now(UTC)
    held = Reservation(
        "acme", invoice["id"], "attempt-1", "key-1", PaymentMethod.CREDIT_CARD, Decimal(10), now
    )
    records.reserve(held)

    status, problem = call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(10))
    assert status == 409, problem

    crashed = Reservation(
        "acme",
        invoice["id"],
        "attempt-2",
        "key-2",
        PaymentMethod.CREDIT_CARD,
        Decimal(10),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    records.reserve(crashed, replacing=held)
    status, _ = call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(10))
    assert status == 200
    assert records.reservation("acme", invoice["id"]) is None


def deliver_sandbox_events(deployment, functions) -> int:
    """What the local stack does: each queued event POSTed to the webhook, signed as queued."""
    table = boto3.resource("dynamodb").Table(deployment.ref("InvoicingTable"))
    items = table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": EVENTS_KEY})[
        "Items"
    ]
    for item in items:
        data = json.loads(item["data"])
        event = sample_event("payments/processor-event.json")
        event["body"] = data["payload"]
        event["headers"]["Payment-Signature"] = data["signature"]
        payload = json.loads(data["payload"])
        signed = signature_for(
            data["payload"].encode(), _secret(deployment), datetime.fromisoformat(payload["created"])
        )
        assert signed == data["signature"]
        event["headers"]["Payment-Signature"] = signature_for(
            data["payload"].encode(), _secret(deployment), datetime.now(UTC)
        )
        response = invoke(functions["payments"], event)
        assert response["statusCode"] == 200, response["body"]
        table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    return len(items)


def _secret(deployment) -> str:
    client = boto3.client("secretsmanager")
    return client.get_secret_value(SecretId=deployment.ref("PaymentWebhookSecret"))["SecretString"]


def test_ach_is_pending_until_it_settles_and_a_return_reverses_it(deployment, functions):
    settled, returned = sent_invoice(functions), sent_invoice(functions)

    assert (
        call(functions, "payments/pay-ach.json", invoice_id=settled["id"], body=ach_body(settled["total"]))[0]
        == 200
    )
    status, _ = call(
        functions,
        "payments/pay-ach.json",
        invoice_id=returned["id"],
        body=ach_body(returned["total"], "000222222227"),
    )
    assert status == 200
    pending = read(functions, settled["id"])
    assert (pending["status"], pending["events"][-1]["type"]) == ("SENT", "PAYMENT_PENDING")
    assert call(functions, "payments/pay-card.json", invoice_id=settled["id"], body=card_body(1))[0] == 409

    assert deliver_sandbox_events(deployment, functions) == 3
    assert deliver_sandbox_events(deployment, functions) == 0

    paid = read(functions, settled["id"])
    assert paid["status"] == "PAID"
    assert paid["transactions"][0]["paymentMethod"] == "ACH"
    reversed_ = read(functions, returned["id"])
    assert (reversed_["status"], reversed_["transactions"]) == ("SENT", [])
    assert reversed_["events"][-1]["type"] == "PAYMENT_RETURNED"
    assert reversed_["events"][-1]["errorCode"] == "R01"


def test_an_account_that_does_not_exist_is_declined(functions):
    invoice = sent_invoice(functions)

    status, problem = call(
        functions, "payments/pay-ach.json", invoice_id=invoice["id"], body=ach_body(1, "000111111116")
    )

    assert status == 402
    assert problem["errors"]["declineCode"] == ["no_account"]


def test_a_forged_event_is_401(functions):
    status, problem = call(functions, "payments/processor-event.json")

    assert status == 401, problem


def test_no_card_or_account_number_is_at_rest_or_logged(deployment, functions, capsys):
    invoice, other = sent_invoice(functions), sent_invoice(functions)
    headers = {"Idempotency-Key": "no-card-data"}
    call(
        functions,
        "payments/pay-card.json",
        invoice_id=invoice["id"],
        body=card_body(10, savePaymentMethod=True),
        headers=headers,
    )
    call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(1, "4000000000000002"))
    call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(1, "4000000000009995"))
    call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(1, "4242424242424241"))
    call(functions, "payments/pay-card.json", invoice_id=invoice["id"], body=card_body(1, 4242424242424241))
    call(
        functions,
        "payments/pay-ach.json",
        invoice_id=other["id"],
        body=ach_body(1, savePaymentMethod=True, saveCustomerInfo=True),
        headers=headers,
    )
    call(functions, "payments/pay-ach.json", invoice_id=other["id"], body=ach_body(1, "000222222227"))
    deliver_sandbox_events(deployment, functions)

    dynamodb = boto3.client("dynamodb")
    stored = []
    for table in dynamodb.list_tables()["TableNames"]:
        stored += [
            json.dumps(item)
            for item in dynamodb.get_paginator("scan").paginate(TableName=table).search("Items")
        ]
    s3 = boto3.client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for entry in page.get("Contents", []):
                stored.append(
                    s3.get_object(Bucket=bucket["Name"], Key=entry["Key"])["Body"].read().decode("latin-1")
                )
    captured = capsys.readouterr()
    everything = "\n".join([*stored, captured.out, captured.err])
    for record in ("CHARGE#", "PAYMENTMETHOD#", "ACHAUTH#", "PAYER"):
        assert record in everything
    for number in (*CARD_NUMBERS, *ACH_NUMBERS, '"securityCode"'):
        assert number not in everything
