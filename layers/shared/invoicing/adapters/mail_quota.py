"""A tenant's count of accepted mails per UTC day: `TENANT#<t>` / `MAILQUOTA#<yyyy-mm-dd>`.

`take` adds one with a conditional update (below the quota, or the day's first), a single-item write
that DynamoDB serialises, so racing requests never accept more than the quota. The item expires
(`expiresAt`, the table's TTL) two days after its day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, UpdateError
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.adapters.invoice_items import tenant_key
from invoicing.errors import DependencyUnavailable
from invoicing.mail.quota import MailQuota, next_quota_day, quota_day, quota_spent

QUOTA_PREFIX = "MAILQUOTA#"
#: the SMS quota's day counts: the same items, another sort key
SMS_QUOTA_PREFIX = "SMSQUOTA#"
#: how long a day's count outlives its day (TTL)
KEPT_FOR = timedelta(days=2)


class MailQuotaItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    accepted = NumberAttribute(default=0)
    expiresAt = NumberAttribute(null=True)


class DynamoMailQuota:
    def __init__(self, table_name: str, prefix: str = QUOTA_PREFIX) -> None:
        self._items: type[MailQuotaItem] = bind(MailQuotaItem, table_name)
        self._prefix = prefix

    def _item(self, quota: MailQuota, now: datetime) -> MailQuotaItem:
        return self._items(tenant_key(quota.tenant_id), f"{self._prefix}{quota_day(now)}")

    def ensure_left(self, quota: MailQuota, now: datetime) -> None:
        """`QuotaExceeded` when the day's quota is spent (a check that counts nothing)."""
        item = self._item(quota, now)
        try:
            accepted = int(self._items.get(item.pk, item.sk, consistent_read=True).accepted)
        except self._items.DoesNotExist:
            accepted = 0
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading the mail quota failed: {error.msg}") from error
        if accepted >= quota.per_day:
            raise quota_spent(quota, now)

    def take(self, quota: MailQuota, now: datetime) -> None:
        """Count one mail against the day's quota, or raise `QuotaExceeded` when it is spent."""
        if quota.per_day <= 0:
            raise quota_spent(quota, now)
        items = self._items
        expires = (next_quota_day(now) + KEPT_FOR).timestamp()
        try:
            self._item(quota, now).update(
                actions=[items.accepted.add(1), items.expiresAt.set(int(expires))],
                condition=items.accepted.does_not_exist() | (items.accepted < quota.per_day),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise quota_spent(quota, now) from error
            raise DependencyUnavailable(f"Counting the mail against the quota failed: {error.msg}") from error
