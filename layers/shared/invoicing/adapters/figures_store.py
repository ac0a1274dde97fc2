"""Per-tenant figures in the tenant's partition, sharded, moved by deltas inside invoice transactions.

An invoice's changes move the items of its shard (a hash of its id, one of SHARDS):
`TENANT#<t>` / `FIGURES#<shard>` holds a count per status, `TENANT#<t>` / `FIGURES#<shard>#<currency>`
the money totals of that currency. Two transactions on different shards never conflict, so parallel
writes in one tenant rarely collide on DynamoDB (TransactionConflict), and the store resends the ones
that do. Reading every figure is one Query on the prefix `FIGURES` (at most SHARDS x (1 + the
tenant's currencies) small items), summed, whatever the number of invoices. The unsharded items of
earlier versions (`FIGURES`, `FIGURES#<currency>`) are summed in too, so they need no migration.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from invoicing.adapters.attributes import DecimalAttribute
from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind, transaction_connection
from invoicing.adapters.invoice_items import tenant_key
from invoicing.errors import DependencyUnavailable
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.figures import METRICS, FiguresDelta, TenantFigures

FIGURES = "FIGURES"
SHARDS = 10


def shard_of(invoice_id: str) -> int:
    """The figures shard an invoice's changes move (stable across processes, unlike `hash`)."""
    return int(hashlib.sha256(invoice_id.encode()).hexdigest(), 16) % SHARDS


def _currency_of(sort_key: str) -> str | None:
    """The currency of a totals item, None for a counts item (sharded or not)."""
    last = sort_key.rsplit("#", 1)[-1]
    return last if last != FIGURES and not last.isdigit() else None


class FiguresItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    count_DRAFT = NumberAttribute(null=True)
    count_SCHEDULED = NumberAttribute(null=True)
    count_SENT = NumberAttribute(null=True)
    count_PARTIALLY_PAID = NumberAttribute(null=True)
    count_PAID = NumberAttribute(null=True)
    count_OVERDUE = NumberAttribute(null=True)
    count_CANCELLED = NumberAttribute(null=True)
    count_ISSUED = NumberAttribute(null=True)
    invoiced = DecimalAttribute(null=True)
    paid = DecimalAttribute(null=True)
    outstanding = DecimalAttribute(null=True)
    overdue = DecimalAttribute(null=True)


class DynamoFiguresRepository:
    def __init__(self, table_name: str) -> None:
        self._items: type[FiguresItem] = bind(FiguresItem, table_name)

    def get(self, tenant_id: str) -> TenantFigures:
        try:
            items = list(
                self._items.query(
                    tenant_key(tenant_id), self._items.sk.startswith(FIGURES), consistent_read=True
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading the tenant's figures failed: {error.msg}") from error
        counts = {status.value: 0 for status in InvoiceStatus}
        amounts: dict[str, dict[str, Decimal]] = {}
        for item in items:
            currency = _currency_of(item.sk)
            if currency is None:
                for status in InvoiceStatus:
                    counts[status.value] += int(getattr(item, f"count_{status.value}") or 0)
            else:
                totals = amounts.setdefault(currency, dict.fromkeys(METRICS, Decimal(0)))
                for metric in METRICS:
                    totals[metric] += getattr(item, metric) or Decimal(0)
        return TenantFigures(count_by_status=counts, amounts_by_currency=amounts)

    def add_to(
        self, transaction: TransactWrite, tenant_id: str, delta: FiguresDelta, invoice_id: str = ""
    ) -> int:
        """Add the delta's updates of `invoice_id`'s shard to `transaction`; returns how many items it
        added. A delta of many invoices (a bulk import, a correction) may go to any shard: the
        default's."""
        items = self._items
        key = tenant_key(tenant_id)
        shard = f"{FIGURES}#{shard_of(invoice_id):02d}"
        added = 0
        if delta.counts:
            actions = [
                getattr(items, f"count_{status}").add(change) for status, change in delta.counts.items()
            ]
            transaction.update(items(pk=key, sk=shard), actions=actions)
            added += 1
        for currency, moved in delta.amounts.items():
            actions = [getattr(items, metric).add(change) for metric, change in moved.items()]
            transaction.update(items(pk=key, sk=f"{shard}#{currency}"), actions=actions)
            added += 1
        return added

    def apply(self, tenant_id: str, delta: FiguresDelta) -> None:
        """Move the figures by `delta` in one transaction of its own (a reconciliation's correction)."""
        if delta.is_empty():
            return
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                self.add_to(transaction, tenant_id, delta)
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Correcting the tenant's figures failed: {error.msg}") from error
