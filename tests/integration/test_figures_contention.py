"""Parallel writes in one tenant under the transaction conflicts and throttling DynamoDB raises.

Every invoice transaction moves the tenant's figures; on DynamoDB two transactions on one item at
once are cancelled with TransactionConflict. moto never does that, so the `dynamodb_faults` fixture
makes it. Each request runs in its own function module, as concurrent requests run in their own
Lambda containers.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.adapters.invoice_store import DynamoInvoiceRepository
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.errors import InvoiceChanged
from invoicing.invoices import edits, kernel
from invoicing.invoices.model import InvoiceCreate, InvoiceFields, RowInput
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
PARALLEL = 50
ACTOR = kernel.Actor(tenant_id="acme", subject="alice")


@pytest.fixture
def tenant(deployment):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return "acme"


def event(sample: str, invoice_id: str = SAMPLE_ID, body: object = ...) -> dict:
    request = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if body is not ...:
        request["body"] = json.dumps(body)
    return request


def in_parallel(load_function, logical_id: str, events: list[dict]) -> list[tuple[int, dict | None]]:
    """Each event through its own fresh copy of the function, all at once."""
    modules = [load_function(logical_id) for _ in events]

    def call(pair: tuple[object, dict]) -> tuple[int, dict | None]:
        module, request = pair
        response = invoke(module, request)
        return response["statusCode"], json.loads(response["body"]) if response.get("body") else None

    with ThreadPoolExecutor(max_workers=len(events)) as pool:
        return list(pool.map(call, zip(modules, events, strict=True)))


def figures(load_function, sample: str) -> dict:
    response = invoke(load_function("FiguresFunction"), sample_event(sample))
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])


@pytest.mark.usefixtures("tenant")
def test_fifty_parallel_creates_under_transaction_conflicts_all_succeed_and_count_exactly(
    load_function, dynamodb_faults
):
    dynamodb_faults.fail("TransactWriteItems", "TransactionConflict", share=0.5, times=80)

    answers = in_parallel(
        load_function, "InvoicesFunction", [event("invoices/create-invoice.json")] * PARALLEL
    )

    assert [status for status, _ in answers] == [201] * PARALLEL
    assert len({invoice["id"] for _, invoice in answers}) == PARALLEL
    assert dynamodb_faults.injected["TransactWriteItems"] >= PARALLEL // 4
    assert figures(load_function, "figures/count-by-status.json")["DRAFT"] == PARALLEL


@pytest.mark.usefixtures("tenant")
def test_parallel_publishing_paying_cancelling_and_deleting_under_conflicts_keep_the_totals_exact(
    load_function, dynamodb_faults
):
    created = in_parallel(load_function, "InvoicesFunction", [event("invoices/create-invoice.json")] * 20)
    ids = [invoice["id"] for _, invoice in created]
    dynamodb_faults.fail("TransactWriteItems", "TransactionConflict", share=0.4, times=60)

    sent = in_parallel(
        load_function, "LifecycleFunction", [event("lifecycle/mark-as-sent.json", i) for i in ids[:15]]
    )
    payment = {"amount": 100, "paymentMethod": "BANK_TRANSFER"}
    changes = in_parallel(
        load_function,
        "LifecycleFunction",
        [event("lifecycle/add-payment.json", i, payment) for i in ids[:10]]
        + [event("lifecycle/cancel.json", i) for i in ids[10:15]],
    )
    deleted = in_parallel(
        load_function, "InvoicesFunction", [event("invoices/delete-invoice.json", i) for i in ids[15:]]
    )

    assert [status for status, _ in sent + changes] == [200] * 30
    assert [status for status, _ in deleted] == [204] * 5
    total = Decimal(str(sent[0][1]["total"]))
    stats = figures(load_function, "figures/stats.json")
    assert {status: count for status, count in stats["countByStatus"].items() if count} == {
        "PARTIALLY_PAID": 10,
        "CANCELLED": 5,
    }
    assert Decimal(str(stats["totalInvoiced"])) == 10 * total
    assert Decimal(str(stats["totalPaid"])) == 1000
    assert Decimal(str(stats["totalOutstanding"])) == 10 * total - 1000
    assert dynamodb_faults.injected["TransactWriteItems"] > 0


@pytest.mark.usefixtures("tenant")
def test_throttled_writes_are_retried_and_answer_503_when_throttling_outlasts_the_retries(
    load_function, dynamodb_faults
):
    invoices = load_function("InvoicesFunction")
    dynamodb_faults.fail("TransactWriteItems", "ThrottlingError", times=3)
    recovered = invoke(invoices, event("invoices/create-invoice.json"))
    dynamodb_faults.fail("TransactWriteItems", "ThrottlingException", share=1.0)
    throttled = invoke(invoices, event("invoices/create-invoice.json"))

    assert recovered["statusCode"] == 201
    assert throttled["statusCode"] == 503
    assert json.loads(throttled["body"])["status"] == 503
    dynamodb_faults.clear()
    assert figures(load_function, "figures/count-by-status.json")["DRAFT"] == 1


def test_a_resent_transaction_still_loses_to_the_change_that_won_meanwhile(deployment, dynamodb_faults):
    repository = DynamoInvoiceRepository(deployment.ref("InvoicingTable"))
    body = InvoiceCreate(currency="EUR", rows=[RowInput(quantity=Decimal(1), unitPrice=Decimal(5))])
    change = edits.create_invoice(body, actor=ACTOR, now=datetime.now(UTC))
    original = repository.create(change.invoice, change.event)
    first = edits.update_invoice(original, InvoiceFields(note="first"), actor=ACTOR, now=datetime.now(UTC))
    late = edits.update_invoice(original, InvoiceFields(note="late"), actor=ACTOR, now=datetime.now(UTC))
    repository.save(first.invoice, first.event, previous=original)
    dynamodb_faults.fail("TransactWriteItems", "TransactionConflict", times=2)

    with pytest.raises(InvoiceChanged):
        repository.save(late.invoice, late.event, previous=original)

    assert dynamodb_faults.injected["TransactWriteItems"] == 2
    assert repository.get("acme", original.id).note == "first"
