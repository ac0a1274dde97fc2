"""The canonical invoice: seed 001's invoice JSON, extended with seed 003's buyer and pricing data.

Field names are the JSON contract (camelCase). Derived figures (row totals, tax, invoice totals,
dueDate) are always computed by `invoicing.invoices.calculator`; values a client sends for them are
accepted and ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    computed_field,
    field_validator,
    model_validator,
)

from invoicing.countries import alpha2_code, country_code, numeric_code
from invoicing.formatting import LOCALES
from invoicing.invoices.calculator import (
    LEGACY_CALCULATION_VERSION,
    LineTerms,
    TaxRounding,
    legacy_tax_breakdown,
    line_net,
)
from invoicing.invoices.enums import (
    AttachmentType,
    DocumentType,
    EventType,
    InvoiceStatus,
    InvoiceType,
    NotificationChannel,
    PaymentMethod,
    PdfRendition,
    QuantityType,
    RowType,
)
from invoicing.money import currency_codes, is_currency
from invoicing.printable import RANGES, unprintable

MAX_ROWS = 1000
MAX_AMOUNT = Decimal("1e12")


def _utc(moment: datetime) -> datetime:
    """Naive timestamps are taken as UTC; everything is stored and shown in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _not_a_number(value: object) -> object:
    """A timestamp is ISO 8601 text: pydantic alone would read a number, 0 say, as a Unix time."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise ValueError("Give the time as ISO 8601 text, e.g. 2026-11-22T10:00:00Z.")
    return value


def _currency(code: str) -> str:
    if not is_currency(code):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


_EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,190}\.[A-Za-z]{2,63}$")
#: what Python's `\s` matches, spelt out for the OpenAPI document (an ECMA-262 `\s` matches less)
_WHITESPACE = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def _locale(code: str) -> str:
    if code not in LOCALES:
        raise ValueError(f"{code!r} is not a supported locale: use one of {', '.join(sorted(LOCALES))}")
    return code


def _printable(text: str, *, multiline: bool) -> str:
    """Refuse what the invoice's PDF could not print, rather than drop it when rendering."""
    missing = unprintable(text, multiline=multiline)
    if missing:
        shown = ", ".join(f"{character!r} (U+{ord(character):04X})" for character in missing[:5])
        raise ValueError(f"holds characters an invoice cannot print: {shown}")
    return text


def _one_line(text: str) -> str:
    return _printable(text, multiline=False)


def _lines(text: str) -> str:
    return _printable(text, multiline=True)


def _printable_pattern(*, multiline: bool) -> dict[str, str]:
    """The same rule as a JSON Schema pattern, so that the OpenAPI document states it."""
    ranges = "".join(f"\\u{first:04X}-\\u{last:04X}" for first, last in RANGES)
    return {"pattern": "^[" + ranges + ("\\t\\n\\r" if multiline else "") + "]*$"}


def _email(address: str) -> str:
    if not _EMAIL.fullmatch(address):
        raise ValueError("is not a valid e-mail address")
    return address


