"""Requests per minute of a public route, per link and per client address:
`RATE#<scope>#<digest of the key>` / `<minute>`, counted by a conditional update (a single-item write
DynamoDB serialises, so racing requests never pass the limit) and expired by the table's TTL."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.errors import DependencyUnavailable, QuotaExceeded

RATE_PREFIX = "RATE#"
WINDOW = timedelta(minutes=1)
KEPT_FOR = timedelta(minutes=10)


class RateItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    requests = NumberAttribute(default=0)
    expiresAt = NumberAttribute(null=True)


class DynamoRateLimits:
    def __init__(self, table_name: str) -> None:
        self._items: type[RateItem] = bind(RateItem, table_name)

    def take(self, scope: str, key: str, limit: int, now: datetime) -> None:
        """Count one request of `key` in this minute, or raise QuotaExceeded (429) past `limit`."""
        items = self._items
        window = now.replace(second=0, microsecond=0)
        key_digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        item = items(f"{RATE_PREFIX}{scope}#{key_digest}", f"{window:%Y-%m-%dT%H:%M}")
        try:
            item.update(
                actions=[items.requests.add(1), items.expiresAt.set(int((window + KEPT_FOR).timestamp()))],
                condition=items.requests.does_not_exist() | (items.requests < limit),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                retry_after = int((window + WINDOW - now).total_seconds()) + 1
                raise QuotaExceeded(
                    f"Too many requests to this page ({limit} a minute); try again shortly.",
                    retry_after_seconds=retry_after,
                ) from error
            raise DependencyUnavailable(f"Counting a public request failed: {error.msg}") from error
