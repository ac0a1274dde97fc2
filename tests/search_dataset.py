"""A tenant's invoices for search tests, and what a search over them must answer, computed naively.

The invoices vary every field a search filters or sorts on: seven statuses, dates around now (some
pairs on the same day, so ties are ordered by id), three currencies, opportunities, clients,
customers with accented names, notes and row descriptions. `expected_ids` filters and sorts them in
plain Python, independently of the index plans, for the tests to compare with.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from devtools.invoice_fixtures import new_invoice
from invoicing.adapters.invoice_items import header_index_attributes
from invoicing.invoices.enums import OWED_STATUSES, InvoiceStatus
from invoicing.invoices.model import Event, Invoice
from invoicing.invoices.search import Criteria, Sort, SortField, TimeRange, criteria_from
from invoicing.invoices.search_text import searchable_text

STATUSES = [
    InvoiceStatus.DRAFT,
    InvoiceStatus.SENT,
    InvoiceStatus.PAID,
    InvoiceStatus.OVERDUE,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.CANCELLED,
    InvoiceStatus.SCHEDULED,
    InvoiceStatus.SENT,
]
CUSTOMERS = [
    {"companyName": "Müller GmbH", "firstName": "Jürgen", "lastName": "Groß"},
    {"companyName": "Zoë Café", "firstName": "Zoë", "lastName": "Lefèvre"},
    {"companyName": "Łukasz Sp. z o.o.", "firstName": "Łukasz", "lastName": "Wójcik"},
    {"companyName": "Globex Corporation", "firstName": "Hank", "lastName": "Scorpio"},
    {"companyName": "Straße & Söhne KG", "firstName": "Søren", "lastName": "Æbelø"},
]
DESCRIPTIONS = ["Beratung", "Crème brûlée catering", "Widget"]
CURRENCIES = ["EUR", "EUR", "USD", "EUR", "JPY"]


def today(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def dataset(tenant_id: str, now: datetime, count: int = 32) -> list[tuple[Invoice, Event]]:
    """`count` invoices with invoice dates from 16 weeks ago, two per week, and distinct amounts."""
    start = today(now) - timedelta(weeks=16)
    changes = []
    for n in range(count):
        status = STATUSES[n % len(STATUSES)]
        customer = CUSTOMERS[n % len(CUSTOMERS)]
        changes.append(
            new_invoice(
                tenant_id,
                status=status,
                invoice_number=None if status is InvoiceStatus.DRAFT else f"INV-2026-{n:05d}",
                created=today(now) - timedelta(days=count - n, hours=n % 5),
                currency=CURRENCIES[n % len(CURRENCIES)],
                invoiceDate=start + timedelta(weeks=n // 2),
                paymentTermDays=[0, 14, 30][n % 3],
                opportunityId=f"opp-{n % 3}" if n % 2 == 0 else None,
                clientId=f"client-{n % 4}",
                customer={**customer, "email": f"AP{n % 5}@customer{n % 5}.test"} if n % 6 else None,
                contactEmail=f"ap{n % 5}@customer{n % 5}.test" if n % 6 == 0 else None,
                note="Danke für Ihren Auftrag" if n % 4 == 1 else None,
                rows=[
                    {
                        "description": DESCRIPTIONS[n % len(DESCRIPTIONS)],
                        "quantity": 1,
                        "unitPrice": Decimal(1000) + Decimal("3.5") * n,
                        "taxRate": 19,
                    }
                ],
            )
        )
    return changes


def _in(moment: datetime | None, bounds: TimeRange | None) -> bool:
    if bounds is None:
        return True
    if moment is None:
        return False
    return (bounds.start is None or moment >= bounds.start) and (bounds.end is None or moment < bounds.end)


def _email(invoice: Invoice) -> str | None:
    email = (invoice.customer.email if invoice.customer else None) or invoice.contactEmail
    return email.lower() if email else None


def matches(invoice: Invoice, criteria: Criteria, now: datetime) -> bool:
    amount = criteria.amount
    text = searchable_text(invoice)
    overdue = invoice.status is InvoiceStatus.OVERDUE or (
        invoice.status in OWED_STATUSES and invoice.dueDate is not None and invoice.dueDate < now
    )
    return all(
        [
            criteria.statuses is None or invoice.status in criteria.statuses,
            _in(invoice.invoiceDate, criteria.invoice_date),
            _in(invoice.dueDate, criteria.due_date),
            _in(invoice.created, criteria.created),
            amount is None or amount.low is None or invoice.totalWithTax >= amount.low,
            amount is None or amount.high is None or invoice.totalWithTax <= amount.high,
            criteria.currency is None or invoice.currency == criteria.currency,
            criteria.opportunity_id is None or invoice.opportunityId == criteria.opportunity_id,
            criteria.client_id is None or invoice.clientId == criteria.client_id,
            criteria.customer_email is None or _email(invoice) == criteria.customer_email,
            not criteria.overdue or overdue,
            all(word in text for word in criteria.words),
        ]
    )


def sort_key(invoice: Invoice, field: SortField) -> tuple[Any, ...]:
    keys = header_index_attributes(invoice)
    match field:
        case SortField.STATUS:
            return (invoice.status.value, keys["invoiceDateKey"])
        case SortField.TOTAL_WITH_TAX:
            return (invoice.totalWithTax,)
        case SortField.INVOICE_DATE:
            return (keys["invoiceDateKey"],)
        case SortField.DUE_DATE:
            return (keys["dueDateKey"],)
        case SortField.INVOICE_NUMBER:
            return (keys["numberKey"],)
        case SortField.CREATED:
            return (keys["createdKey"],)


def expected_ids(
    invoices: Sequence[Invoice],
    filters: dict[str, object],
    *,
    search: Sequence[str] = (),
    sort: Sort | None = None,
    now: datetime,
) -> list[str]:
    sort = sort or Sort()
    criteria = criteria_from(filters, search)
    found = [invoice for invoice in invoices if matches(invoice, criteria, now)]
    found.sort(key=lambda invoice: sort_key(invoice, sort.field), reverse=not sort.ascending)
    return [invoice.id for invoice in found]
