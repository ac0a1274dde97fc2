"""Public link lookups: `LINK#<digest of the token or short code>` / `LINK` -> the invoice and link id.

The invoice store writes them in the invoice's own transaction whenever its link changes (publish,
reissue) and deletes the old link's, so a revoked link is unknown at once. The items hold digests
only: neither the token nor the code can be read back from the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.errors import DependencyUnavailable
from invoicing.invoices.model import Invoice
from invoicing.public_links.keys import LinkKeys, digest

LINK_PREFIX = "LINK#"
LINK_SORT_KEY = "LINK"
TOKEN, CODE = "token", "code"


class PublicLinkItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    tenantId = UnicodeAttribute()
    invoiceId = UnicodeAttribute()
    linkId = UnicodeAttribute()


@dataclass(frozen=True)
class LinkTarget:
    tenant_id: str
    invoice_id: str
    link_id: str


@dataclass(frozen=True)
class LinkItemChanges:
    saved: list[PublicLinkItem]
    deleted: list[PublicLinkItem]


class DynamoPublicLinks:
    def __init__(self, table_name: str, keys: LinkKeys) -> None:
        self._items: type[PublicLinkItem] = bind(PublicLinkItem, table_name)
        self._keys = keys

    def _lookups(self, invoice: Invoice, link_id: str) -> list[PublicLinkItem]:
        secrets = {TOKEN: self._keys.token(link_id), CODE: self._keys.code(link_id)}
        return [
            self._items(
                f"{LINK_PREFIX}{digest(kind, value)}",
                LINK_SORT_KEY,
                tenantId=invoice.tenantId,
                invoiceId=invoice.id,
                linkId=link_id,
            )
            for kind, value in secrets.items()
        ]

    def changes(self, invoice: Invoice, previous: Invoice | None) -> LinkItemChanges:
        """The lookups to write and delete when `previous` becomes `invoice` (none, mostly)."""
        new = invoice.publicLink
        old = previous.publicLink if previous is not None else None
        if (new and new.id) == (old and old.id):
            return LinkItemChanges([], [])
        return LinkItemChanges(
            self._lookups(invoice, new.id) if new else [],
            self._lookups(invoice, old.id) if old and previous else [],
        )

    def find(self, kind: str, value: str) -> LinkTarget | None:
        """The invoice a token or code (`kind`) names, or None when no link has it."""
        try:
            item = self._items.get(f"{LINK_PREFIX}{digest(kind, value)}", LINK_SORT_KEY)
        except self._items.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading a public link failed: {error.msg}") from error
        return LinkTarget(item.tenantId, item.invoiceId, item.linkId)
