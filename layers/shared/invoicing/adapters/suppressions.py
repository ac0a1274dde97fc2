"""Addresses a tenant must not mail: hard bounces and complaints, one item per address.

`TENANT#<t>#MAILBOX#<address, lower case>` / `SUPPRESSION` is a point read before every send. An
invoice whose contact changes to another address is mailed again; the suppressed address is not.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.errors import DependencyUnavailable

SUPPRESSION_SORT_KEY = "SUPPRESSION"


def mailbox_key(tenant_id: str, address: str) -> str:
    return f"TENANT#{tenant_id}#MAILBOX#{address.strip().lower()}"


class SuppressionItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    address = UnicodeAttribute()
    reason = UnicodeAttribute()
    suppressedAt = UTCDateTimeAttribute()


class DynamoSuppressionList:
    def __init__(self, table_name: str) -> None:
        self._items: type[SuppressionItem] = bind(SuppressionItem, table_name)

    def reason_not_to_mail(self, tenant_id: str, address: str) -> str | None:
        """Why `address` must not be mailed, or None when it may be."""
        try:
            item = self._items.get(mailbox_key(tenant_id, address), SUPPRESSION_SORT_KEY)
        except self._items.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading the suppression list failed: {error.msg}") from error
        return item.reason

    def suppress(self, tenant_id: str, address: str, reason: str, now: datetime) -> None:
        item = self._items(
            mailbox_key(tenant_id, address),
            SUPPRESSION_SORT_KEY,
            address=address,
            reason=reason,
            suppressedAt=now,
        )
        try:
            item.save()
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Recording the suppressed address failed: {error.msg}") from error
