"""Amounts leave the API as JSON numbers with their exact digits, in every response that carries them.

The functions are called with their events/ samples against moto.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
EXPONENT = re.compile(r"[:,\[]-?\d+(?:\.\d+)?[eE]")
EXACT_ROWS = [
    {"description": "precise", "quantity": "0.000001", "unitPrice": "999999999999.123456"},
    {"description": "round", "quantity": 3, "unitPrice": "400.00"},
]


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "figures": load_function("FiguresFunction"),
    }


def call(
    functions,
    sample: str,
    *,
    invoice_id: str = SAMPLE_ID,
    body: object = ...,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if body is not ...:
        event["body"] = json.dumps(body)
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    return invoke(functions[sample.split("/")[0]], event)


def exact(response: dict[str, Any]) -> Any:
    """The JSON body with every number read as Decimal, as a client that keeps amounts exact reads it."""
    return json.loads(response["body"], parse_float=Decimal, parse_int=Decimal)


def create(functions, **fields: object) -> dict[str, Any]:
    response = call(functions, "invoices/create-invoice.json", body={"currency": "EUR", **fields})
    assert response["statusCode"] == 201, response["body"]
    created: dict[str, Any] = json.loads(response["body"])
    return created


def test_amounts_leave_as_json_numbers_with_their_exact_digits(functions):
    response = call(functions, "invoices/create-invoice.json", body={"currency": "EUR", "rows": EXACT_ROWS})
    text = response["body"]
    invoice = exact(response)

    assert '"unitPrice":999999999999.123456' in text
    assert '"quantity":0.000001' in text
    assert '"total":1200.00' in text
    assert invoice["rows"][0]["unitPrice"] == Decimal("999999999999.123456")
    assert invoice["rows"][0]["total"] == Decimal("1000000.00")
    assert invoice["totalExcludingTax"] == Decimal("1001200.00")


def test_lists_and_idempotent_replays_carry_the_same_exact_numbers(functions):
    key = {"Idempotency-Key": "exact-numbers-1"}
    body = {"currency": "EUR", "rows": EXACT_ROWS}
    first = call(functions, "invoices/create-invoice.json", body=body, headers=key)
    replay = call(functions, "invoices/create-invoice.json", body=body, headers=key)
    listed = call(functions, "invoices/find-all-invoices.json")

    assert replay["body"] == first["body"]
    assert exact(listed)[0]["rows"][0]["unitPrice"] == Decimal("999999999999.123456")
    assert '"unitPrice":999999999999.123456' in listed["body"]


def test_figures_are_exact_numbers(functions):
    invoice = create(functions, rows=[{"quantity": 7, "unitPrice": "142857142857.14"}])
    call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])

    stats = exact(call(functions, "figures/stats.json"))

    assert stats["totalInvoiced"] == Decimal("999999999999.98")
    assert not EXPONENT.search(call(functions, "figures/stats.json")["body"])
