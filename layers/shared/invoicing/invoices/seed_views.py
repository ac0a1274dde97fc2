"""Seed 003's view of an invoice and of what each payment method costs (`GET /v1/invoices/{id}`,
`GET /v1/invoices/{id}/calculations`).

One stored invoice, two views: seed 001's routes answer the stored `Invoice`; these answer seed
003's shape of the same invoice. Every figure is the calculator's: the stored ones (computed by
`invoicing.invoices.calculator` when the invoice was priced) and, per method, its `method_price` of
the balance (`invoicing.payments.method_prices.price_for`).

Seed 003's integer ids (`seed_ids`; ZERO_COST_PROCESSING_OPTIONS and the `history` typeIds: an
EventType's place in `enums.EventType`, from 1) are listed in ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pydantic import Field

from invoicing.invoices.calculator import MethodPrice, canonical_rate
from invoicing.invoices.enums import EventType, InvoiceStatus, NotificationChannel
from invoicing.invoices.lifecycle import MARKED_AS_PAID
from invoicing.invoices.model import (
    UNIT_TYPE_IDS,
    ApiModel,
    Customer,
    Event,
    Invoice,
    MerchantContactInfo,
    Money,
    Transaction,
)
from invoicing.invoices.seed_ids import PAYMENT_METHOD_TYPE_IDS, STATUS_IDS
from invoicing.payments.method_prices import PaymentMethodOption, PaymentSettings, price_for
from invoicing.public_links.urls import PublicUrls
from invoicing.tenants.settings import TenantSettings

#: seed 003's `zeroCostProcessingOptionId` and its name: how card and bank fees are passed on
ZERO_COST_PROCESSING_OPTIONS = {0: "None", 1: "Surcharge", 2: "CashDiscount", 3: "SurchargeAndCashDiscount"}
HISTORY_TYPE_IDS = {event_type: index for index, event_type in enumerate(EventType, start=1)}
_MAIL_EVENTS = {
    EventType.MAIL_QUEUED,
    EventType.MAIL_SENT,
    EventType.REMINDER_SENT,
    EventType.DELIVERED,
    EventType.BOUNCED,
    EventType.COMPLAINED,
    EventType.DELIVERY_FAILED,
    EventType.MAIL_CANCELLED,
    EventType.SMS_QUEUED,
    EventType.SMS_SENT,
    EventType.NOTIFICATION_DECLINED,
}
_FAILED_EVENTS = {
    EventType.BOUNCED,
    EventType.COMPLAINED,
    EventType.DELIVERY_FAILED,
    EventType.NOTIFICATION_DECLINED,
}
#: seed 003's notificationType and its id per channel (mail events without one are e-mail)
_NOTIFICATION_TYPES = {NotificationChannel.EMAIL: ("Email", 1), NotificationChannel.SMS: ("Sms", 2)}
_INVOICE_TEMPLATE, _REMINDER_TEMPLATE = 1, 2


class Calculation(ApiModel):
    """The figures of paying the invoice's balance by one method (or at the base price)."""

    subTotalAmount: Money = Field(description="The lines' total (their nets).")
    shippingAmount: Money
    taxPercentage: Money
    taxAmount: Money
    feesPercentage: Money
    feesAmount: Money
    discountPercentage: Money
    discountAmount: Money
    surchargePercentage: Money
    surchargeAmount: Money
    cashDiscountPercentage: Money
    cashDiscountAmount: Money
    totalAmount: Money = Field(description="The balance + surcharge - cash discount, each rounded once.")


class CalculationsView(Calculation):
    """Seed 003's calculations body."""

    id: str


class InvoiceCalculations(ApiModel):
    debitCard: Calculation
    creditCard: Calculation
    ach: Calculation


class LineItemView(ApiModel):
    id: str
    lineItemId: str | None = Field(description="The row's productId.")
    unitTypeId: int = Field(description="The row's quantityType (ARCHITECTURE.md, seed 003's ids).")
    productName: str | None
    description: str | None
    sku: str | None
    unitPrice: Money
    quantity: Money
    discountPercentage: Money
    totalAmount: Money = Field(description="The line's net, as the calculator computed it.")


