"""The canonical invoice: seed 001's invoice JSON, extended with seed 003's buyer and pricing data.

Field names are the JSON contract (camelCase). Derived figures (row totals, tax, invoice totals,
dueDate) are always computed by `invoicing.invoices.calculator`; values a client sends for them are
accepted and ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    computed_field,
    model_validator,
)

from invoicing.invoices.enums import (
    AttachmentType,
    EventType,
    InvoiceStatus,
    InvoiceType,
    PaymentMethod,
    QuantityType,
    RowType,
)
from invoicing.money import is_currency

MAX_ROWS = 1000
MAX_AMOUNT = Decimal("1e12")


def _utc(moment: datetime) -> datetime:
    """Naive timestamps are taken as UTC; everything is stored and shown in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _currency(code: str) -> str:
    if not is_currency(code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


_EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,190}\.[A-Za-z]{2,63}$")


def _email(address: str) -> str:
    if not _EMAIL.fullmatch(address):
        raise ValueError("is not a valid e-mail address")
    return address


#: JSON numbers, exact to the amount's digits (a float's shortest repr of a <= 15-digit decimal)
_as_number = PlainSerializer(float, return_type=float, when_used="json")
Amount = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=6), _as_number]
Money = Annotated[Decimal, _as_number]
Quantity = Annotated[Decimal, Field(gt=-Decimal("1e9"), lt=Decimal("1e9"), decimal_places=6), _as_number]
Percentage = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4), _as_number]
Timestamp = Annotated[datetime, AfterValidator(_utc)]
CurrencyCode = Annotated[str, StringConstraints(min_length=3, max_length=3), AfterValidator(_currency)]
Email = Annotated[str, StringConstraints(max_length=254, strip_whitespace=True), AfterValidator(_email)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=2_000)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Address(ApiModel):
    line1: ShortText | None = None
    line2: ShortText | None = None
    city: ShortText | None = None
    zip: Annotated[str, StringConstraints(max_length=20)] | None = None
    countryId: int | None = None
    stateId: int | None = None
    stateName: ShortText | None = None


class Customer(ApiModel):
    """Seed 003's buyer."""

    firstName: ShortText | None = None
    lastName: ShortText | None = None
    companyName: ShortText | None = None
    email: Email | None = None
    mobilePhoneNumber: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{4,20}$")] | None = None
    isMobileNumberSmsNotificationsEnabled: bool = False
    useBillingAsShippingAddress: bool = True
    billingAddress: Address | None = None
    shippingAddress: Address | None = None


class RowInput(ApiModel):
    """A row as a client sends it; `total`, `taxAmount` and `totalWithTax` are recomputed."""

    id: ShortText | None = None
    type: RowType = RowType.ITEM
    description: Text | None = None
    productId: ShortText | None = None
    productName: ShortText | None = None
    sku: ShortText | None = None
    quantity: Quantity
    quantityType: QuantityType = QuantityType.AMOUNT
    unitPrice: Amount
    discountPercentage: Percentage = Decimal(0)
    taxRate: Percentage = Decimal(0)


class Row(ApiModel):
    id: str
    type: RowType
    description: str | None = None
    productId: str | None = None
    productName: str | None = None
    sku: str | None = None
    quantity: Money
    quantityType: QuantityType
    unitPrice: Money
    discountPercentage: Money
    taxRate: Money
    total: Money
    taxAmount: Money
    totalWithTax: Money


class Event(ApiModel):
    id: str
    type: EventType
    date: datetime
    authorId: str
    description: str


class Attachment(ApiModel):
    blobId: str
    created: datetime
    extension: str
    fileSize: int
    name: str
    type: AttachmentType


class RecurringAgreement(ApiModel):
    autoSend: bool = False
    endDate: Timestamp | None = None
    intervalDays: Annotated[int, Field(ge=0, le=3650)] = 0
    intervalMonths: Annotated[int, Field(ge=0, le=120)] = 0
    nextInvoiceDate: Timestamp | None = None


