"""The items of an invoice's partition and the index attributes its header carries.

`InvoiceItem` models every item of the partition (header, row chunks, events); only the header
carries index attributes, so every index is sparse. ARCHITECTURE.md lists the indexes and the access
pattern each one serves.

The listing indexes project SEARCHABLE_ATTRIBUTES (INCLUDE), so a search can filter and sort on
them while it reads only the index, whichever index it walks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from invoicing.adapters.attributes import DecimalAttribute
from invoicing.adapters.dynamodb import UNBOUND_TABLE
from invoicing.invoices.model import Invoice
from invoicing.invoices.search_text import searchable_text

#: the header attributes every listing index carries besides its own keys
SEARCHABLE_ATTRIBUTES = (
    "status",
    "currency",
    "clientId",
    "searchText",
    "invoiceDateKey",
    "dueDateKey",
    "numberKey",
    "amountKey",
    "createdKey",
    "opportunityKey",
    "customerKey",
)


def _projection(*index_keys: str) -> IncludeProjection:
    return IncludeProjection([name for name in SEARCHABLE_ATTRIBUTES if name not in index_keys])


class ByInvoiceDate(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByInvoiceDate"
        projection = _projection("tenantKey", "invoiceDateKey")

    tenantKey = UnicodeAttribute(hash_key=True)
    invoiceDateKey = UnicodeAttribute(range_key=True)


class ByDueDate(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByDueDate"
        projection = _projection("tenantKey", "dueDateKey")

    tenantKey = UnicodeAttribute(hash_key=True)
    dueDateKey = UnicodeAttribute(range_key=True)


class ByNumber(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByNumber"
        projection = _projection("tenantKey", "numberKey")

    tenantKey = UnicodeAttribute(hash_key=True)
    numberKey = UnicodeAttribute(range_key=True)


class ByAmount(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByAmount"
        projection = _projection("tenantKey", "amountKey")

    tenantKey = UnicodeAttribute(hash_key=True)
    amountKey = DecimalAttribute(range_key=True)


class ByCreated(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByCreated"
        projection = _projection("tenantKey", "createdKey")

    tenantKey = UnicodeAttribute(hash_key=True)
    createdKey = UnicodeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByStatus"
        projection = _projection("statusKey", "invoiceDateKey")

    statusKey = UnicodeAttribute(hash_key=True)
    invoiceDateKey = UnicodeAttribute(range_key=True)


class ByOpportunity(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByOpportunity"
        projection = _projection("opportunityKey", "invoiceDateKey")

    opportunityKey = UnicodeAttribute(hash_key=True)
    invoiceDateKey = UnicodeAttribute(range_key=True)


class ByCustomer(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "ByCustomer"
        projection = _projection("customerKey", "invoiceDateKey")

    customerKey = UnicodeAttribute(hash_key=True)
    invoiceDateKey = UnicodeAttribute(range_key=True)


class ByRecurringAgreement(GlobalSecondaryIndex["InvoiceItem"]):  # type: ignore[no-untyped-call]
    """A tenant's recurring templates (sparse: only headers with a recurring agreement carry the key)."""

    class Meta:
        index_name = "ByRecurringAgreement"
        projection = _projection("recurringKey", "invoiceDateKey")

    recurringKey = UnicodeAttribute(hash_key=True)
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
    recurringKey = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    clientId = UnicodeAttribute(null=True)
    searchText = UnicodeAttribute(null=True)

    by_invoice_date = ByInvoiceDate()
    by_due_date = ByDueDate()
    by_number = ByNumber()
    by_amount = ByAmount()
    by_created = ByCreated()
    by_status = ByStatus()
    by_opportunity = ByOpportunity()
    by_customer = ByCustomer()
    by_recurring_agreement = ByRecurringAgreement()


def tenant_key(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


def invoice_key(tenant_id: str, invoice_id: str) -> str:
    return f"TENANT#{tenant_id}#INVOICE#{invoice_id}"


def _sort_value(moment: datetime | None, invoice_id: str) -> str:
    return f"{moment.isoformat() if moment is not None else ''}#{invoice_id}"


def status_key(tenant_id: str, status: str) -> str:
    return f"{tenant_key(tenant_id)}#STATUS#{status}"


def opportunity_key(tenant_id: str, opportunity_id: str) -> str:
    return f"{tenant_key(tenant_id)}#OPPORTUNITY#{opportunity_id}"


def customer_key(tenant_id: str, email: str) -> str:
    return f"{tenant_key(tenant_id)}#CUSTOMER#{email.lower()}"


def recurring_key(tenant_id: str) -> str:
    return f"{tenant_key(tenant_id)}#RECURRING"


def header_index_attributes(invoice: Invoice) -> dict[str, Any]:
    """The index keys and searchable copies of an invoice's header item (None leaves it out)."""
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
        "statusKey": status_key(invoice.tenantId, invoice.status.value),
        "opportunityKey": opportunity_key(invoice.tenantId, invoice.opportunityId)
        if invoice.opportunityId
        else None,
        "customerKey": customer_key(invoice.tenantId, email) if email else None,
        "recurringKey": recurring_key(invoice.tenantId) if invoice.recurringAgreement else None,
        "currency": invoice.currency,
        "clientId": invoice.clientId,
        "searchText": searchable_text(invoice) or None,
    }
