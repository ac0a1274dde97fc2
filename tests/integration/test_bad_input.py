"""Bad input is a clear 4xx in the one error body and changes nothing.

The functions are called with their events/ samples against moto.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"
PROBLEM = "application/problem+json"


@pytest.fixture
def functions(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return {
        "invoices": load_function("InvoicesFunction"),
        "lifecycle": load_function("LifecycleFunction"),
        "documents": load_function("DocumentsFunction"),
        "delivery": load_function("DeliveryFunction"),
        "figures": load_function("FiguresFunction"),
    }


def _with_content_type(event: dict, content_type: str) -> dict:
    event["headers"] = {**(event.get("headers") or {}), "Content-Type": content_type}
    event["multiValueHeaders"] = {**(event.get("multiValueHeaders") or {}), "Content-Type": [content_type]}
    return event


def call(
    functions,
    sample: str,
    *,
    invoice_id: str = SAMPLE_ID,
    body: object = ...,
    raw_body: str | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The raw proxy response of a sample aimed at `invoice_id`, with another body or Content-Type."""
    event = json.loads(json.dumps(sample_event(sample)).replace(SAMPLE_ID, invoice_id))
    if body is not ...:
        event["body"] = json.dumps(body)
    if raw_body is not None:
        event["body"] = raw_body
    if content_type is not None:
        event = _with_content_type(event, content_type)
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    return invoke(functions[sample.split("/")[0]], event)


def problem(response: dict[str, Any], status: int) -> dict[str, Any]:
    assert response["statusCode"] == status, response["body"]
    assert response["multiValueHeaders"]["Content-Type"] == [PROBLEM]
    body: dict[str, Any] = json.loads(response["body"])
    assert body["status"] == body["statusCode"] == status
    return body


def sample_body(sample: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(sample_event(sample)["body"])
    return body


def create(functions, **overrides) -> dict[str, Any]:
    response = call(
        functions,
        "invoices/create-invoice.json",
        body=sample_body("invoices/create-invoice.json") | overrides,
    )
    assert response["statusCode"] == 201, response["body"]
    created: dict[str, Any] = json.loads(response["body"])
    return created


def all_invoice_ids(functions) -> list[str]:
    response = call(functions, "invoices/find-all-invoices.json")
    assert response["statusCode"] == 200, response["body"]
    return [invoice["id"] for invoice in json.loads(response["body"])]


# --- content types -----------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_a_json_route_called_with_another_media_type_is_415(functions, content_type):
    response = call(functions, "invoices/create-invoice.json", content_type=content_type)

    refused = problem(response, 415)
    assert "application/json" in refused["detail"]
    assert all_invoice_ids(functions) == []


def test_a_json_update_sent_as_text_is_415_and_changes_nothing(functions):
    invoice = create(functions)

    response = call(
        functions,
        "invoices/update-invoice.json",
        invoice_id=invoice["id"],
        content_type="text/plain; charset=utf-8",
    )
    found = json.loads(call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])["body"])

    problem(response, 415)
    assert found["version"] == invoice["version"]


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; charset=utf-8"],
)
def test_an_upload_without_a_boundary_is_400(functions, content_type):
    invoice = create(functions)

    response = call(
        functions, "documents/upload-attachments.json", invoice_id=invoice["id"], content_type=content_type
    )

    assert "boundary" in problem(response, 400)["detail"]


def test_an_upload_whose_base64_body_is_not_base64_is_400(functions):
    invoice = create(functions)

    response = call(functions, "documents/upload-attachments.json", invoice_id=invoice["id"], raw_body="abc")

    assert "body" in problem(response, 400)["errors"]


def test_a_send_without_a_boundary_is_400(functions):
    invoice = create(functions, contactEmail="ap@globex.test")
    body = base64.b64encode(b'--x\r\nContent-Disposition: form-data; name="pdf"\r\n\r\n%PDF\r\n--x--\r\n')

    response = call(
        functions,
        "delivery/send.json",
        invoice_id=invoice["id"],
        raw_body=body.decode(),
        content_type="multipart/form-data",
        headers={},
    )

    assert "boundary" in problem(response, 400)["detail"]


# --- numbers and JSON --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw_body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"currency": "EUR", "paymentTermDays": ' + "9" * 5_000 + "}",
        '{"currency": "EUR", "shippingAmount": NaN}',
        '{"currency": "EUR", "shippingAmount": Infinity}',
        '{"currency": "EUR",',
    ],
    ids=["deeply-nested", "5000-digit-integer", "nan", "infinity", "truncated"],
)
def test_a_body_that_is_not_json_is_400_naming_the_body(functions, raw_body):
    refused = problem(call(functions, "invoices/create-invoice.json", raw_body=raw_body), 400)

    assert "body" in refused["errors"]
    assert all_invoice_ids(functions) == []


@pytest.mark.parametrize("amount", ["1e30", "1e999999", "-1e999999", "1000000000000.01"])
def test_a_payment_beyond_the_bound_is_400_naming_the_amount(functions, amount):
    invoice = create(functions)
    call(functions, "lifecycle/mark-as-sent.json", invoice_id=invoice["id"])

    response = call(
        functions, "lifecycle/add-payment.json", invoice_id=invoice["id"], raw_body=f'{{"amount": {amount}}}'
    )
    found = json.loads(call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])["body"])

    assert "amount" in problem(response, 400)["errors"]
    assert found["transactions"] == []


def test_a_row_total_beyond_the_bound_is_400_naming_the_row(functions):
    rows = [
        {"description": "small", "quantity": 1, "unitPrice": 10},
        {"description": "huge", "quantity": 999999, "unitPrice": 999999999999.99},
    ]

    response = call(functions, "invoices/create-invoice.json", body={"currency": "EUR", "rows": rows})

    refused = problem(response, 400)
    assert "rows[1].total" in refused["errors"]
    assert "rows[0].total" not in refused["errors"]
    assert all_invoice_ids(functions) == []


def test_an_invoice_total_beyond_the_bound_is_400_naming_the_total(functions):
    rows = [{"quantity": 1, "unitPrice": 600_000_000_000}, {"quantity": 1, "unitPrice": 600_000_000_000}]

    refused = problem(
        call(functions, "invoices/create-invoice.json", body={"currency": "EUR", "rows": rows}), 400
    )

    assert "total" in refused["errors"]
    assert not any(name.startswith("rows") for name in refused["errors"])


def test_an_update_and_a_new_row_are_bounded_too(functions):
    invoice = create(functions, rows=[{"quantity": 1, "unitPrice": 999_999_999_999}])

    updated = call(
        functions, "invoices/update-invoice.json", invoice_id=invoice["id"], body={"shippingAmount": 2}
    )
    added = call(
        functions, "invoices/add-row.json", invoice_id=invoice["id"], body={"quantity": 1, "unitPrice": 2}
    )
    found = json.loads(call(functions, "invoices/find-invoice.json", invoice_id=invoice["id"])["body"])

    assert "total" in problem(updated, 400)["errors"]
    assert "total" in problem(added, 400)["errors"]
    assert found["version"] == invoice["version"]
