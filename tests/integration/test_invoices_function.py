"""The invoices function, called with the events/invoices samples against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant
from tests.integration.conftest import invoke, sample_event

SAMPLE_ID = "3f2b8c1e-6d4a-4f7b-9a2c-1e5d7b9c0a11"


@pytest.fixture
def invoices(deployment, load_function):
    repository = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(
        repository, NewTenant("acme", "Acme GmbH", "EUR", "billing@acme.test"), now=datetime.now(UTC)
    )
    return load_function("InvoicesFunction")


def call(
    function,
    name: str,
    *,
    invoice_id: str | None = None,
    row_id: str | None = None,
    tenant: str = "acme",
    scopes: str | None = None,
    body: object = ...,
    raw_body: str | None = None,
) -> tuple[int, dict | list | None, dict]:
    """Invoke with a sample event, aimed at `invoice_id` / `row_id` instead of the sample's ids."""
    text = json.dumps(sample_event(f"invoices/{name}"))
    if invoice_id:
        text = text.replace(SAMPLE_ID, invoice_id)
    if row_id:
        text = text.replace("row-1", row_id)
    event = json.loads(text)
    event["requestContext"]["authorizer"]["tenantId"] = tenant
    if scopes is not None:
        event["requestContext"]["authorizer"]["scopes"] = scopes
    if body is not ...:
        event["body"] = json.dumps(body)
    if raw_body is not None:
        event["body"] = raw_body
    response = invoke(function, event)
    payload = json.loads(response["body"]) if response.get("body") else None
    headers = {name: values[-1] for name, values in response.get("multiValueHeaders", {}).items()}
    return response["statusCode"], payload, headers


def create(function, **overrides) -> dict:
    body = sample_event("invoices/create-invoice.json")["body"]
    status, invoice, _ = call(function, "create-invoice.json", body=json.loads(body) | overrides)
    assert status == 201, invoice
    return invoice


def test_create_computes_every_figure_and_ignores_client_totals(invoices):
    status, invoice, headers = call(invoices, "create-invoice.json")

    assert status == 201
    assert headers["Location"] == f"/v1/invoices/find/{invoice['id']}"
    assert invoice["status"] == "DRAFT"
    assert invoice["invoiceNumber"] is None
    assert [(row["total"], row["taxAmount"], row["totalWithTax"]) for row in invoice["rows"]] == [
        (1200.0, 228.0, 1428.0),
        (53.97, 10.25, 64.22),
    ]
    assert (invoice["totalExcludingTax"], invoice["totalTax"], invoice["totalWithTax"]) == (
        1253.97,
        238.25,
        1492.22,
    )
    assert invoice["total"] == 1492.22
    assert invoice["dueDate"] == "2026-12-06T00:00:00Z"
    assert invoice["customer"]["companyName"] == "Globex Corporation"
    assert invoice["tenantId"] == "acme"
    assert [event["type"] for event in invoice["events"]] == ["CREATE"]
    assert invoice["events"][0]["authorId"] == "alice@acme.test"


def test_an_empty_invoice_is_a_draft_in_the_tenants_currency(invoices):
    status, invoice, _ = call(invoices, "create-empty-invoice.json")

    assert status == 201
    assert (invoice["status"], invoice["currency"], invoice["rows"], invoice["total"]) == (
        "DRAFT",
        "EUR",
        [],
        0.0,
    )


def test_an_invoice_reads_back_as_created(invoices):
    created = create(invoices)

    status, found, _ = call(invoices, "find-invoice.json", invoice_id=created["id"])

    assert status == 200
    assert found == created


def test_another_tenants_invoice_is_not_found_exactly_like_a_missing_one(invoices):
    created = create(invoices)

    status, problem, headers = call(invoices, "find-invoice.json", invoice_id=created["id"], tenant="globex")
    missing_status, missing, _ = call(invoices, "find-invoice.json", invoice_id="no-such-invoice")

    assert (status, missing_status) == (404, 404)
    assert headers["Content-Type"] == "application/problem+json"
    assert problem["title"] == missing["title"] == "Not Found"
    assert created["id"] in problem["detail"]


def test_find_by_ids_returns_the_existing_ones_in_order(invoices):
    first, second = create(invoices), create(invoices)

    status, found, _ = call(invoices, "find-invoices.json", invoice_id=second["id"])
    _, listed, _ = call(invoices, "find-invoice-list.json", invoice_id=first["id"])

    assert status == 200
    assert [invoice["id"] for invoice in found] == [second["id"]]
    assert [invoice["id"] for invoice in listed] == [first["id"]]
    assert found[0]["rows"] == second["rows"]


