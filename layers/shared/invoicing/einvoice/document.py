"""The EN 16931 semantic model, reduced to what an invoice of this service can carry.

Business terms (BT-n) and groups (BG-n) are named where a field holds one. Amounts are Decimals
exact to two decimals (EN 16931 allows no more on amounts, BR-DEC-*); quantities and prices may
have more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017"
PEPPOL_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
AMOUNT_QUANTUM = Decimal("0.01")


class DocumentType(StrEnum):
    """BT-3, UNTDID 1001."""

    INVOICE = "380"
    CREDIT_NOTE = "381"


class TaxCategory(StrEnum):
    """BT-118 / BT-151, UNCL 5305: the categories this service issues."""

    STANDARD = "S"
    ZERO_RATED = "Z"

    @classmethod
    def for_rate(cls, rate: Decimal) -> TaxCategory:
        return cls.ZERO_RATED if rate == 0 else cls.STANDARD


@dataclass(frozen=True)
class PostalAddress:
    """BG-5 / BG-8."""

    country: str
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    zip: str | None = None


@dataclass(frozen=True)
class Party:
    """The seller (BG-4) or the buyer (BG-7)."""

    name: str
    address: PostalAddress
    vat_id: str | None = None
    tax_number: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class PaymentAccount:
    """BG-16/BG-17: a credit transfer to this account."""

    iban: str
    bic: str | None = None
    account_name: str | None = None


@dataclass(frozen=True)
class Line:
    """BG-25. `net_price` is the price per unit before the line allowance (never negative: a
    negative line has a negative quantity); `allowance` is the line's discount (BG-27)."""

    line_id: str
    name: str
    quantity: Decimal
    unit_code: str
    net_price: Decimal
    net_amount: Decimal
    tax_rate: Decimal
    description: str | None = None
    seller_item_id: str | None = None
    allowance: Decimal = Decimal(0)

    @property
    def tax_category(self) -> TaxCategory:
        return TaxCategory.for_rate(self.tax_rate)


@dataclass(frozen=True)
class DocumentAdjustment:
    """A document level allowance (BG-20) or charge (BG-21)."""

    is_charge: bool
    amount: Decimal
    tax_rate: Decimal
    reason: str
    base_amount: Decimal | None = None
    percentage: Decimal | None = None

    @property
    def tax_category(self) -> TaxCategory:
        return TaxCategory.for_rate(self.tax_rate)


@dataclass(frozen=True)
class TaxSubtotal:
    """BG-23: one per rate."""

    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal

    @property
    def tax_category(self) -> TaxCategory:
        return TaxCategory.for_rate(self.rate)


@dataclass(frozen=True)
class Totals:
    """BG-22."""

    line_total: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive: Decimal
    tax_total: Decimal
    tax_inclusive: Decimal
    prepaid: Decimal
    payable: Decimal


@dataclass(frozen=True)
class EInvoice:
    document_type: DocumentType
    number: str
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    tax_subtotals: tuple[TaxSubtotal, ...]
    totals: Totals
    adjustments: tuple[DocumentAdjustment, ...] = ()
    due_date: date | None = None
    buyer_reference: str | None = None
    payment_reference: str | None = None
    payment_account: PaymentAccount | None = None
    payment_terms: str | None = None
    notes: tuple[str, ...] = field(default=())
    #: BG-3: the invoice a credit note corrects, with its issue date
    preceding_invoice: tuple[str, date] | None = None


def amount_text(amount: Decimal) -> str:
    """An amount as EN 16931 writes it: two decimals, no exponent."""
    return f"{amount.quantize(AMOUNT_QUANTUM):f}"


def decimal_text(value: Decimal) -> str:
    """A quantity, price or rate without trailing zeros or exponent (2.500000 -> 2.5)."""
    text = f"{value.normalize():f}"
    return text if text not in ("-0", "") else "0"
