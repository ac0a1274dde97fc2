"""Idempotency-Key on writes, over HTTP against the local stack."""

from __future__ import annotations

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