#: amounts leave the API as JSON numbers with their exact digits, written by `invoicing.api.json_numbers`
#: from the python-mode dump (pydantic's own JSON mode keeps them exact as strings)
_as_number = WithJsonSchema({"type": "number"}, mode="serialization")
Amount = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=6), _as_number]
Money = Annotated[Decimal, _as_number]
#: a payment's sign and minor units are checked by the lifecycle, which says what is wrong
PaymentAmount = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Quantity = Annotated[Decimal, Field(gt=-Decimal("1e9"), lt=Decimal("1e9"), decimal_places=6), _as_number]
Percentage = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4), _as_number]
Timestamp = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_utc)]
CurrencyCode = Annotated[
    str,
    StringConstraints(min_length=3, max_length=3),
    AfterValidator(_currency),
    Field(json_schema_extra={"enum": currency_codes()}),
]
Locale = Annotated[str, AfterValidator(_locale), Field(json_schema_extra={"enum": sorted(LOCALES)})]
Email = Annotated[
    str,
    StringConstraints(max_length=254, strip_whitespace=True),
    AfterValidator(_email),
    Field(json_schema_extra={"pattern": _EMAIL.pattern.replace(r"\s", _WHITESPACE)}),
]
ShortText = Annotated[
    str,
    StringConstraints(max_length=200),
    AfterValidator(_one_line),
    Field(json_schema_extra=_printable_pattern(multiline=False)),
]
CountryCode = Annotated[str, StringConstraints(min_length=2, max_length=2), AfterValidator(country_code)]
TaxId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=30)]
Text = Annotated[
    str,
    StringConstraints(max_length=2_000),
    AfterValidator(_lines),
    Field(json_schema_extra=_printable_pattern(multiline=True)),
]
LongText = Annotated[
    str,
    StringConstraints(max_length=20_000),
    AfterValidator(_lines),
    Field(json_schema_extra=_printable_pattern(multiline=True)),
]


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Each invalid field by its path in the document (`rows[3].total`), with its messages."""
    errors: dict[str, list[str]] = {}
    for issue in error.errors():
        name = ""
        for part in issue["loc"]:
            name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
        errors.setdefault(name or "body", []).append(issue["msg"])
    return errors


def _nulls_omitted(data: Any) -> Any:
    """A JSON null in a new object is the same as leaving the field out: its default applies."""
    if isinstance(data, dict):
        return {name: value for name, value in data.items() if value is not None}
    return data


class Address(ApiModel):
    """A postal address. `country` (ISO 3166-1 alpha-2) and seed 003's `countryId` (the same
    country's ISO 3166-1 numeric code) name one country: either may be sent, both are answered."""

    line1: ShortText | None = None
    line2: ShortText | None = None
    city: ShortText | None = None
    zip: Annotated[str, StringConstraints(max_length=20)] | None = None
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. DE.")
    countryId: int | None = Field(default=None, description="ISO 3166-1 numeric, e.g. 276 for DE; 0 is none.")
    stateId: int | None = None
    stateName: ShortText | None = None

    @field_validator("countryId")
    @classmethod
    def _same_country(cls, numeric: int | None, info: ValidationInfo) -> int | None:
        """0, which names no country, is seed 003's placeholder for none."""
        if not numeric:
            return None
        alpha2 = alpha2_code(numeric)
        if alpha2 is None:
            raise ValueError(f"{numeric} is not an ISO 3166-1 numeric country code")
        country = info.data.get("country")
        if country is not None and country != alpha2:
            raise ValueError(f"{numeric} is {alpha2}, not the country {country}")
        return numeric

    @model_validator(mode="after")
    def _both_country_codes(self) -> Address:
        if self.country is None and self.countryId is not None:
            self.country = alpha2_code(self.countryId)
        elif self.country is not None and self.countryId is None:
            self.countryId = numeric_code(self.country)
        return self


class Customer(ApiModel):
    """Seed 003's buyer."""

    firstName: ShortText | None = None
    lastName: ShortText | None = None
    companyName: ShortText | None = None
    vatId: TaxId | None = Field(default=None, description="The buyer's VAT identifier (BT-48).")
    email: Email | None = None
    mobilePhoneNumber: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{4,20}$")] | None = None
    isMobileNumberSmsNotificationsEnabled: bool = False
    useBillingAsShippingAddress: bool = True
    billingAddress: Address | None = None
    shippingAddress: Address | None = None


class SellerAddress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: ShortText | None = None
    line2: ShortText | None = None
    city: ShortText | None = None
    zip: Annotated[str, StringConstraints(max_length=20)] | None = None
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. DE.")


class Seller(BaseModel):
    """The seller printed on an invoice: the tenant's settings (`/v1/settings`), kept on the invoice
    as they were when it was issued. IBAN, BIC and VAT id are checked when the settings are saved."""

    model_config = ConfigDict(extra="forbid")

    legalName: ShortText | None = None
    address: SellerAddress | None = None
    vatId: TaxId | None = Field(default=None, description="VAT identifier with its country prefix (BT-31).")
    taxNumber: TaxId | None = Field(default=None, description="National tax number (BT-32).")
    iban: Annotated[str, StringConstraints(max_length=42)] | None = None
    bic: Annotated[str, StringConstraints(max_length=11)] | None = None
    email: Email | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()/.-]{4,30}$")] | None = None
    paymentInstructions: Text | None = None


