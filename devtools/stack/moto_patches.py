"""Keep moto's DynamoDB transactions cheap enough for racing writers.

For a rollback, moto deep-copies the whole table (with its stream records) once per item of a
TransactWriteItems call: a six-item transaction copies the table six times, and the stack slows
down as data grows, until racing publishers time out. Here a transaction saves copies of just the
items it names and puts them back if it is cancelled: the same end state at a cost that does not
grow with the table. Safe because the stack's moto lets one request in at a time
(`moto_server.SerializedApp`). A cancelled transaction's stream records are not removed; the local
stack consumes no streams.
"""

from __future__ import annotations

import copy
import functools
from types import SimpleNamespace
from typing import Any

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType

SavedItem = tuple[Any, DynamoType, DynamoType | None, Any]


def _save_named_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[SavedItem]:
    saved: list[SavedItem] = []
    for entry in transact_items:
        operation = next(iter(entry.values()))
        table = backend.tables.get(operation.get("TableName"))
        attributes = operation.get("Key") or operation.get("Item")
        if table is None or not attributes or table.hash_key_attr not in attributes:
            continue
        hash_key = DynamoType(attributes[table.hash_key_attr])
        range_key = (
            DynamoType(attributes[table.range_key_attr]) if table.range_key_attr in attributes else None
        )
        current = table.get_item(hash_key, range_key) if (range_key or not table.has_range_key) else None
        saved.append((table, hash_key, range_key, copy.deepcopy(current)))
    return saved


def _restore(saved: list[SavedItem]) -> None:
    for table, hash_key, range_key, item in reversed(saved):
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item


def _keep_tables(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """Stands in for moto's whole-table snapshot: the table itself (rollback is `_restore`)."""
    if isinstance(value, dynamodb_models.Table):
        return value
    return copy.deepcopy(value, memo)


def snapshot_named_items_only() -> None:
    backend_type = dynamodb_models.DynamoDBBackend
    if getattr(backend_type.transact_write_items, "snapshots_named_items", False):
        return
    original = backend_type.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = _save_named_items(self, transact_items)
        dynamodb_models.copy = SimpleNamespace(deepcopy=_keep_tables)  # type: ignore[assignment]
        try:
            original(self, transact_items)
        except Exception:
            _restore(saved)
            raise
        finally:
            dynamodb_models.copy = copy  # type: ignore[assignment]

    transact_write_items.snapshots_named_items = True  # type: ignore[attr-defined]
    backend_type.transact_write_items = transact_write_items  # type: ignore[method-assign]
