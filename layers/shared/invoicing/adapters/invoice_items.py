"""The items of an invoice's partition and the index attributes its header carries.

`InvoiceItem` models every item of the partition (header, row chunks, events); only the header
carries index attributes, so every index is sparse. ARCHITECTURE.md lists the indexes and the access
pattern each one serves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from invoicing.adapters.attributes import DecimalAttribute
from invoicing.adapters.dynamodb import UNBOUND_TABLE
from invoicing.invoices.model import Invoice


class ByInvoiceDate(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByInvoiceDate"
        projection = KeysOnlyProjection()

    tenantKey = UnicodeAttribute(hash_key=True)
    invoiceDateKey = UnicodeAttribute(range_key=True)


class ByOpportunity(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByOpportunity"
        projection = KeysOnlyProjection()

    opportunityKey = UnicodeAttribute(hash_key=True)
    invoiceDateKey = UnicodeAttribute(range_key=True)


class InvoiceItem(Model):
    """Any item of an invoice's partition; which attributes are set depends on `sk`."""

    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    rowChunks = NumberAttribute(null=True)
    tenantKey = UnicodeAttribute(null=True)
    invoiceDateKey = UnicodeAttribute(null=True)
    dueDateKey = UnicodeAttribute(null=True)
    numberKey = UnicodeAttribute(null=True)
    amountKey = DecimalAttribute(null=True)
    createdKey = UnicodeAttribute(null=True)
    statusKey = UnicodeAttribute(null=True)
    opportunityKey = UnicodeAttribute(null=True)
    customerKey = UnicodeAttribute(null=True)

    by_invoice_date = ByInvoiceDate()
    by_opportunity = ByOpportunity()


def tenant_key(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


def invoice_key(tenant_id: str, invoice_id: str) -> str:
    return f"TENANT#{tenant_id}#INVOICE#{invoice_id}"


def _sort_value(moment: datetime | None, invoice_id: str) -> str:
    return f"{moment.isoformat() if moment is not None else ''}#{invoice_id}"


def header_index_attributes(invoice: Invoice) -> dict[str, Any]:
    """The index keys of an invoice's header item (None leaves the invoice out of that index)."""
    tenant = tenant_key(invoice.tenantId)
    customer_email = invoice.customer.email if invoice.customer else None
    email = (customer_email or invoice.contactEmail or "").lower()
    return {
        "tenantKey": tenant,
        "invoiceDateKey": _sort_value(invoice.invoiceDate, invoice.id),
        "dueDateKey": _sort_value(invoice.dueDate, invoice.id),
        "numberKey": f"{invoice.invoiceNumber or '~'}#{invoice.id}",
        "amountKey": invoice.totalWithTax,
        "createdKey": _sort_value(invoice.created, invoice.id),
        "statusKey": f"{tenant}#STATUS#{invoice.status.value}",
        "opportunityKey": f"{tenant}#OPPORTUNITY#{invoice.opportunityId}" if invoice.opportunityId else None,
        "customerKey": f"{tenant}#CUSTOMER#{email}" if email else None,
    }