class MerchantContactInfo(ApiModel):
    """Seed 003's view of the seller."""

    addressLine1: str | None = None
    addressLine2: str | None = None
    city: str | None = None
    zip: str | None = None
    countryId: int | None = None
    stateId: int | None = None
    stateName: str | None = None
    email: str | None = None
    businessPhoneNumber: str | None = None

    @classmethod
    def of(cls, seller: Seller) -> MerchantContactInfo:
        address = seller.address or SellerAddress()
        return cls(
            addressLine1=address.line1,
            addressLine2=address.line2,
            city=address.city,
            zip=address.zip,
            countryId=numeric_code(address.country) if address.country else None,
            email=seller.email,
            businessPhoneNumber=seller.phone,
        )


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

    _null_is_default = model_validator(mode="before")(_nulls_omitted)


#: seed 003's `unitTypeId` of each quantity type (0, the seed's placeholder, is a plain amount)
UNIT_TYPE_IDS = {quantity_type: index for index, quantity_type in enumerate(QuantityType, start=1)}


class LineItem(ApiModel):
    """Seed 003's line item: a row whose `lineItemId` is its `productId` and `unitTypeId` its
    `quantityType` (UNIT_TYPE_IDS). Its `totalAmount` is recomputed like every derived figure."""

    id: ShortText | None = None
    lineItemId: ShortText | None = None
    unitTypeId: Annotated[int, Field(ge=0, le=len(UNIT_TYPE_IDS))] | None = None
    productName: ShortText | None = None
    description: Text | None = None
    sku: ShortText | None = None
    unitPrice: Amount
    quantity: Quantity
    discountPercentage: Percentage = Decimal(0)
    totalAmount: Amount | None = Field(
        default=None, description="Ignored unless `canPriceBeForceOverrided`: the server's arithmetic wins."
    )

    def row(self) -> RowInput:
        quantity_types = {index: quantity_type for quantity_type, index in UNIT_TYPE_IDS.items()}
        values: dict[str, object] = {
            "id": self.id,
            "productId": self.lineItemId,
            "quantityType": quantity_types.get(self.unitTypeId or 0, QuantityType.AMOUNT),
            "productName": self.productName,
            "description": self.description,
            "sku": self.sku,
            "unitPrice": self.unitPrice,
            "quantity": self.quantity,
            "discountPercentage": self.discountPercentage,
        }
        return RowInput.model_validate(values)


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


class TaxBreakdown(ApiModel):
    """The tax of one rate (EN 16931 BG-23)."""

    rate: Money
    taxableAmount: Money
    taxAmount: Money


class Event(ApiModel):
    id: str
    type: EventType
    date: datetime
    authorId: str
    description: str
    transactionId: str | None = Field(default=None, description="A payment's event: its transaction.")
    paymentMethod: PaymentMethod | None = Field(default=None, description="A payment's event: its method.")
    errorCode: str | None = Field(default=None, description="A failed step: its code (e.g. a decline code).")
    errorMessage: str | None = Field(default=None, description="A failed step: what went wrong.")
    channel: NotificationChannel | None = Field(default=None, description="A notification's channel.")
    recipient: str | None = Field(default=None, description="A notification's address or E.164 number.")


class Attachment(ApiModel):
    blobId: str
    created: datetime
    extension: str
    fileSize: int
    name: str
    type: AttachmentType
    #: for the invoice's own PDFs (`pdf`, `paidPdf`): which rendition this is
    rendition: PdfRendition | None = None


class _AgreementTerms(ApiModel):
    autoSend: bool = Field(default=False, description="Publish and mail each invoice; else it is a draft.")
    endDate: Timestamp | None = Field(default=None, description="No invoice of the series falls after it.")
    intervalDays: Annotated[int, Field(ge=0, le=3650)] = 0
    intervalMonths: Annotated[int, Field(ge=0, le=120)] = 0


