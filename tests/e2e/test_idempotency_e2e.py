"""Idempotency-Key on writes, over HTTP against the local stack."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace

import pytest

from tests.e2e.client import assert_problem

pytestmark = pytest.mark.e2e

ORDER = {"currency": "EUR", "rows": [{"description": "Service", "quantity": 1, "unitPrice": 5}]}


@pytest.fixture(scope="module")
def client(client_for):
    return client_for("e2e-idempotency")


def with_key(client, key: str):
    return replace(client, extra_headers={"Idempotency-Key": key})


def count(client) -> int:
    return len(client.get("/v1/invoices/find-all").json())


def test_a_repeat_with_the_same_key_answers_the_first_response_and_creates_nothing_more(client):
    keyed = with_key(client, str(uuid.uuid4()))
    before = count(client)

    first = keyed.post("/v1/invoices", ORDER)
    again = keyed.post("/v1/invoices", ORDER)

    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body
    assert count(client) == before + 1


def test_the_same_key_with_another_body_is_422(client):
    keyed = with_key(client, str(uuid.uuid4()))
    keyed.post("/v1/invoices", ORDER)

    problem = assert_problem(keyed.post("/v1/invoices", {**ORDER, "note": "different"}), 422)

    assert "Idempotency-Key" in problem["errors"]


def test_a_refused_request_is_replayed_too_status_included(client):
    keyed = with_key(client, str(uuid.uuid4()))

    first = keyed.post("/v1/invoices", {"currency": "NOPE"})
    again = keyed.post("/v1/invoices", {"currency": "NOPE"})

    assert (first.status, again.status) == (400, 400)
    assert again.json()["correlationId"] == first.json()["correlationId"]


def test_without_a_key_every_request_runs(client):
    before = count(client)

    client.post("/v1/invoices", ORDER)
    client.post("/v1/invoices", ORDER)

    assert count(client) == before + 2


def test_keys_are_scoped_to_the_tenant(client, client_for):
    key = str(uuid.uuid4())
    other = with_key(client_for("e2e-idempotency-other"), key)

    mine = with_key(client, key).post("/v1/invoices", ORDER)
    theirs = other.post("/v1/invoices", ORDER)

    assert (mine.status, theirs.status) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["tenantId"] == "e2e-idempotency-other"


def long_rows(count: int) -> list[dict]:
    """Rows whose descriptions (hex digits of hashes, 2,000 characters each) deflate poorly."""
    return [
        {
            "description": "".join(
                hashlib.sha256(f"{row}:{part}".encode()).hexdigest() for part in range(32)
            )[:2000],
            "quantity": 1,
            "unitPrice": row + 1,
        }
        for row in range(count)
    ]


def test_a_write_too_large_for_one_record_is_replayed_and_not_repeated(client):
    keyed = with_key(client, str(uuid.uuid4()))
    big = {**ORDER, "rows": long_rows(1_000)}
    before = count(client)

    first = keyed.post("/v1/invoices", big)
    again = keyed.post("/v1/invoices", big)

    assert first.status == 201, first.body[:300]
    assert len(first.body) > 2_000_000
    assert (again.status, again.body) == (201, first.body)
    assert count(client) == before + 1


def test_the_same_key_with_another_query_string_is_422_and_deletes_nothing(client):
    first, second = (client.post("/v1/invoices", ORDER).json()["id"] for _ in range(2))
    keyed = with_key(client, str(uuid.uuid4()))

    deleted = keyed.delete(f"/v1/invoices/delete-list?ids={first}")
    reused = keyed.delete(f"/v1/invoices/delete-list?ids={second}")

    assert deleted.status == 204
    assert "Idempotency-Key" in assert_problem(reused, 422)["errors"]
    assert client.get(f"/v1/invoices/find/{first}").status == 404
    assert client.get(f"/v1/invoices/find/{second}").status == 200