class HistoryEntry(ApiModel):
    id: str
    invoiceId: str
    typeId: int
    typeName: str
    errorCode: str | None = None
    errorMessage: str | None = None
    notificationId: str | None = None
    notificationType: str | None = None
    notificationTypeId: int | None = None
    notificationTemplateType: str | None = None
    notificationTemplateTypeId: int | None = None
    notificationTarget: str | None = None
    transactionId: str | None = None
    paymentMethodTypeId: int | None = None
    createdOn: datetime


class SeedInvoice(ApiModel):
    """Seed 003's invoice: the stored invoice, read through seed 003's names and ids."""

    id: str
    number: str | None
    status: int = Field(description="1 Draft, 2 Scheduled, 3 Due, 4 Partially paid, 5 Past due, 6 Paid, ...")
    issueDate: datetime | None
    dueDate: datetime | None
    paymentDate: datetime | None
    cardPaymentProcessorId: str | None
    achPaymentProcessorId: str | None
    additionalNotes: str | None
    subTotalAmount: Money
    shippingAmount: Money
    totalAmount: Money
    taxPercentage: Money
    feesPercentage: Money
    discountPercentage: Money
    surchargePercentage: Money = Field(description="What paying the balance by credit card adds.")
    surchargeAmount: Money = Field(
        description="The surcharges paid, plus paying the balance by credit card's."
    )
    cashDiscountPercentage: Money = Field(description="What paying the balance by ACH takes off.")
    cashDiscountAmount: Money = Field(description="The cash discounts had, plus paying the balance by ACH's.")
    paymentMethodTypeId: int = Field(description="The last payment's method; 0 while unpaid.")
    merchantId: str = Field(description="The tenant.")
    merchantContactInfoId: str | None
    merchantContactInfo: MerchantContactInfo
    customerId: str | None
    customer: Customer | None
    lineItems: list[LineItemView]
    isCustomerUpdated: bool = Field(
        description="An update changed the customer after the invoice was created."
    )
    isLineItemsUpdated: bool = Field(description="An update changed the lines after the invoice was created.")
    fullUrl: str | None = Field(description="The hosted invoice page; null on a draft or once expired.")
    shortUrl: str | None = Field(description="The hosted page's short link, redirecting to fullUrl.")
    markedAsPaid: bool
    transactionId: str | None = Field(description="The last payment's transaction.")
    achAllowFasterProcessing: bool
    history: list[HistoryEntry]
    zeroCostProcessingOptionId: int
    zeroCostProcessingOption: str
    useCardPrice: bool = Field(description="Card payments pay more than the base price (a surcharge is set).")
    invoiceCalculations: InvoiceCalculations


def _tax_percentage(invoice: Invoice) -> Decimal:
    """The invoice's one tax rate: its lines' when they share one, else the `taxPercentage` it was
    sent (0 if none); `taxAmount` is the tax of every rate either way."""
    rates = {canonical_rate(row.taxRate) for row in invoice.rows if row.type != "TEXT"}
    if len(rates) == 1:
        return rates.pop()
    return invoice.taxPercentage or Decimal(0)


def balance(invoice: Invoice) -> Decimal:
    """What is left to pay, never below 0 (credit notes may take off more)."""
    return max(invoice.amountDue, Decimal(0))


def calculation(invoice: Invoice, price: MethodPrice) -> Calculation:
    return Calculation(
        subTotalAmount=invoice.linesTotal,
        shippingAmount=invoice.shippingAmount,
        taxPercentage=_tax_percentage(invoice),
        taxAmount=invoice.totalTax,
        feesPercentage=invoice.feesPercentage,
        feesAmount=invoice.feesAmount,
        discountPercentage=invoice.discountPercentage,
        discountAmount=invoice.discountAmount,
        surchargePercentage=price.surcharge_percentage,
        surchargeAmount=price.surcharge_amount,
        cashDiscountPercentage=price.cash_discount_percentage,
        cashDiscountAmount=price.cash_discount_amount,
        totalAmount=price.total,
    )


