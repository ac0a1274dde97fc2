"""Seed 003's publish request turned into the invoice update it asks for."""

from datetime import UTC, date, datetime

import pytest

from invoicing.errors import ValidationFailed
from invoicing.invoices import edits, kernel
from invoicing.invoices.model import Invoice, InvoiceCreate
from invoicing.invoices.publishing import PublishRequest, publish_fields

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def draft() -> Invoice:
    create = InvoiceCreate(currency="EUR", invoiceDate=datetime(2026, 11, 22, tzinfo=UTC))
    return edits.create_invoice(
        create, actor=kernel.Actor(tenant_id="acme", subject="alice"), now=NOW
    ).invoice


def test_a_due_date_becomes_the_payment_term_from_the_invoice_date():
    fields = publish_fields(PublishRequest(dueDate=date(2026, 12, 22)), draft(), NOW)

    assert fields.paymentTermDays == 30


def test_a_due_date_beyond_the_longest_payment_term_is_a_400_naming_due_date():
    with pytest.raises(ValidationFailed) as refused:
        publish_fields(PublishRequest(dueDate=date(8138, 4, 27)), draft(), NOW)

    assert refused.value.field_errors == {"dueDate": ["At most 3650 days after the invoice date."]}