class Reminder(ApiModel):
    createdBy: str
    sentOn: datetime


class Transaction(ApiModel):
    id: str
    tenantId: str
    accountId: str | None = None
    amount: Money
    date: datetime
    description: str | None = None
    paymentMethod: PaymentMethod
    created: datetime
    createdBy: str
    updated: datetime
    updatedBy: str


class InvoiceFields(ApiModel):
    """Everything a client may set on an invoice (create and update bodies)."""

    currency: CurrencyCode | None = None
    invoiceDate: Timestamp | None = None
    paymentTermDays: Annotated[int, Field(ge=0, le=3650)] | None = None
    rows: Annotated[list[RowInput], Field(max_length=MAX_ROWS)] | None = None
    type: InvoiceType | None = None
    clientId: ShortText | None = None
    contactEmail: Email | None = None
    mailBody: LongText | None = None
    reminderBody: LongText | None = None
    milestoneId: ShortText | None = None
    note: LongText | None = None
    opportunityId: ShortText | None = None
    paymentReference: ShortText | None = None
    salesOrderId: ShortText | None = None
    subsidiaryId: ShortText | None = None
    recurringAgreement: RecurringAgreement | None = None
    customer: Customer | None = None
    discountPercentage: Percentage | None = None
    feesPercentage: Percentage | None = None
    shippingAmount: Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=6)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _additional_notes_is_note(cls, data: Any) -> Any:
        """Seed 003's `additionalNotes` is our `note`; `note` wins when both are sent."""
        if isinstance(data, dict) and "additionalNotes" in data and data.get("note") is None:
            data = {**data, "note": data["additionalNotes"]}
        return data


class InvoiceCreate(InvoiceFields):
    currency: CurrencyCode
    rows: Annotated[list[RowInput], Field(max_length=MAX_ROWS)] = Field(default_factory=list)


class Invoice(ApiModel):
    """The invoice as the API returns it."""

    id: str
    tenantId: str
    status: InvoiceStatus
    type: InvoiceType
    invoiceNumber: str | None = None
    currency: str
    invoiceDate: datetime | None = None
    paymentTermDays: int | None = None
    dueDate: datetime | None = None
    clientId: str | None = None
    contactEmail: str | None = None
    customer: Customer | None = None
    mailBody: str | None = None
    reminderBody: str | None = None
    milestoneId: str | None = None
    note: str | None = None
    opportunityId: str | None = None
    paymentReference: str | None = None
    salesOrderId: str | None = None
    subsidiaryId: str | None = None
    recurringAgreement: RecurringAgreement | None = None
    rows: list[Row] = Field(default_factory=list)
    discountPercentage: Money = Decimal(0)
    feesPercentage: Money = Decimal(0)
    shippingAmount: Money = Decimal(0)
    discountAmount: Money = Decimal(0)
    feesAmount: Money = Decimal(0)
    totalExcludingTax: Money = Decimal(0)
    totalTax: Money = Decimal(0)
    totalWithTax: Money = Decimal(0)
    total: Money = Decimal(0)
    paid: Money = Decimal(0)
    paidExcludingTax: Money = Decimal(0)
    datePaid: datetime | None = None
    overdueNotifiedAt: datetime | None = None
    transactions: list[Transaction] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    pdf: Attachment | None = None
    reminders: list[Reminder] = Field(default_factory=list)
    sentMails: list[str] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    created: datetime
    createdBy: str
    updated: datetime
    updatedBy: str
    version: int = Field(default=0, description="Optimistic-locking version; grows by one per change.")

    def has_event(self, event_id: str) -> bool:
        """The audit trail holds the event `event_id` (steps that may arrive twice name theirs)."""
        return any(event.id == event_id for event in self.events)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def additionalNotes(self) -> str | None:
        """Seed 003's name for `note`."""
        return self.note