def method_calculation(
    invoice: Invoice, settings: PaymentSettings, method: PaymentMethodOption | None
) -> Calculation:
    return calculation(invoice, price_for(balance(invoice), invoice.currency, method, settings))


def calculations_view(
    invoice: Invoice, settings: PaymentSettings, method: PaymentMethodOption | None
) -> CalculationsView:
    figures = method_calculation(invoice, settings, method)
    return CalculationsView(id=invoice.id, **figures.model_dump())


def _line_items(invoice: Invoice) -> list[LineItemView]:
    return [
        LineItemView(
            id=row.id,
            lineItemId=row.productId,
            unitTypeId=UNIT_TYPE_IDS[row.quantityType],
            productName=row.productName,
            description=row.description,
            sku=row.sku,
            unitPrice=row.unitPrice,
            quantity=row.quantity,
            discountPercentage=row.discountPercentage,
            totalAmount=row.total,
        )
        for row in invoice.rows
    ]


def _updated(invoice: Invoice, field: str) -> bool:
    """An UPDATE event names `field` among the fields it changed ("Updated customer, rows.")."""
    prefix = "Updated "
    return any(
        field in event.description.removeprefix(prefix).rstrip(".").split(", ")
        for event in invoice.events
        if event.type is EventType.UPDATE and event.description.startswith(prefix)
    )


def _transaction_of(event: Event, transactions: list[Transaction]) -> Transaction | None:
    """The payment an event records: named on the event, else the one recorded at its time."""
    if event.type not in {EventType.PAYMENT_ADDED, EventType.PAYMENT_REMOVED} and event.transactionId is None:
        return None
    return next(
        (
            transaction
            for transaction in transactions
            if transaction.id == event.transactionId
            or (event.transactionId is None and transaction.created == event.date)
        ),
        None,
    )


def history_entry(invoice: Invoice, event: Event) -> HistoryEntry:
    transaction = _transaction_of(event, invoice.transactions)
    method = event.paymentMethod or (transaction.paymentMethod if transaction else None)
    failed = event.type in _FAILED_EVENTS
    entry = HistoryEntry(
        id=event.id,
        invoiceId=invoice.id,
        typeId=HISTORY_TYPE_IDS[event.type],
        typeName=event.type.value,
        errorCode=event.errorCode or (event.type.value if failed else None),
        errorMessage=event.errorMessage or (event.description if failed else None),
        transactionId=event.transactionId or (transaction.id if transaction else None),
        paymentMethodTypeId=PAYMENT_METHOD_TYPE_IDS[method] if method else None,
        createdOn=event.date,
    )
    if event.type in _MAIL_EVENTS:
        reminder = event.type is EventType.REMINDER_SENT or event.description.startswith("Reminder")
        template = _REMINDER_TEMPLATE if reminder else _INVOICE_TEMPLATE
        channel_name, channel_id = _NOTIFICATION_TYPES[event.channel or NotificationChannel.EMAIL]
        entry = entry.model_copy(
            update={
                "notificationId": event.id.split("-", 1)[0],  # the mail's id (`invoicing.mail.trail`)
                "notificationType": channel_name,
                "notificationTypeId": channel_id,
                "notificationTarget": event.recipient,
                "notificationTemplateType": "Reminder" if reminder else "Invoice",
                "notificationTemplateTypeId": template,
            }
        )
    return entry


def _paid(amounts: Iterable[Decimal | None]) -> Decimal:
    """The surcharges (or cash discounts) the invoice's card (or ACH) payments carried."""
    return sum((amount or Decimal(0) for amount in amounts), Decimal(0))


def _zero_cost_option(settings: PaymentSettings) -> int:
    return (1 if settings.creditCardSurchargePercentage else 0) + (
        2 if settings.achCashDiscountPercentage else 0
    )


