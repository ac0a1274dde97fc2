"""Counters: an item whose `value` only ever grows by one."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE

SEQUENCE_SORT_KEY = "SEQUENCE"


class SequenceItem(Model):
    """`SEQUENCE#clientId` / `SEQUENCE` hands out client ids; `TENANT#<t>` / `SEQUENCE#invoice#<year>`
    numbers a tenant's invoices (moved only by the conditional publishing transaction)."""

    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    value = NumberAttribute(default=0)