def test_find_all_and_by_opportunity_list_the_tenants_invoices(invoices):
    mine = {create(invoices)["id"], create(invoices, opportunityId="opp-7")["id"]}

    _, everything, _ = call(invoices, "find-all-invoices.json")
    _, by_opportunity, _ = call(invoices, "find-by-opportunity.json")
    _, others, _ = call(invoices, "find-all-invoices.json", tenant="globex")

    assert {invoice["id"] for invoice in everything} == mine
    assert len(by_opportunity) == 1
    assert by_opportunity[0]["opportunityId"] == "opp-42"
    assert others == []


def test_update_recomputes_derived_fields_and_records_an_event(invoices):
    created = create(invoices)

    status, updated, _ = call(invoices, "update-invoice.json", invoice_id=created["id"])

    assert status == 200
    assert updated["paymentTermDays"] == 30
    assert updated["dueDate"] == "2026-12-22T00:00:00Z"
    assert updated["note"] == updated["additionalNotes"] == "Payable by bank transfer."
    assert updated["shippingAmount"] == 4.9
    assert updated["total"] == 1497.12
    assert updated["version"] == created["version"] + 1
    assert [event["type"] for event in updated["events"]] == ["CREATE", "UPDATE"]


def test_rows_are_added_and_removed_with_totals_following(invoices):
    created = create(invoices)

    _, with_row, _ = call(invoices, "add-row.json", invoice_id=created["id"])
    added = with_row["rows"][-1]
    status, without, _ = call(invoices, "remove-row.json", invoice_id=created["id"], row_id=added["id"])

    assert (added["total"], added["taxAmount"]) == (89.5, 6.27)
    assert with_row["totalWithTax"] == created["totalWithTax"] + 95.77
    assert status == 200
    assert without["totalWithTax"] == created["totalWithTax"]
    assert [event["type"] for event in without["events"]] == ["CREATE", "ROW_ADDED", "ROW_REMOVED"]


def test_removing_a_row_that_does_not_exist_is_404(invoices):
    created = create(invoices)

    status, problem, _ = call(invoices, "remove-row.json", invoice_id=created["id"])

    assert status == 404
    assert "row-1" in problem["detail"]


def test_a_comment_is_an_event_with_its_text(invoices):
    created = create(invoices)

    _, commented, _ = call(invoices, "add-comment.json", invoice_id=created["id"])

    assert commented["events"][-1]["type"] == "COMMENT"
    assert commented["events"][-1]["description"] == "Customer asked for a PO number."


def test_linking_an_opportunity(invoices):
    created = create(invoices)

    _, linked, _ = call(invoices, "link-opportunity.json", invoice_id=created["id"])

    assert linked["opportunityId"] == "opp-77"
    assert linked["events"][-1]["type"] == "OPPORTUNITY_LINKED"


def test_deleted_invoices_are_gone(invoices):
    one, two = create(invoices), create(invoices)

    status, body, _ = call(invoices, "delete-invoice.json", invoice_id=one["id"])
    list_status, _, _ = call(invoices, "delete-invoices.json", invoice_id=two["id"])

    assert (status, body, list_status) == (204, None, 204)
    assert call(invoices, "find-invoice.json", invoice_id=one["id"])[0] == 404
    assert call(invoices, "find-invoice.json", invoice_id=two["id"])[0] == 404


def test_a_read_only_caller_cannot_write(invoices):
    status, problem, _ = call(invoices, "create-invoice.json", scopes="invoices:read")

    assert status == 403
    assert "invoices:write" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "XXX", "rows": []}, "currency"),
        ({"currency": "EUR", "rows": [{"quantity": "lots", "unitPrice": 1}]}, "rows[0].quantity"),
        ({"currency": "EUR", "rows": [{"quantity": 1}]}, "rows[0].unitPrice"),
        ({"currency": "EUR", "paymentTermDays": -1}, "paymentTermDays"),
        ({"currency": "EUR", "note": "x" * 1_000_000}, "note"),
        ({"currency": "EUR", "rows": [{"quantity": 1, "unitPrice": 1}] * 1001}, "rows"),
        ({"currency": "EUR", "contactEmail": "not-an-address"}, "contactEmail"),
        ({"currency": "EUR", "rows": [{"quantity": 1, "unitPrice": 1, "taxRate": 101}]}, "rows[0].taxRate"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(invoices, body, field):
    status, problem, headers = call(invoices, "create-invoice.json", body=body)

    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert field in problem["errors"]
    assert any(field in detail["fields"] for detail in problem["details"])
    assert call(invoices, "find-all-invoices.json")[1] == []


def test_malformed_json_is_400(invoices):
    status, problem, _ = call(invoices, "create-invoice.json", raw_body='{"currency": "EUR",')

    assert status == 400
    assert problem["status"] == 400
