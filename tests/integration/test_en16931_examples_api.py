"""EN 16931 examples recreated through the API: the invoice it answers states the example's totals."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.api import json_numbers
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.en16931_examples import EXAMPLES, read_example
from tests.integration.conftest import invoke, sample_event


@pytest.fixture
def invoices(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return load_function("InvoicesFunction")


def created(function, body: dict) -> dict:
    event = sample_event("invoices/create-invoice.json")
    event["body"] = json_numbers.dumps(body)
    response = invoke(function, event)
    assert response["statusCode"] == 201, response["body"]
    return json.loads(response["body"], parse_float=Decimal)


#: every example an invoice can express: all but the two with a fixed-amount document allowance
#: (an invoice takes its discount as a percentage); a single charge is sent as shipping at its rate
EXPRESSIBLE = [
    "cii/examples/CII-BR-CO-10-RoundingIssue.xml",
    "cii/examples/CII_example1.xml",
    "cii/examples/CII_example3.xml",
    "ubl/examples/ubl-tc434-creditnote1.xml",
    "ubl/examples/ubl-tc434-example1.xml",
    "ubl/examples/ubl-tc434-example3.xml",
]


@pytest.mark.parametrize("path", EXPRESSIBLE)
def test_an_example_created_through_the_api_answers_the_examples_figures(invoices, path):
    example = read_example(EXAMPLES / path)
    charge_as_shipping = bool(example.adjustments)
    body: dict[str, object] = {
        "currency": example.currency,
        "rows": [
            {"quantity": line.quantity, "unitPrice": line.unit_price, "taxRate": line.tax_rate}
            for line in example.lines
        ],
    }
    if charge_as_shipping:
        ((is_charge, amount, rate),) = example.adjustments
        assert is_charge
        body |= {"shippingAmount": amount, "shippingTaxRate": rate}

    invoice = created(invoices, body)

    assert [Decimal(str(row["total"])) for row in invoice["rows"]] == [line.net for line in example.lines]
    assert (invoice["linesTotal"], invoice["totalExcludingTax"], invoice["totalTax"], invoice["total"]) == (
        example.lines_total,
        example.tax_exclusive,
        example.tax_total,
        example.tax_inclusive,
    )
    assert invoice["amountDue"] == example.payable
    assert [(t["rate"], t["taxableAmount"], t["taxAmount"]) for t in invoice["taxBreakdown"]] == list(
        example.breakdown
    )
