"""Seed 003's publish request: update and publish in one step."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from invoicing.errors import ValidationFailed
from invoicing.invoices.model import (
    ApiModel,
    Customer,
    InvoiceFields,
    LineItem,
    LongText,
    Percentage,
    RowInput,
    ShortText,
)
from invoicing.invoices.model import Invoice as InvoiceModel

#: InvoiceFields.paymentTermDays' bound: a due date further away cannot be stored
MAX_PAYMENT_TERM_DAYS = 3650


class PublishRequest(ApiModel):
    """Seed 003's publish body. Payment-processor ids are accepted for compatibility and not used
    until card and ACH payments exist."""

    dueDate: date | None = None
    additionalNotes: LongText | None = None
    shippingAmount: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=6)] | None = None
    taxPercentage: Percentage | None = None
    feesPercentage: Percentage | None = None
    discountPercentage: Percentage | None = None
    customer: Customer | None = None
    lineItems: Annotated[list[LineItem], Field(max_length=1000)] | None = None
    cardPaymentProcessorId: ShortText | None = None
    achPaymentProcessorId: ShortText | None = None
    merchantContactInfoId: ShortText | None = None
    customerId: ShortText | None = None
    achAllowFasterProcessing: bool | None = None
    canPriceBeForceOverrided: bool | None = None


#: what a publish request sets on the invoice as it is sent
_KEPT_AS_SENT = (
    "shippingAmount",
    "feesPercentage",
    "discountPercentage",
    "customer",
    "cardPaymentProcessorId",
    "achPaymentProcessorId",
    "merchantContactInfoId",
    "customerId",
    "achAllowFasterProcessing",
)


class PublishResponse(ApiModel):
    id: str


def publish_fields(request: PublishRequest, invoice: InvoiceModel, now: datetime) -> InvoiceFields:
    """The invoice update a publish request asks for (only the fields it sets)."""
    values: dict[str, object] = {}
    if request.additionalNotes is not None:
        values["note"] = request.additionalNotes
    for name in _KEPT_AS_SENT:
        if getattr(request, name) is not None:
            values[name] = getattr(request, name)
    tax_rate = request.taxPercentage
    if request.lineItems is not None:
        rate = tax_rate if tax_rate is not None else Decimal(0)
        values["rows"] = [item.row().model_copy(update={"taxRate": rate}) for item in request.lineItems]
    elif tax_rate is not None:
        values["rows"] = [
            RowInput.model_validate(row.model_dump() | {"taxRate": tax_rate}) for row in invoice.rows
        ]
    if request.dueDate is not None:
        values["paymentTermDays"] = _term_days(request.dueDate, (invoice.invoiceDate or now).date())
    return InvoiceFields.model_validate(values)


def _term_days(due_date: date, invoice_date: date) -> int:
    days = (due_date - invoice_date).days
    if days < 0:
        raise ValidationFailed(
            "The due date is before the invoice date.",
            field_errors={"dueDate": ["Not before the invoice date."]},
        )
    if days > MAX_PAYMENT_TERM_DAYS:
        raise ValidationFailed(
            f"The due date is more than {MAX_PAYMENT_TERM_DAYS} days after the invoice date.",
            field_errors={"dueDate": [f"At most {MAX_PAYMENT_TERM_DAYS} days after the invoice date."]},
        )
    return days


def with_due_date[F: InvoiceFields](fields: F, invoice_date: datetime | None, now: datetime) -> F:
    """Seed 003's `dueDate` in a create or update body as the payment terms from the invoice date.
    An invoice without a date is dated today, so that the due date stands when it is published."""
    if fields.dueDate is None:
        return fields
    dated = invoice_date or now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = _term_days(fields.dueDate.date(), dated.date())
    update: dict[str, object] = {"paymentTermDays": days, "dueDate": None}
    if invoice_date is None:
        update["invoiceDate"] = dated
    terms = fields.model_copy(update=update)
    terms.__pydantic_fields_set__.discard("dueDate")
    return terms
