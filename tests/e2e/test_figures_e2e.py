"""Figures under the transaction conflicts DynamoDB raises, over HTTP against the local stack.

`.local/faults/dynamodb.json` makes the stack's moto cancel transactions with TransactionConflict, as
DynamoDB does when parallel writes of one tenant meet on a figures item.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devtools.stack.testing import RunningStack
from tests.e2e.conftest import run_admin

pytestmark = pytest.mark.e2e

ONE_ROW = {"currency": "EUR", "rows": [{"description": "Service", "quantity": 1, "unitPrice": 5}]}


@pytest.fixture
def dynamodb_faults(local_stack: RunningStack) -> Iterator[Path]:
    """The stack's DynamoDB fault file, removed afterwards so no other test meets its faults."""
    path = local_stack.state_dir / "faults" / "dynamodb.json"
    path.parent.mkdir(exist_ok=True)
    yield path
    path.unlink(missing_ok=True)


def test_fifty_creates_on_warm_functions_under_transaction_conflicts_all_succeed_and_count_exactly(
    client_for, local_stack, dynamodb_faults
):
    client = client_for("e2e-figures-conflicts")
    with ThreadPoolExecutor(max_workers=10) as pool:
        warm = list(pool.map(lambda _: client.post("/v1/invoices", ONE_ROW), range(10)))
    dynamodb_faults.write_text(
        json.dumps({"TransactWriteItems": {"error": "TransactionConflict", "share": 0.3, "times": 30}})
    )

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: client.post("/v1/invoices", ONE_ROW), range(50)))

    assert [response.status for response in warm + responses] == [201] * 60
    assert len({response.json()["id"] for response in responses}) == 50
    assert json.loads(dynamodb_faults.read_text())["TransactWriteItems"]["times"] < 30
    assert client.get("/v1/invoices/count-by-status").json()["DRAFT"] == 60
    report = run_admin(local_stack, "reconcile-figures", "--tenant", "e2e-figures-conflicts")
    assert report.splitlines()[-1] == "figures of e2e-figures-conflicts agree with its 60 invoices"


def test_throttling_that_outlasts_the_retries_is_503_and_changes_nothing(client_for, dynamodb_faults):
    client = client_for("e2e-figures-throttled")
    dynamodb_faults.write_text(
        json.dumps({"TransactWriteItems": {"error": "ThrottlingException", "share": 1}})
    )

    throttled = client.post("/v1/invoices", ONE_ROW)
    dynamodb_faults.unlink()

    assert throttled.status == 503
    assert throttled.json()["status"] == 503
    assert client.get("/v1/invoices/count-by-status").json()["DRAFT"] == 0
