"""The one calculator of invoice figures, EN 16931's model (rule version 2), for every channel.

Lines (BR-LIN):
    line net (row `total`) = round(quantity x unitPrice x (1 - discountPercentage / 100))
Document allowances and charges (BG-20, BG-21), each with the tax rate it is taxed at:
    discount: one allowance per rate of the lines, round(that rate's line nets x discountPercentage / 100),
              so the discount reduces each rate's taxable base pro rata (`discountAmount` is their sum)
    fees:     a charge of round((line nets - discount) x feesPercentage / 100), at `feesTaxRate`
    shipping: a charge of round(shippingAmount), at `shippingTaxRate`
Tax per rate (BR-CO-17, BR-S-08):
    taxableAmount = the rate's line nets - its allowances + its charges
    PER_RATE (default): taxAmount = round(taxableAmount x rate / 100), rounded once per rate
    PER_LINE:           taxAmount = the sum of each line's, allowance's and charge's own rounded tax
Totals (BR-CO-10..16):
    linesTotal        (BT-106) = sum of the line nets
    totalExcludingTax (BT-109) = linesTotal - allowances + charges
    totalTax          (BT-110) = sum of every rate's taxAmount
    totalWithTax      (BT-112) = totalExcludingTax + totalTax; `total` is the same amount: what the
                                 invoice asks for before any payment
    amountDue         (BT-115) = totalWithTax - paid
Row `taxAmount`: under PER_LINE the row's own rounded tax; under PER_RATE the tax of the rate's line
nets, round(sum x rate / 100), shared among the rate's rows by largest remainder, so the rows of a rate
add up to it exactly (with no document allowance or charge that is the rate's taxAmount). It is
informative: the tax owed is `taxBreakdown`'s. Row `totalWithTax` = row total + row taxAmount.

`round` is `invoicing.money.round_money` (the minor unit, ROUND_HALF_UP); every other figure is a sum
of rounded amounts and exact. Rule version 1 (invoices stored before version 2) rounded the tax of
every row and took the invoice-level discount and fees off the gross total without changing the tax;
its figures are kept as stored and read by `legacy_tax_breakdown`, never recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from invoicing.money import quantum, round_money

#: the rule every new or edited draft is priced with; stored on the invoice as `calculationVersion`
CALCULATION_VERSION = 2
#: the per-row rule of invoices stored without a version
LEGACY_CALCULATION_VERSION = 1

HUNDRED = Decimal(100)
ZERO = Decimal(0)
_RATE_QUANTUM = Decimal("0.0001")


class TaxRounding(StrEnum):
    """Where tax is rounded: once per rate (EN 16931 BR-CO-17, the default) or per line (Stripe's
    other option)."""

    PER_RATE = "PER_RATE"
    PER_LINE = "PER_LINE"


class AdjustmentKind(StrEnum):
    DISCOUNT = "DISCOUNT"
    FEES = "FEES"
    SHIPPING = "SHIPPING"
    ALLOWANCE = "ALLOWANCE"
    CHARGE = "CHARGE"


def canonical_rate(rate: Decimal) -> Decimal:
    """One Decimal per rate, whatever its spelling: 19, 19.0 and 19.0000 are Decimal('19')."""
    value = rate.quantize(_RATE_QUANTUM).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


@dataclass(frozen=True)
class LineTerms:
    quantity: Decimal
    unit_price: Decimal
    discount_percentage: Decimal = ZERO
    tax_rate: Decimal = ZERO


@dataclass(frozen=True)
class Adjustment:
    """A document-level allowance or charge (BG-20 / BG-21): a net amount, positive, and its rate.

    `base_amount` and `percentage` are set when the amount is a percentage of a base (BT-93/94,
    BT-100/101)."""

    kind: AdjustmentKind
    is_charge: bool
    amount: Decimal
    tax_rate: Decimal
    base_amount: Decimal | None = None
    percentage: Decimal | None = None

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.is_charge else -self.amount


@dataclass(frozen=True)
class InvoiceTerms:
    currency: str
    discount_percentage: Decimal = ZERO
    fees_percentage: Decimal = ZERO
    fees_tax_rate: Decimal = ZERO
    shipping_amount: Decimal = ZERO
    shipping_tax_rate: Decimal = ZERO
    #: further fixed-amount allowances and charges (`kind` ALLOWANCE or CHARGE), as e-invoices carry
    adjustments: tuple[Adjustment, ...] = ()
    #: payments received (BT-113)
    paid: Decimal = ZERO
    rounding: TaxRounding = TaxRounding.PER_RATE


@dataclass(frozen=True)
class LineFigures:
    net: Decimal
    tax_amount: Decimal
    total_with_tax: Decimal


@dataclass(frozen=True)
class TaxSubtotal:
    """BG-23: one per rate, ascending by rate."""

    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class InvoiceFigures:
    lines: tuple[LineFigures, ...]
    adjustments: tuple[Adjustment, ...]
    tax_breakdown: tuple[TaxSubtotal, ...]
    lines_total: Decimal
    allowances_total: Decimal
    charges_total: Decimal
    discount_amount: Decimal
    fees_amount: Decimal
    shipping_amount: Decimal
    total_excluding_tax: Decimal
    total_tax: Decimal
    total_with_tax: Decimal
    paid: Decimal
    amount_due: Decimal
    rounding: TaxRounding


def line_net(line: LineTerms, currency: str) -> Decimal:
    return round_money(
        line.quantity * line.unit_price * (HUNDRED - line.discount_percentage) / HUNDRED, currency
    )


def _tax(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    return round_money(amount * rate / HUNDRED, currency)


def _shared_by_largest_remainder(exact: Sequence[Decimal], target: Decimal, currency: str) -> list[Decimal]:
    """`exact` amounts rounded down to the minor unit, plus one minor unit for the largest remainders
    (earlier lines first on a tie) until they add up to `target`, itself round(sum(exact))."""
    step = quantum(currency)
    floors = [amount.quantize(step, rounding=ROUND_FLOOR) for amount in exact]
    units = int((target - sum(floors, ZERO)) / step)
    by_remainder = sorted(range(len(exact)), key=lambda index: (floors[index] - exact[index], index))
    for index in by_remainder[:units]:
        floors[index] += step
    return floors


def _document_adjustments(
    terms: InvoiceTerms, nets_by_rate: dict[Decimal, Decimal], lines_total: Decimal
) -> list[Adjustment]:
    currency = terms.currency
    adjustments: list[Adjustment] = []
    if terms.discount_percentage:
        for rate in sorted(nets_by_rate):
            base = nets_by_rate[rate]
            amount = round_money(base * terms.discount_percentage / HUNDRED, currency)
            if amount:
                adjustments.append(
                    Adjustment(AdjustmentKind.DISCOUNT, False, amount, rate, base, terms.discount_percentage)
                )
    discount = sum((item.amount for item in adjustments), ZERO)
    if terms.fees_percentage:
        base = lines_total - discount
        amount = round_money(base * terms.fees_percentage / HUNDRED, currency)
        if amount:
            rate = canonical_rate(terms.fees_tax_rate)
            adjustments.append(
                Adjustment(AdjustmentKind.FEES, True, amount, rate, base, terms.fees_percentage)
            )
    shipping = round_money(terms.shipping_amount, currency)
    if shipping:
        adjustments.append(
            Adjustment(AdjustmentKind.SHIPPING, True, shipping, canonical_rate(terms.shipping_tax_rate))
        )
    for extra in terms.adjustments:
        amount = round_money(extra.amount, currency)
        adjustments.append(
            Adjustment(extra.kind, extra.is_charge, amount, canonical_rate(extra.tax_rate), extra.base_amount)
        )
    return adjustments


def invoice_figures(lines: Iterable[LineTerms], terms: InvoiceTerms) -> InvoiceFigures:
    """Every figure of an invoice from its lines and terms (see the module docstring)."""
    currency = terms.currency
    zero = round_money(ZERO, currency)
    line_terms = list(lines)
    rates = [canonical_rate(line.tax_rate) for line in line_terms]
    nets = [line_net(line, currency) for line in line_terms]
    nets_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: zero)
    for rate, net in zip(rates, nets, strict=True):
        nets_by_rate[rate] += net
    lines_total = sum(nets, zero)
    adjustments = _document_adjustments(terms, nets_by_rate, lines_total)

    taxable: dict[Decimal, Decimal] = defaultdict(lambda: zero, nets_by_rate)
    for adjustment in adjustments:
        taxable[adjustment.tax_rate] += adjustment.signed_amount

    line_taxes: list[Decimal] = [zero] * len(nets)
    tax_by_rate: dict[Decimal, Decimal]
    if terms.rounding is TaxRounding.PER_LINE:
        line_taxes = [_tax(net, rate, currency) for net, rate in zip(nets, rates, strict=True)]
        tax_by_rate = defaultdict(lambda: zero)
        for rate, tax in zip(rates, line_taxes, strict=True):
            tax_by_rate[rate] += tax
        for adjustment in adjustments:
            own_tax = _tax(adjustment.amount, adjustment.tax_rate, currency)
            tax_by_rate[adjustment.tax_rate] += own_tax if adjustment.is_charge else -own_tax
    else:
        tax_by_rate = {rate: _tax(amount, rate, currency) for rate, amount in taxable.items()}
        for rate, rate_net in nets_by_rate.items():
            members = [index for index, line_rate in enumerate(rates) if line_rate == rate]
            shares = _shared_by_largest_remainder(
                [nets[index] * rate / HUNDRED for index in members], _tax(rate_net, rate, currency), currency
            )
            for index, share in zip(members, shares, strict=True):
                line_taxes[index] = share

    breakdown = tuple(
        TaxSubtotal(rate, taxable[rate], tax_by_rate.get(rate, zero)) for rate in sorted(taxable)
    )
    allowances_total = sum((item.amount for item in adjustments if not item.is_charge), zero)
    charges_total = sum((item.amount for item in adjustments if item.is_charge), zero)
    total_excluding_tax = lines_total - allowances_total + charges_total
    total_tax = sum((subtotal.tax_amount for subtotal in breakdown), zero)
    total_with_tax = total_excluding_tax + total_tax
    paid = round_money(terms.paid, currency)

    def kind_total(kind: AdjustmentKind) -> Decimal:
        return sum((item.amount for item in adjustments if item.kind is kind), zero)

    return InvoiceFigures(
        lines=tuple(LineFigures(net, tax, net + tax) for net, tax in zip(nets, line_taxes, strict=True)),
        adjustments=tuple(adjustments),
        tax_breakdown=breakdown,
        lines_total=lines_total,
        allowances_total=allowances_total,
        charges_total=charges_total,
        discount_amount=kind_total(AdjustmentKind.DISCOUNT),
        fees_amount=kind_total(AdjustmentKind.FEES),
        shipping_amount=kind_total(AdjustmentKind.SHIPPING),
        total_excluding_tax=total_excluding_tax,
        total_tax=total_tax,
        total_with_tax=total_with_tax,
        paid=paid,
        amount_due=total_with_tax - paid,
        rounding=terms.rounding,
    )


def legacy_tax_breakdown(rows: Iterable[tuple[Decimal, Decimal, Decimal]]) -> tuple[TaxSubtotal, ...]:
    """Version 1's tax per rate, from its stored `(taxRate, total, taxAmount)` per row: the sums of
    the rows' already-rounded figures, as that rule computed them."""
    taxable: dict[Decimal, Decimal] = defaultdict(Decimal)
    tax: dict[Decimal, Decimal] = defaultdict(Decimal)
    for rate, total, tax_amount in rows:
        key = canonical_rate(rate)
        taxable[key] += total
        tax[key] += tax_amount
    return tuple(TaxSubtotal(rate, taxable[rate], tax[rate]) for rate in sorted(taxable))


@dataclass(frozen=True)
class MethodPrice:
    """What paying `base` by one payment method costs: a surcharge (credit cards) or a cash discount
    (bank debit), each round(base x percentage / 100) once; `total` is their exact sum."""

    base: Decimal
    surcharge_percentage: Decimal
    surcharge_amount: Decimal
    cash_discount_percentage: Decimal
    cash_discount_amount: Decimal

    @property
    def total(self) -> Decimal:
        return self.base + self.surcharge_amount - self.cash_discount_amount


def method_price(
    base: Decimal,
    currency: str,
    *,
    surcharge_percentage: Decimal = ZERO,
    cash_discount_percentage: Decimal = ZERO,
) -> MethodPrice:
    """`base` (an amount already in minor units, e.g. the balance) priced for a payment method."""
    return MethodPrice(
        base=base,
        surcharge_percentage=surcharge_percentage,
        surcharge_amount=round_money(base * surcharge_percentage / HUNDRED, currency),
        cash_discount_percentage=cash_discount_percentage,
        cash_discount_amount=round_money(base * cash_discount_percentage / HUNDRED, currency),
    )
