"""Per-tenant figures in the tenant's partition, moved by deltas inside invoice transactions.

Items: `TENANT#<t>` / `FIGURES` holds a count per status; `TENANT#<t>` / `FIGURES#<currency>` holds
the money totals of that currency. Reading every figure is one Query (bounded by the number of
currencies the tenant uses), whatever the number of invoices.
"""

from __future__ import annotations

from decimal import Decimal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from invoicing.adapters.attributes import DecimalAttribute
from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.adapters.invoice_items import tenant_key
from invoicing.errors import DependencyUnavailable
from invoicing.invoices.enums import InvoiceStatus
from invoicing.invoices.figures import METRICS, FiguresDelta, TenantFigures

FIGURES = "FIGURES"


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
            if item.sk == FIGURES:
                for status in InvoiceStatus:
                    counts[status.value] = int(getattr(item, f"count_{status.value}") or 0)
            else:
                currency = item.sk.removeprefix(f"{FIGURES}#")
                amounts[currency] = {metric: getattr(item, metric) or Decimal(0) for metric in METRICS}
        return TenantFigures(count_by_status=counts, amounts_by_currency=amounts)

    def add_to(self, transaction: TransactWrite, tenant_id: str, delta: FiguresDelta) -> int:
        """Add the delta's updates to `transaction`; returns how many items it added."""
        items = self._items
        key = tenant_key(tenant_id)
        added = 0
        if delta.counts:
            actions = [
                getattr(items, f"count_{status}").add(change) for status, change in delta.counts.items()
            ]
            transaction.update(items(pk=key, sk=FIGURES), actions=actions)
            added += 1
        for currency, moved in delta.amounts.items():
            actions = [getattr(items, metric).add(change) for metric, change in moved.items()]
            transaction.update(items(pk=key, sk=f"{FIGURES}#{currency}"), actions=actions)
            added += 1
        return added
