"""Seed 003's integer ids of our enums (listed in ARCHITECTURE.md, "Seed 003's view")."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from invoicing.invoices.enums import InvoiceStatus, PaymentMethod
from invoicing.invoices.model import ApiModel

#: seed 003's `status`: 3 is "Due", 5 "Past Due"; 3, 4 and 5 are its "published, not paid"
STATUS_IDS = {
    InvoiceStatus.DRAFT: 1,
    InvoiceStatus.SCHEDULED: 2,
    InvoiceStatus.SENT: 3,
    InvoiceStatus.PARTIALLY_PAID: 4,
    InvoiceStatus.OVERDUE: 5,
    InvoiceStatus.PAID: 6,
    InvoiceStatus.CANCELLED: 7,
    InvoiceStatus.ISSUED: 8,
}
#: seed 003's `paymentMethodTypeId`: 1 CREDIT_CARD, 2 DEBIT_CARD, 3 ACH, 4 BANK_TRANSFER, 5 CASH,
#: 6 CHECK, 7 OTHER (0: none)
PAYMENT_METHOD_TYPE_IDS = {method: index for index, method in enumerate(PaymentMethod, start=1)}
_METHODS_BY_ID = {index: method for method, index in PAYMENT_METHOD_TYPE_IDS.items()}


def _json_integer(value: object) -> object:
    """JSON Schema's integer, 3 or 3.0, and never true, false or "3", which pydantic would read as one."""
    if isinstance(value, bool | str):
        raise ValueError("Input should be an integer")
    return value


class MarkAsPaidRequest(ApiModel):
    """Seed 003's mark-as-paid body: how the balance was paid."""

    paymentMethodTypeId: Annotated[
        int, Field(ge=0, le=len(PAYMENT_METHOD_TYPE_IDS)), BeforeValidator(_json_integer)
    ] = Field(
        default=0,
        description="1 CREDIT_CARD, 2 DEBIT_CARD, 3 ACH, 4 BANK_TRANSFER, 5 CASH, 6 CHECK, 7 OTHER (0 too).",
    )

    @property
    def payment_method(self) -> PaymentMethod:
        return _METHODS_BY_ID.get(self.paymentMethodTypeId, PaymentMethod.OTHER)
