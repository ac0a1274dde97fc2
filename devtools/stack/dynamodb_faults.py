"""DynamoDB faults moto never produces: transaction conflicts and throttling.

`<state dir>/faults/dynamodb.json` names operations and how they fail:

    {"TransactWriteItems": {"error": "TransactionConflict", "times": 20},
     "Query": {"error": "ThrottlingException", "share": 0.1}}

`times` fails the next n calls (each failure takes one off the file, as `ses.json` does); `share`
fails that share of the calls at random; both fail at random, at most n times. Errors:

- `TransactionConflict` (TransactWriteItems only): the transaction is cancelled with a
  `TransactionConflict` reason on its last item, as DynamoDB cancels a transaction that collides
  with another one on an item (every invoice transaction ends with its figures updates);
- `ThrottlingError` (TransactWriteItems only): cancelled with that reason, as DynamoDB cancels a
  transaction when an item's throughput is exceeded (the AWS SDK does not retry cancellations);
- `ProvisionedThroughputExceededException`, `ThrottlingException`: throttling, which the AWS SDK
  retries by itself before the caller sees it.

The integration tests inject the same faults into moto in process (`FaultRules`, `faults_in_moto`).
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from devtools.stack.console import say_from
from devtools.stack.moto_patches import snapshot_named_items_only
from devtools.stack.outbox import WSGIEnviron, read_body

CANCELLED = "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"
#: cancellation reasons, and DynamoDB's message for each
CANCELLATIONS = {
    "TransactionConflict": "Transaction is ongoing for the item",
    "ThrottlingError": "Throughput exceeds the current capacity for one or more items",
}
ERROR_TYPES = {
    **dict.fromkeys(CANCELLATIONS, CANCELLED),
    "ProvisionedThroughputExceededException": (
        "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
    ),
    "ThrottlingException": "com.amazon.coral.availability#ThrottlingException",
}
TARGET_PREFIX = "DynamoDB_20120810."
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
Reply = tuple[str, list[tuple[str, str]], bytes]


@dataclass(frozen=True)
class Fault:
    """How one operation fails: `error`, the next `times` calls and/or a `share` of them."""

    error: str
    times: int | None = None
    share: float | None = None

    def __post_init__(self) -> None:
        if self.error not in ERROR_TYPES:
            raise ValueError(
                f"unknown DynamoDB fault {self.error!r}; known: {', '.join(sorted(ERROR_TYPES))}"
            )
        if self.times is None and self.share is None:
            raise ValueError(f"fault {self.error}: give times, share or both")
        if self.share is not None and not 0 <= self.share <= 1:
            raise ValueError(f"fault {self.error}: share is between 0 and 1")

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Fault:
        times = document.get("times")
        share = document.get("share")
        return cls(
            str(document["error"]),
            None if times is None else int(times),
            None if share is None else float(share),
        )

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"error": self.error}
        if self.times is not None:
            document["times"] = self.times
        if self.share is not None:
            document["share"] = self.share
        return document

    def strikes(self, draw: Callable[[], float]) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        return self.share is None or draw() < self.share

    def spent_once(self) -> Fault:
        return Fault(self.error, None if self.times is None else self.times - 1, self.share)


class FaultSource(Protocol):
    def take(self, operation: str) -> str | None:
        """The error the next call of `operation` fails with, or None to let it through."""


class FaultRules:
    """Faults held in memory (tests): `fail("TransactWriteItems", "TransactionConflict", times=30)`."""

    def __init__(self, seed: int = 0) -> None:
        self._faults: dict[str, Fault] = {}
        self._random = random.Random(seed)  # noqa: S311 (which calls fail, not a secret)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()

    def fail(
        self, operation: str, error: str, *, times: int | None = None, share: float | None = None
    ) -> None:
        with self._lock:
            self._faults[operation] = Fault(error, times, share)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, operation: str) -> str | None:
        with self._lock:
            fault = self._faults.get(operation)
            if fault is None or not fault.strikes(self._random.random):
                return None
            self._faults[operation] = fault.spent_once()
            self.injected[operation] += 1
            return fault.error


class FaultFile:
    """Faults read from `<state dir>/faults/dynamodb.json` on every call (the local stack)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "faults" / "dynamodb.json"
        self._random = random.Random()  # noqa: S311 (which calls fail, not a secret)

    def take(self, operation: str) -> str | None:
        if not self.path.exists():
            return None
        document = json.loads(self.path.read_text() or "{}")
        if operation not in document:
            return None
        fault = Fault.from_json(document[operation])
        if not fault.strikes(self._random.random):
            return None
        spent = fault.spent_once()
        if spent.times != fault.times:
            self.path.write_text(json.dumps({**document, operation: spent.to_json()}))
        left = "" if spent.times is None else f" ({spent.times} more to come)"
        say_from("dynamodb", f"injected {fault.error} into {operation}{left}")
        return fault.error


def error_reply(error: str, operation: str, request: dict[str, Any]) -> tuple[int, bytes]:
    """The status and JSON body DynamoDB answers `operation` with when it fails with `error`."""
    if error in CANCELLATIONS:
        if operation != "TransactWriteItems":
            raise ValueError(f"{error} cancels transactions only, not {operation}")
        count = len(request.get("TransactItems", [])) or 1
        reasons: list[dict[str, str]] = [{"Code": "None"}] * (count - 1)
        reasons.append({"Code": error, "Message": CANCELLATIONS[error]})
        codes = ", ".join(reason["Code"] for reason in reasons)
        message = "Transaction cancelled, please refer cancellation reasons for specific reasons"
        body = {
            "__type": CANCELLED,
            "Message": f"{message} [{codes}]",
            "CancellationReasons": reasons,
        }
    else:
        body = {"__type": ERROR_TYPES[error], "message": f"{error} (injected by the local stack)"}
    return 400, json.dumps(body).encode()


def _reply(source: FaultSource, operation: str, raw_body: bytes) -> tuple[int, bytes] | None:
    error = source.take(operation)
    if error is None:
        return None
    return error_reply(error, operation, json.loads(raw_body or b"{}"))


class DynamoDbFaults:
    """The local stack's interceptor (`moto_server.SerializedApp`): fails DynamoDB calls the fault
    file names before they reach moto."""

    def __init__(self, state_dir: Path) -> None:
        self.source = FaultFile(state_dir)

    def intercept(self, environ: WSGIEnviron) -> Reply | None:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith(TARGET_PREFIX) or not self.source.path.exists():
            return None
        reply = _reply(self.source, target.removeprefix(TARGET_PREFIX), read_body(environ))
        if reply is None:
            return None
        status, body = reply
        return f"{status} Bad Request", [("Content-Type", JSON_CONTENT_TYPE)], body


@contextmanager
def faults_in_moto(source: FaultSource) -> Iterator[None]:
    """In-process moto (`mock_aws`) fails the calls `source` names, and lets one DynamoDB call in
    at a time, as the local stack's moto does, so threads in a test race as requests do on AWS
    (with the stack's cheap transaction rollback, which needs that)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action
    original_transactions = DynamoDBBackend.transact_write_items
    snapshot_named_items_only()
    one_at_a_time = threading.Lock()

    def call_action(self: DynamoHandler) -> Any:
        with one_at_a_time:
            reply = _reply(source, self._get_action(), self.raw_body)
            if reply is None:
                return original(self)
            status, body = reply
            return status, {"Content-Type": JSON_CONTENT_TYPE}, body.decode()

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoHandler.call_action = original  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items = original_transactions  # type: ignore[method-assign]
