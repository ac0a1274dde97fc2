"""Invoice number claims: `TENANT#<t>#NUMBER#<number>` / `NUMBER` -> the invoice that holds it.

Written in the publishing transaction on condition that it does not exist, so a number belongs to
one invoice for ever (cancelled invoices keep theirs). It also finds an invoice by its number.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.errors import DependencyUnavailable

NUMBER = "NUMBER"


def number_key(tenant_id: str, number: str) -> str:
    return f"TENANT#{tenant_id}#NUMBER#{number}"


class NumberClaimItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    invoiceId = UnicodeAttribute()


class DynamoInvoiceNumbers:
    def __init__(self, table_name: str) -> None:
        self._claims: type[NumberClaimItem] = bind(NumberClaimItem, table_name)

    def invoice_id_of(self, tenant_id: str, number: str) -> str | None:
        try:
            return str(self._claims.get(number_key(tenant_id, number), NUMBER).invoiceId)
        except self._claims.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Looking up invoice number failed: {error.msg}") from error