class RecurringAgreementInput(_AgreementTerms):
    """A recurring agreement as a client sends it: it makes the invoice a template of a series."""

    nextInvoiceDate: Timestamp = Field(description="When the next invoice of the series is issued.")

    @model_validator(mode="after")
    def _a_series(self) -> RecurringAgreementInput:
        if self.intervalDays == 0 and self.intervalMonths == 0:
            raise ValueError("intervalDays or intervalMonths must be above 0")
        if self.endDate is not None and self.endDate <= self.nextInvoiceDate:
            raise ValueError("endDate must be after nextInvoiceDate")
        return self


class RecurringAgreement(_AgreementTerms):
    """A template's agreement and its plan. The k-th invoice after the anchor falls on `anchorDate`
    plus k intervals, clamped to the month's end (`invoicing.recurring.schedule`)."""

    nextInvoiceDate: Timestamp | None = Field(
        default=None, description="The next invoice's date; none once the series is over."
    )
    anchorDate: Timestamp | None = Field(default=None, description="The date the plan counts from.")
    anchorOccurrence: int = Field(
        default=0, description="How many invoices the template had issued when the plan was set."
    )

    @model_validator(mode="after")
    def _anchored(self) -> RecurringAgreement:
        if self.anchorDate is None:
            self.anchorDate = self.nextInvoiceDate
        return self


class RecurringSource(ApiModel):
    """On an invoice a series issued: its template and its place in the series (from 1)."""

    id: str
    occurrence: int


class Reminder(ApiModel):
    createdBy: str
    sentOn: datetime


class PublicLink(ApiModel):
    """The invoice's hosted page link: its token and short code are keyed hashes of `id`
    (`invoicing.public_links.keys`), so neither is stored."""

    id: str
    issuedAt: datetime


class ReminderStep(ApiModel):
    """A step of the tenant's reminder cadence (`/v1/settings`, `reminders.cadenceDays`)."""

    step: int = Field(description="The step's place in the cadence, from 1.")
    daysAfterDue: int = Field(description="Days after the due date the step falls due.")
    at: datetime = Field(description="When the step falls due: the due date plus `daysAfterDue`.")


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
    processorTransactionId: str | None = Field(
        default=None, description="The payment processor's id of a card or ACH payment."
    )
    surchargeAmount: Money | None = Field(
        default=None, description="The card surcharge paid on top of `amount`."
    )
    cashDiscountAmount: Money | None = Field(
        default=None, description="The bank debit's cash discount: settled as part of `amount`, not paid."
    )


class CreditedInvoice(ApiModel):
    """On a credit note: the invoice it corrects (EN 16931 BG-3)."""

    id: str
    invoiceNumber: str
    invoiceDate: datetime


