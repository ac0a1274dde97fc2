"""Bad input over HTTP against the local stack: a clear 4xx in the one error body; amounts exact."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from tests.e2e.client import assert_problem

pytestmark = pytest.mark.e2e

ORDER = {
    "currency": "EUR",
    "rows": [
        {"description": "precise", "quantity": "0.000001", "unitPrice": "999999999999.123456"},
        {"description": "round", "quantity": 3, "unitPrice": "400.00"},
    ],
}


def test_a_json_route_called_with_text_plain_is_415(client_for):
    client = client_for("bad-input-e2e")
    before = len(client.get("/v1/invoices/find-all").json())

    as_text = dataclasses.replace(client, extra_headers={"Content-Type": "text/plain"})

    response = as_text.request("POST", "/v1/invoices", raw=b'{"currency": "EUR"}')

    problem = assert_problem(response, 415)
    assert "application/json" in problem["detail"]
    assert len(client.get("/v1/invoices/find-all").json()) == before


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_an_undeclared_method_is_answered_in_the_error_body_not_an_html_page(client_for, method):
    client = client_for("bad-input-e2e")

    response = client.request(method, "/v1/invoices")

    problem = assert_problem(response, 404)
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert method in problem["detail"]


def test_amounts_leave_the_api_as_exact_json_numbers(client_for):
    client = client_for("bad-input-e2e")

    created = client.post("/v1/invoices", ORDER)
    found = client.get(f"/v1/invoices/find/{created.json()['id']}")

    assert created.status == 201, created.body
    for response in (created, found):
        assert b'"unitPrice":999999999999.123456' in response.body
        assert not re.search(rb"[:,\[]-?\d+(?:\.\d+)?[eE]", response.body)
        invoice = response.exact_json()
        assert invoice["rows"][0]["unitPrice"] == Decimal("999999999999.123456")
        assert invoice["rows"][1]["total"] == Decimal("1200.00")
        assert invoice["totalExcludingTax"] == Decimal("1001200.00")
