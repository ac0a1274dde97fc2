"""Seed 003's view of a stored invoice, and seed 003's create and update bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from invoicing.errors import NotFound, ValidationFailed
from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.enums import EventType, InvoiceStatus, PaymentMethod, QuantityType
from invoicing.invoices.model import Invoice, InvoiceCreate, InvoiceFields, Seller, SellerAddress
from invoicing.invoices.publishing import PublishRequest, publish_fields
from invoicing.invoices.seed_views import (
    HISTORY_TYPE_IDS,
    PAYMENT_METHOD_TYPE_IDS,
    STATUS_IDS,
    SeedInvoiceViews,
    seed_invoice,
)
from invoicing.payments.method_prices import PaymentMethodOption, PaymentSettings
from invoicing.tenants.settings import TenantSettings

D = Decimal
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice")
NUMBER = lifecycle.NumberAssignment("invoice#2026", 1, "INV-2026-00001")
SEED_003_BODY = {
    "currency": "USD",
    "taxPercentage": 10,
    "shippingAmount": 5,
    "lineItems": [
        {
            "id": "a",
            "lineItemId": "sku-1",
            "unitTypeId": 3,
            "unitPrice": 100,
            "quantity": 2,
            "totalAmount": 7,
        },
        {"id": "b", "unitPrice": "9.99", "quantity": 1, "discountPercentage": 10},
    ],
}


def draft(body: dict | None = None) -> Invoice:
    return edits.create_invoice(
        InvoiceCreate.model_validate(body or SEED_003_BODY), actor=ACTOR, now=NOW
    ).invoice


def published(body: dict | None = None) -> Invoice:
    return lifecycle.publish(draft(body), NUMBER, actor=ACTOR, now=NOW).invoice


def test_seed_003_line_items_become_rows_priced_by_the_server():
    invoice = draft()

    assert [(row.id, row.productId, row.quantityType, row.taxRate) for row in invoice.rows] == [
        ("a", "sku-1", QuantityType.DAYS, D(10)),
        ("b", None, QuantityType.AMOUNT, D(10)),
    ]
    assert [row.total for row in invoice.rows] == [D("200.00"), D("8.99")]
    assert invoice.taxPercentage == D(10)


def test_tax_percentage_is_the_rate_only_of_lines_without_their_own():
    fields = InvoiceCreate.model_validate(
        {
            "taxPercentage": 19,
            "rows": [{"quantity": 1, "unitPrice": 1, "taxRate": 7}, {"quantity": 1, "unitPrice": 1}],
        }
    )

    assert [row.taxRate for row in fields.rows] == [D(7), D(19)]


def test_an_update_with_tax_percentage_and_no_lines_is_refused():
    with pytest.raises(ValidationError, match="send lineItems too"):
        InvoiceFields.model_validate({"taxPercentage": 19})


def test_rows_and_line_items_together_are_refused():
    with pytest.raises(ValidationError, match="not both"):
        InvoiceFields.model_validate(
            {"rows": [{"quantity": 1, "unitPrice": 1}], "lineItems": [{"quantity": 1, "unitPrice": 1}]}
        )


def test_a_clients_line_total_is_ignored_unless_it_asks_to_force_it_then_refused():
    assert draft().rows[0].total == D("200.00")
    with pytest.raises(ValidationError, match="server's arithmetic wins"):
        InvoiceCreate.model_validate(SEED_003_BODY | {"canPriceBeForceOverrided": True})
    agreeing = [{"unitPrice": 100, "quantity": 2, "totalAmount": "200.00"}]
    assert InvoiceCreate.model_validate(
        {"currency": "USD", "lineItems": agreeing, "canPriceBeForceOverrided": True}
    )


def test_an_update_with_line_items_records_rows_as_changed_not_line_items():
    updated = edits.update_invoice(
        draft(),
        InvoiceFields.model_validate({"lineItems": [{"unitPrice": 1, "quantity": 1}]}),
        actor=ACTOR,
        now=NOW,
    )

    assert updated.event.description == "Updated rows."
    invoice = updated.invoice.model_copy(update={"events": [updated.event]})
    assert seed_invoice(invoice, TenantSettings()).isLineItemsUpdated is True
    assert seed_invoice(invoice, TenantSettings()).isCustomerUpdated is False


def test_the_seed_003_view_of_a_published_invoice():
    seller = Seller(legalName="Acme", address=SellerAddress(city="Berlin", country="DE"), phone="+49 30 1")
    invoice = published().model_copy(update={"seller": seller, "cardPaymentProcessorId": "proc-card"})
    payments = PaymentSettings(creditCardSurchargePercentage=D(3), achPaymentProcessorId="proc-ach")

    view = seed_invoice(invoice, TenantSettings(payments=payments))

    assert (view.status, view.number, view.merchantId) == (3, "INV-2026-00001", "acme")
    assert (view.cardPaymentProcessorId, view.achPaymentProcessorId) == ("proc-card", "proc-ach")
    assert view.subTotalAmount == D("208.99")
    assert view.totalAmount == invoice.total == D("234.89")
    assert view.surchargePercentage == D(3)
    assert view.surchargeAmount == D("7.05")
    assert view.invoiceCalculations.creditCard.totalAmount == D("241.94")
    assert view.invoiceCalculations.debitCard.totalAmount == D("234.89")
    assert view.invoiceCalculations.debitCard.surchargeAmount == 0
    assert (view.useCardPrice, view.zeroCostProcessingOptionId, view.zeroCostProcessingOption) == (
        True,
        1,
        "Surcharge",
    )
    assert view.merchantContactInfo.countryId == 276
    assert view.merchantContactInfo.businessPhoneNumber == "+49 30 1"
    assert [item.unitTypeId for item in view.lineItems] == [3, 1]
    assert view.fullUrl is None
    assert view.shortUrl is None


def test_a_payment_shows_in_the_history_and_as_the_last_payment():
    paid = lifecycle.mark_as_paid(published(), NOW, actor=ACTOR, now=NOW)
    invoice = paid.invoice.model_copy(update={"events": [paid.event]})

    view = seed_invoice(invoice, TenantSettings())

    (entry,) = view.history
    transaction = invoice.transactions[-1]
    assert (entry.typeId, entry.typeName) == (HISTORY_TYPE_IDS[EventType.PAYMENT_ADDED], "PAYMENT_ADDED")
    assert entry.transactionId == transaction.id == view.transactionId
    assert (
        entry.paymentMethodTypeId == PAYMENT_METHOD_TYPE_IDS[PaymentMethod.OTHER] == view.paymentMethodTypeId
    )
    assert view.markedAsPaid is True
    assert view.status == STATUS_IDS[InvoiceStatus.PAID] == 6
    assert view.paymentDate == NOW


def test_the_ids_seed_003_clients_read_are_stable():
    assert [STATUS_IDS[status] for status in InvoiceStatus] == [1, 2, 3, 4, 6, 5, 7, 8]
    assert PAYMENT_METHOD_TYPE_IDS[PaymentMethod.CREDIT_CARD] == 1
    assert PAYMENT_METHOD_TYPE_IDS[PaymentMethod.DEBIT_CARD] == 2
    assert PAYMENT_METHOD_TYPE_IDS[PaymentMethod.ACH] == 3
    assert HISTORY_TYPE_IDS[EventType.CREATE] == 1
    assert HISTORY_TYPE_IDS[EventType.STATUS_CHANGED] == 7
    assert HISTORY_TYPE_IDS[EventType.PAYMENT_ADDED] == 8


class _Invoices:
    def __init__(self, *invoices: Invoice) -> None:
        self._invoices = {(invoice.tenantId, invoice.id): invoice for invoice in invoices}

    def get(self, tenant_id: str, invoice_id: str) -> Invoice:
        try:
            return self._invoices[(tenant_id, invoice_id)]
        except KeyError:
            raise NotFound(f"Invoice {invoice_id} does not exist.") from None


def test_the_use_case_reads_only_the_callers_tenant():
    invoice = published()
    views = SeedInvoiceViews(_Invoices(invoice), lambda tenant_id: TenantSettings())

    assert views.invoice("acme", invoice.id).id == invoice.id
    assert views.calculations("acme", invoice.id, PaymentMethodOption.ACH).id == invoice.id
    with pytest.raises(NotFound):
        views.invoice("globex", invoice.id)
    with pytest.raises(NotFound):
        views.calculations("globex", invoice.id, None)


def test_a_card_payments_surcharge_stays_on_the_invoice_once_paid():
    invoice = published()
    paid = lifecycle.add_payment(
        invoice, invoice.total, NOW, PaymentMethod.CREDIT_CARD, actor=ACTOR, now=NOW
    ).invoice
    transaction = paid.transactions[-1].model_copy(update={"surchargeAmount": D("7.05")})
    payments = PaymentSettings(creditCardSurchargePercentage=D(3))

    view = seed_invoice(
        paid.model_copy(update={"transactions": [transaction]}), TenantSettings(payments=payments)
    )

    assert view.surchargeAmount == D("7.05")
    assert view.invoiceCalculations.creditCard.totalAmount == 0
    assert view.paymentMethodTypeId == 1
    assert view.markedAsPaid is False


def test_a_seed_003_due_date_sets_the_terms_and_dates_an_undated_draft_today():
    created = draft(SEED_003_BODY | {"dueDate": "2026-12-31"})
    moved = edits.update_invoice(
        created, InvoiceFields.model_validate({"dueDate": "2027-01-15"}), actor=ACTOR, now=NOW
    )

    assert (created.invoiceDate, created.paymentTermDays) == (datetime(2026, 11, 22, tzinfo=UTC), 39)
    assert created.dueDate == datetime(2026, 12, 31, tzinfo=UTC)
    assert moved.invoice.dueDate == datetime(2027, 1, 15, tzinfo=UTC)
    assert moved.event.description == "Updated paymentTermDays."
    seed_001_echo = InvoiceFields.model_validate({"dueDate": "2027-01-15T00:00:00Z", "paymentTermDays": 3})
    assert seed_001_echo.model_dump(exclude_unset=True) == {"paymentTermDays": 3}


def test_a_due_date_before_the_invoice_date_is_refused_naming_due_date():
    with pytest.raises(ValidationFailed) as refused:
        draft(SEED_003_BODY | {"invoiceDate": "2026-11-22T00:00:00Z", "dueDate": "2026-11-01"})

    assert refused.value.field_errors == {"dueDate": ["Not before the invoice date."]}


def test_seed_003s_publish_keeps_the_processor_and_customer_ids():
    request = PublishRequest(
        cardPaymentProcessorId="proc-card", customerId="c-1", achAllowFasterProcessing=True
    )

    fields = publish_fields(request, draft(), NOW)

    assert (fields.cardPaymentProcessorId, fields.customerId, fields.achAllowFasterProcessing) == (
        "proc-card",
        "c-1",
        True,
    )