class CreditNoteLink(ApiModel):
    """On an invoice: one of the credit notes that correct it."""

    id: str
    invoiceNumber: str
    total: Money
    created: datetime


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
    recurringAgreement: RecurringAgreementInput | None = None
    customer: Customer | None = None
    discountPercentage: Percentage | None = None
    feesPercentage: Percentage | None = None
    shippingAmount: Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=6)] | None = None
    feesTaxRate: Percentage | None = Field(
        default=None, description="Tax rate of the fees (a document charge); 0 when not sent."
    )
    shippingTaxRate: Percentage | None = Field(
        default=None, description="Tax rate of the shipping (a document charge); 0 when not sent."
    )
    locale: Locale | None = Field(
        default=None, description="How the PDF and mail write amounts and dates; `en` when not sent."
    )
    taxPercentage: Percentage | None = Field(
        default=None,
        description="Seed 003: the tax rate of each line sent with it that carries no `taxRate` of its own.",
    )
    lineItems: Annotated[list[LineItem], Field(max_length=MAX_ROWS)] | None = Field(
        default=None, description="Seed 003's lines: they become the invoice's `rows` (not both)."
    )
    canPriceBeForceOverrided: bool | None = Field(
        default=None,
        description=(
            "Seed 003. A client's line `totalAmount` never stands: the server's arithmetic wins. "
            "Without this flag (the default) a sent `totalAmount` is ignored; with it, one that differs "
            "from the server's is 400, so a forced price is never charged unnoticed."
        ),
    )
    cardPaymentProcessorId: ShortText | None = Field(
        default=None, description="Seed 003: the processor card payments go through (else the tenant's)."
    )
    achPaymentProcessorId: ShortText | None = Field(
        default=None, description="Seed 003: the processor ACH payments go through (else the tenant's)."
    )
    merchantContactInfoId: ShortText | None = None
    customerId: ShortText | None = None
    achAllowFasterProcessing: bool | None = None
    dueDate: Timestamp | None = Field(
        default=None,
        description=(
            "Seed 003: sets paymentTermDays from the invoice date (an invoice without one is dated "
            "today). Ignored when paymentTermDays is sent: seed 001's dueDate is derived."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _additional_notes_is_note(cls, data: Any) -> Any:
        """Seed 003's `additionalNotes` is our `note`; `note` wins when both are sent."""
        if isinstance(data, dict) and "additionalNotes" in data and data.get("note") is None:
            data = {**data, "note": data["additionalNotes"]}
        return data

    @model_validator(mode="after")
    def _seed_003_lines(self) -> Self:
        """`lineItems` become `rows`; `taxPercentage` is the rate of the lines without their own."""
        sent = self.__pydantic_fields_set__
        if "paymentTermDays" in sent:
            self.dueDate = None
            sent.discard("dueDate")
        if self.lineItems is not None:
            if "rows" in sent and self.rows:
                raise ValueError("Send rows or lineItems, not both.")
            if self.canPriceBeForceOverrided:
                _no_forced_totals(self.lineItems, self.currency)
            self.rows = [item.row() for item in self.lineItems]
            sent.add("rows")
        self.lineItems = self.canPriceBeForceOverrided = None
        sent.difference_update({"lineItems", "canPriceBeForceOverrided"})
        if self.taxPercentage is not None:
            if self.rows is None:
                raise ValueError("taxPercentage applies to the lines sent with it: send lineItems too.")
            rate = self.taxPercentage
            self.rows = [
                row if "taxRate" in row.model_fields_set else row.model_copy(update={"taxRate": rate})
                for row in self.rows
            ]
        return self


def _no_forced_totals(items: list[LineItem], currency: str | None) -> None:
    """Refuse a line whose `totalAmount` is not the server's: a forced price never stands."""
    for index, item in enumerate(items):
        if item.totalAmount is None:
            continue
        terms = LineTerms(item.quantity, item.unitPrice, item.discountPercentage)
        exact = terms.quantity * terms.unit_price * (100 - terms.discount_percentage) / 100
        places = Decimal(1).scaleb(min(item.totalAmount.as_tuple().exponent, 0))  # type: ignore[arg-type]
        computed = line_net(terms, currency) if currency else exact.quantize(places, ROUND_HALF_UP)
        if computed != item.totalAmount:
            raise ValueError(
                f"lineItems[{index}].totalAmount is {item.totalAmount}, but the line comes to {computed}: "
                "the server's arithmetic wins, a forced price never stands."
            )


class InvoiceCreate(InvoiceFields):
    """A new invoice; `currency` and `paymentTermDays` default to the tenant's settings. A null is the
    same as leaving the field out (on an update it clears the field instead)."""

    rows: Annotated[list[RowInput], Field(max_length=MAX_ROWS)] = Field(default_factory=list)

    _null_is_default = model_validator(mode="before")(_nulls_omitted)


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
    seller: Seller | None = Field(
        default=None, description="The seller as it was when the invoice was issued; none on drafts."
    )
    documentType: DocumentType = Field(
        default=DocumentType.INVOICE, description="INVOICE, or CREDIT_NOTE for a credit note."
    )
    creditedInvoice: CreditedInvoice | None = Field(
        default=None, description="On a credit note: the invoice it corrects."
    )
    creditNotes: list[CreditNoteLink] = Field(
        default_factory=list, description="On an invoice: the credit notes that correct it."
    )
    mailBody: str | None = None
    reminderBody: str | None = None
    milestoneId: str | None = None
    note: str | None = None
    opportunityId: str | None = None
    paymentReference: str | None = None
    salesOrderId: str | None = None
    subsidiaryId: str | None = None
    recurringAgreement: RecurringAgreement | None = None
    taxPercentage: Money | None = Field(default=None, description="Seed 003's invoice-level tax rate.")
    cardPaymentProcessorId: str | None = None
    achPaymentProcessorId: str | None = None
    merchantContactInfoId: str | None = None
    customerId: str | None = None
    achAllowFasterProcessing: bool | None = None
    recurringTemplate: RecurringSource | None = Field(
        default=None, description="On an invoice a recurring agreement issued: its template."
    )
    recurringInvoicesIssued: int = Field(
        default=0, description="How many invoices this invoice issued as a recurring template (only grows)."
    )
    scheduledSendAt: datetime | None = Field(
        default=None, description="When a SCHEDULED invoice is published and mailed; none if none is planned."
    )
    scheduledSendFollowsInvoiceDate: bool = Field(
        default=False, description="The send time is the invoice date: changing the date moves the send."
    )
    scheduledPdf: Attachment | None = Field(
        default=None, description="The client's own PDF the scheduled send mails instead of ours."
    )
    rows: list[Row] = Field(default_factory=list)
    discountPercentage: Money = Decimal(0)
    feesPercentage: Money = Decimal(0)
    shippingAmount: Money = Decimal(0)
    feesTaxRate: Money = Decimal(0)
    shippingTaxRate: Money = Decimal(0)
    locale: str | None = None
    linesTotal: Money = Field(default=Decimal(0), description="Sum of the row totals (BT-106).")
    discountAmount: Money = Decimal(0)
    feesAmount: Money = Decimal(0)
    totalExcludingTax: Money = Decimal(0)
    totalTax: Money = Decimal(0)
    totalWithTax: Money = Decimal(0)
    total: Money = Decimal(0)
    taxBreakdown: list[TaxBreakdown] = Field(default_factory=list, description="One entry per tax rate.")
    calculationVersion: int = Field(
        default=LEGACY_CALCULATION_VERSION,
        description="The rule the figures were computed with (ARCHITECTURE.md, Money); kept once issued.",
    )
    taxRounding: TaxRounding | None = Field(
        default=None, description="PER_RATE or PER_LINE; none on invoices of calculation version 1."
    )
    paid: Money = Decimal(0)
    paidExcludingTax: Money = Decimal(0)
    credited: Money = Field(default=Decimal(0), description="What the invoice's credit notes take off it.")
    datePaid: datetime | None = None
    overdueNotifiedAt: datetime | None = None
    nextReminder: ReminderStep | None = Field(
        default=None, description="The reminder planned next (the overdue job), none when none is."
    )
    lastReminder: ReminderStep | None = Field(
        default=None, description="The last step of the cadence the overdue job reached (and mailed)."
    )
    publicLink: PublicLink | None = Field(
        default=None, description="The hosted page's link, from publishing on; none on drafts."
    )
    transactions: list[Transaction] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    pdf: Attachment | None = Field(
        default=None,
        description="A draft's preview, or the original a published invoice was issued with (kept as is).",
    )
    paidPdf: Attachment | None = Field(default=None, description="The paid copy: the original stamped PAID.")
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

    @model_validator(mode="after")
    def _legacy_figures(self) -> Invoice:
        """Invoices of calculation version 1 were stored without a breakdown and a lines total: both
        follow from their stored rows, as that rule computed them."""
        if self.calculationVersion == LEGACY_CALCULATION_VERSION and not self.taxBreakdown and self.rows:
            self.taxBreakdown = [
                TaxBreakdown(rate=item.rate, taxableAmount=item.taxable_amount, taxAmount=item.tax_amount)
                for item in legacy_tax_breakdown((row.taxRate, row.total, row.taxAmount) for row in self.rows)
            ]
            self.linesTotal = self.totalExcludingTax
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def amountDue(self) -> Money:
        """What is still to be paid (EN 16931 BT-115): `total` less `paid` and `credited` (negative
        when credit notes took off more than was left to pay: the customer's credit)."""
        return self.total - self.paid - self.credited

    @computed_field  # type: ignore[prop-decorator]
    @property
    def additionalNotes(self) -> str | None:
        """Seed 003's name for `note`."""
        return self.note

    @computed_field  # type: ignore[prop-decorator]
    @property
    def merchantContactInfo(self) -> MerchantContactInfo | None:
        """Seed 003's seller contact, from the seller as issued."""
        return MerchantContactInfo.of(self.seller) if self.seller is not None else None
