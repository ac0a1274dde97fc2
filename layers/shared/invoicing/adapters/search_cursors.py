"""Where page N of a search starts, remembered for a while so page N+1 does not re-read pages 0..N.

Items `TENANT#<t>#SEARCH#<fingerprint>` / `PAGE#<n, 8 digits>` hold, per walk of the search's plan,
the index key to resume after (or that the walk is done), and the search's total. They expire with
the table's TTL on `expiresAt`; since TTL deletes lazily, a read also ignores expired items. A cache:
when writing one fails, the next request only walks further.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.adapters.invoice_items import tenant_key
from invoicing.errors import DependencyUnavailable

CURSOR_LIFETIME = timedelta(minutes=15)
PAGE_PREFIX = "PAGE#"

#: where a walk resumes: after an index key (DynamoDB JSON), from its start (None), or nowhere (DONE)
Position = dict[str, dict[str, Any]] | str | None
DONE = "done"

logger = logging.getLogger(__name__)


class SearchCursorItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    positions = UnicodeAttribute()
    total = NumberAttribute()
    expiresAt = NumberAttribute()


@dataclass(frozen=True)
class Cursor:
    page: int
    positions: list[Position]
    total: int


def _page_key(page: int) -> str:
    return f"{PAGE_PREFIX}{page:08d}"


class DynamoSearchCursors:
    def __init__(self, table_name: str, lifetime: timedelta = CURSOR_LIFETIME) -> None:
        self._items: type[SearchCursorItem] = bind(SearchCursorItem, table_name)
        self._lifetime = lifetime

    @staticmethod
    def _key(tenant_id: str, fingerprint: str) -> str:
        return f"{tenant_key(tenant_id)}#SEARCH#{fingerprint}"

    def nearest(self, tenant_id: str, fingerprint: str, page: int, now: datetime) -> Cursor | None:
        """The live cursor of the highest page at or before `page` (one Query reading one item)."""
        items = self._items
        try:
            found = items.query(
                self._key(tenant_id, fingerprint),
                items.sk.between(PAGE_PREFIX, _page_key(page)),
                scan_index_forward=False,
                limit=1,
            )
            item = next(iter(found), None)
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading search cursors failed: {error.msg}") from error
        if item is None or item.expiresAt <= now.timestamp():
            return None
        return Cursor(int(item.sk.removeprefix(PAGE_PREFIX)), json.loads(item.positions), int(item.total))

    def save(self, tenant_id: str, fingerprint: str, cursors: Iterable[Cursor], now: datetime) -> None:
        items = self._items
        key = self._key(tenant_id, fingerprint)
        expires = int((now + self._lifetime).timestamp())
        try:
            with items.batch_write() as batch:
                for cursor in cursors:
                    batch.save(
                        items(
                            pk=key,
                            sk=_page_key(cursor.page),
                            positions=json.dumps(cursor.positions, separators=(",", ":")),
                            total=cursor.total,
                            expiresAt=expires,
                        )
                    )
        except PynamoDBException as error:
            logger.warning("search cursors not cached: %s", error.msg)
