"""Seed 001's invoice routes over HTTP against the local stack."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.client import assert_problem

pytestmark = pytest.mark.e2e

ORDER = {
    "currency": "EUR",
    "invoiceDate": "2026-11-22T00:00:00Z",
    "paymentTermDays": 14,
    "opportunityId": "opp-e2e",
    "additionalNotes": "Danke für Ihren Auftrag — Zahlbar ohne Abzug.",
    "rows": [
        {"description": "Beratung", "quantity": 10, "quantityType": "HOURS", "unitPrice": 120, "taxRate": 19},
        {
            "description": "Widget",
            "quantity": 3,
            "unitPrice": 19.99,
            "discountPercentage": 10,
            "taxRate": 19,
            "total": 1,
            "totalWithTax": 1,
        },
    ],
}


@pytest.fixture(scope="module")
def acme(client_for):
    return client_for("e2e-acme")


@pytest.fixture(scope="module")
def globex(client_for):
    return client_for("e2e-globex")


def created(client, body=ORDER) -> dict:
    response = client.post("/v1/invoices", body)
    assert response.status == 201, response.body
    return response.json()


def test_create_then_read_back(acme):
    invoice = created(acme)

    found = acme.get(f"/v1/invoices/find/{invoice['id']}")

    assert found.status == 200
    assert found.json() == invoice
    assert (invoice["totalExcludingTax"], invoice["totalTax"], invoice["totalWithTax"]) == (
        1253.97,
        238.25,
        1492.22,
    )
    assert invoice["dueDate"] == "2026-12-06T00:00:00Z"
    assert invoice["note"] == "Danke für Ihren Auftrag — Zahlbar ohne Abzug."


def test_create_empty_uses_the_tenants_currency(acme):
    response = acme.post("/v1/invoices/empty")

    assert response.status == 201
    assert (response.json()["currency"], response.json()["status"]) == ("EUR", "DRAFT")


def test_another_tenant_gets_404_exactly_like_a_missing_invoice(acme, globex):
    invoice = created(acme)

    foreign = assert_problem(globex.get(f"/v1/invoices/find/{invoice['id']}"), 404)
    assert_problem(globex.patch(f"/v1/invoices/{invoice['id']}/update", {"note": "mine now"}), 404)
    assert_problem(globex.delete(f"/v1/invoices/{invoice['id']}"), 404)
    missing = assert_problem(acme.get("/v1/invoices/find/does-not-exist"), 404)

    assert foreign["title"] == missing["title"]
    assert acme.get(f"/v1/invoices/find/{invoice['id']}").json()["note"] == ORDER["additionalNotes"]


def test_lists_by_ids_all_and_opportunity(acme, globex):
    first, second = created(acme), created(acme)

    by_ids = acme.get(f"/v1/invoices/find?ids={first['id']}&ids={second['id']}").json()
    by_list = acme.get(f"/v1/invoices/find-list?ids={second['id']},{first['id']}").json()
    everything = acme.get("/v1/invoices/find-all").json()
    by_opportunity = acme.get("/v1/invoices/by-opportunity/opp-e2e").json()

    assert [invoice["id"] for invoice in by_ids] == [first["id"], second["id"]]
    assert [invoice["id"] for invoice in by_list] == [second["id"], first["id"]]
    assert {first["id"], second["id"]} <= {invoice["id"] for invoice in everything}
    assert {first["id"], second["id"]} <= {invoice["id"] for invoice in by_opportunity}
    assert globex.get(f"/v1/invoices/find?ids={first['id']}").json() == []


def test_update_rows_comment_and_opportunity(acme):
    invoice = created(acme)
    base = f"/v1/invoices/{invoice['id']}"

    updated = acme.patch(f"{base}/update", {"paymentTermDays": 30, "shippingAmount": 4.9}).json()
    with_row = acme.post(
        f"{base}/rows", {"description": "Reise", "quantity": 1, "unitPrice": 89.5, "taxRate": 7}
    )
    row_id = with_row.json()["rows"][-1]["id"]
    without_row = acme.delete(f"{base}/rows/{row_id}").json()
    commented = acme.request("POST", f"{base}/comment", raw=b'"Kunde bittet um Bestellnummer."').json()
    linked = acme.patch(f"{base}/link-opportunity/opp-2").json()

    assert updated["dueDate"] == "2026-12-22T00:00:00Z"
    assert updated["total"] == 1497.12
    assert with_row.json()["totalWithTax"] == 1592.89
    assert without_row["totalWithTax"] == 1497.12
    assert commented["events"][-1]["description"] == "Kunde bittet um Bestellnummer."
    assert linked["opportunityId"] == "opp-2"
    assert [event["type"] for event in linked["events"]] == [
        "CREATE",
        "UPDATE",
        "ROW_ADDED",
        "ROW_REMOVED",
        "COMMENT",
        "OPPORTUNITY_LINKED",
    ]


def test_delete_one_and_a_list(acme):
    one, two, three = created(acme), created(acme), created(acme)

    assert acme.delete(f"/v1/invoices/{one['id']}").status == 204
    assert acme.delete(f"/v1/invoices/delete-list?ids={two['id']},{three['id']}").status == 204

    for invoice in (one, two, three):
        assert_problem(acme.get(f"/v1/invoices/find/{invoice['id']}"), 404)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"currency": "EURO"}, {"currency"}),
        ({"currency": "EUR", "rows": [{"quantity": "many", "unitPrice": 1}]}, {"rows[0].quantity"}),
        (
            {"currency": "EUR", "rows": [{"quantity": 1}], "paymentTermDays": "soon"},
            {"rows[0].unitPrice", "paymentTermDays"},
        ),
        ({"currency": "EUR", "note": "x" * 1_000_000}, {"note"}),
        ({"currency": "EUR", "rows": [{"quantity": 1, "unitPrice": 1}] * 100_000}, {"rows"}),
    ],
    ids=["unknown-currency", "wrong-type", "several", "1MB-note", "100k-rows"],
)
def test_bad_input_is_400_naming_each_field(acme, body, fields):
    problem = assert_problem(acme.post("/v1/invoices", body), 400)

    assert set(problem["errors"]) == fields
    assert {name for detail in problem["details"] for name in detail["fields"]} == fields


def test_malformed_json_is_400(acme):
    problem = assert_problem(acme.request("POST", "/v1/invoices", raw=b'{"currency": '), 400)

    assert problem["errors"]


def test_concurrent_updates_never_lose_one(acme):
    invoice = created(acme, {"currency": "EUR"})

    def add_row(number: int) -> int:
        row = {"description": f"row {number}", "quantity": 1, "unitPrice": 1}
        return acme.post(f"/v1/invoices/{invoice['id']}/rows", row).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(add_row, range(8)))

    final = acme.get(f"/v1/invoices/find/{invoice['id']}").json()
    assert set(statuses) <= {200, 409}
    assert len(final["rows"]) == statuses.count(200) >= 1
    assert final["version"] == 1 + statuses.count(200)


@pytest.mark.parametrize("megabytes", [7, 11], ids=["over-lambdas-6MB", "over-api-gateways-10MB"])
def test_an_oversized_body_is_413_in_the_error_body_and_stores_nothing(acme, megabytes):
    before = len(acme.get("/v1/invoices/find-all").json())
    body = {"currency": "EUR", "note": "x" * megabytes * 1_000_000}

    assert_problem(acme.post("/v1/invoices", body), 413)
    assert len(acme.get("/v1/invoices/find-all").json()) == before