def seed_invoice(invoice: Invoice, settings: TenantSettings, urls: PublicUrls | None = None) -> SeedInvoice:
    """Seed 003's shape of `invoice`, with the tenant's payment settings and seller where the invoice
    has none of its own (a draft's seller is the tenant's as it is now), and its hosted page's `urls`."""
    payments = settings.payments

    def priced(method: PaymentMethodOption) -> Calculation:
        return method_calculation(invoice, payments, method)

    credit, debit, ach = (priced(option) for option in PaymentMethodOption)
    last = invoice.transactions[-1] if invoice.transactions else None
    option = _zero_cost_option(payments)
    surcharges = _paid(paid.surchargeAmount for paid in invoice.transactions) + credit.surchargeAmount
    cash_discounts = _paid(paid.cashDiscountAmount for paid in invoice.transactions) + ach.cashDiscountAmount
    return SeedInvoice(
        id=invoice.id,
        number=invoice.invoiceNumber,
        status=STATUS_IDS[invoice.status],
        issueDate=invoice.invoiceDate,
        dueDate=invoice.dueDate,
        paymentDate=invoice.datePaid,
        cardPaymentProcessorId=invoice.cardPaymentProcessorId or payments.cardPaymentProcessorId,
        achPaymentProcessorId=invoice.achPaymentProcessorId or payments.achPaymentProcessorId,
        additionalNotes=invoice.note,
        subTotalAmount=invoice.linesTotal,
        shippingAmount=invoice.shippingAmount,
        totalAmount=invoice.total,
        taxPercentage=_tax_percentage(invoice),
        feesPercentage=invoice.feesPercentage,
        discountPercentage=invoice.discountPercentage,
        surchargePercentage=credit.surchargePercentage,
        surchargeAmount=surcharges,
        cashDiscountPercentage=ach.cashDiscountPercentage,
        cashDiscountAmount=cash_discounts,
        paymentMethodTypeId=PAYMENT_METHOD_TYPE_IDS[last.paymentMethod] if last else 0,
        merchantId=invoice.tenantId,
        merchantContactInfoId=invoice.merchantContactInfoId,
        merchantContactInfo=MerchantContactInfo.of(invoice.seller or settings.seller),
        customerId=invoice.customerId,
        customer=invoice.customer,
        lineItems=_line_items(invoice),
        isCustomerUpdated=_updated(invoice, "customer"),
        isLineItemsUpdated=_updated(invoice, "rows"),
        fullUrl=urls.full_url if urls else None,
        shortUrl=urls.short_url if urls else None,
        markedAsPaid=invoice.status is InvoiceStatus.PAID
        and any(transaction.description == MARKED_AS_PAID for transaction in invoice.transactions),
        transactionId=last.id if last else None,
        achAllowFasterProcessing=bool(invoice.achAllowFasterProcessing),
        history=[history_entry(invoice, event) for event in invoice.events],
        zeroCostProcessingOptionId=option,
        zeroCostProcessingOption=ZERO_COST_PROCESSING_OPTIONS[option],
        useCardPrice=bool(payments.creditCardSurchargePercentage),
        invoiceCalculations=InvoiceCalculations(debitCard=debit, creditCard=credit, ach=ach),
    )


class InvoiceReader(Protocol):
    def get(self, tenant_id: str, invoice_id: str) -> Invoice: ...


class SeedInvoiceViews:
    """The use case of the seed 003 read routes: one invoice read (tenant-scoped: another tenant's id
    is NotFound) and one settings read."""

    def __init__(
        self,
        invoices: InvoiceReader,
        settings_of: Callable[[str], TenantSettings],
        urls_of: Callable[[Invoice, str], PublicUrls | None] = lambda _invoice, _base: None,
    ) -> None:
        self._invoices = invoices
        self._settings_of = settings_of
        self._urls_of = urls_of

    def invoice(self, tenant_id: str, invoice_id: str, *, base_url: str = "") -> SeedInvoice:
        """`base_url`: where the hosted page's links start when the stage names none."""
        invoice = self._invoices.get(tenant_id, invoice_id)
        return seed_invoice(invoice, self._settings_of(tenant_id), self._urls_of(invoice, base_url))

    def calculations(
        self, tenant_id: str, invoice_id: str, method: PaymentMethodOption | None
    ) -> CalculationsView:
        invoice = self._invoices.get(tenant_id, invoice_id)
        return calculations_view(invoice, self._settings_of(tenant_id).payments, method)
