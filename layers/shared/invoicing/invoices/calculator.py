"""The one calculator of invoice figures, shared by the API, PDFs, e-mail and CSV.

Per row:   total        = round(quantity x unitPrice x (1 - discountPercentage / 100))
           taxAmount    = round(total x taxRate / 100)
           totalWithTax = total + taxAmount
Invoice:   totalExcludingTax, totalTax, totalWithTax = sums of the rows' figures
           discountAmount = round(totalWithTax x discountPercentage / 100)   (invoice level, seed 003)
           feesAmount     = round(totalWithTax x feesPercentage / 100)
           total          = totalWithTax - discountAmount + feesAmount + shippingAmount (amount payable)

`round` is `invoicing.money.round_money`: the currency's minor unit, ROUND_HALF_UP. Invoice-level
discount, fees and shipping do not change the tax; a discount that reduces the taxable amount
belongs on the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from invoicing.money import round_money

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class RowTerms:
    quantity: Decimal
    unit_price: Decimal
    discount_percentage: Decimal = ZERO
    tax_rate: Decimal = ZERO


@dataclass(frozen=True)
class RowFigures:
    total: Decimal
    tax_amount: Decimal
    total_with_tax: Decimal


@dataclass(frozen=True)
class InvoiceTerms:
    currency: str
    discount_percentage: Decimal = ZERO
    fees_percentage: Decimal = ZERO
    shipping_amount: Decimal = ZERO


@dataclass(frozen=True)
class InvoiceFigures:
    total_excluding_tax: Decimal
    total_tax: Decimal
    total_with_tax: Decimal
    discount_amount: Decimal
    fees_amount: Decimal
    shipping_amount: Decimal
    total: Decimal


def row_figures(row: RowTerms, currency: str) -> RowFigures:
    net = row.quantity * row.unit_price * (HUNDRED - row.discount_percentage) / HUNDRED
    total = round_money(net, currency)
    tax_amount = round_money(total * row.tax_rate / HUNDRED, currency)
    return RowFigures(total=total, tax_amount=tax_amount, total_with_tax=total + tax_amount)


def invoice_figures(rows: Iterable[RowFigures], terms: InvoiceTerms) -> InvoiceFigures:
    currency = terms.currency
    zero = round_money(ZERO, currency)
    total_excluding_tax = total_tax = zero
    for row in rows:
        total_excluding_tax += row.total
        total_tax += row.tax_amount
    total_with_tax = total_excluding_tax + total_tax
    discount_amount = round_money(total_with_tax * terms.discount_percentage / HUNDRED, currency)
    fees_amount = round_money(total_with_tax * terms.fees_percentage / HUNDRED, currency)
    shipping_amount = round_money(terms.shipping_amount, currency)
    return InvoiceFigures(
        total_excluding_tax=total_excluding_tax,
        total_tax=total_tax,
        total_with_tax=total_with_tax,
        discount_amount=discount_amount,
        fees_amount=fees_amount,
        shipping_amount=shipping_amount,
        total=total_with_tax - discount_amount + fees_amount + shipping_amount,
    )
