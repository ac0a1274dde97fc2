"""Amounts leave the API as JSON numbers with their exact digits, in every response that carries them.

The functions are called with their events/ samples against moto.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from tests.integration.test_bad_input import call, functions

__all__ = ["functions"]

EXPONENT = re.compile(r"[:,\[]-?\d+(?:\.\d+)?[eE]")
EXACT_ROWS = [
    {"description": "precise", "quantity": "0.000001", "unitPrice": "999999999999.123456"},
    {"description": "round", "quantity": 3, "unitPrice": "400.00"},
]


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
