"""The EN 16931 examples' own totals and tax per rate, recreated through the calculator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.invoices.calculator import Adjustment, AdjustmentKind, InvoiceTerms, LineTerms, invoice_figures
from tests.en16931_examples import CII_EXAMPLES, UBL_EXAMPLES, read_example


@pytest.mark.parametrize("path", [*CII_EXAMPLES, *UBL_EXAMPLES], ids=lambda path: path.stem)
def test_the_calculator_recreates_the_examples_totals_and_tax_per_rate(path):
    example = read_example(path)
    adjustments = tuple(
        Adjustment(AdjustmentKind.CHARGE if is_charge else AdjustmentKind.ALLOWANCE, is_charge, amount, rate)
        for is_charge, amount, rate in example.adjustments
    )
    lines = [LineTerms(line.quantity, line.unit_price, tax_rate=line.tax_rate) for line in example.lines]

    figures = invoice_figures(
        lines, InvoiceTerms(example.currency, adjustments=adjustments, paid=example.prepaid)
    )

    assert [line.net for line in figures.lines] == [line.net for line in example.lines]
    assert (figures.lines_total, figures.allowances_total, figures.charges_total) == (
        example.lines_total,
        example.allowances_total,
        example.charges_total,
    )
    assert (figures.total_excluding_tax, figures.total_tax, figures.total_with_tax) == (
        example.tax_exclusive,
        example.tax_total,
        example.tax_inclusive,
    )
    assert figures.amount_due == example.payable
    assert [(t.rate, t.taxable_amount, t.tax_amount) for t in figures.tax_breakdown] == list(
        example.breakdown
    )


def test_the_examples_cover_mixed_rates_negative_lines_allowances_charges_and_prepayment():
    examples = [read_example(path) for path in [*CII_EXAMPLES, *UBL_EXAMPLES]]

    assert len(examples) >= 6
    assert any(len(example.breakdown) > 1 for example in examples)
    assert any(line.net < 0 for example in examples for line in example.lines)
    assert any(not is_charge for example in examples for is_charge, _, _ in example.adjustments)
    assert any(is_charge for example in examples for is_charge, _, _ in example.adjustments)
    assert any(example.prepaid > Decimal(0) for example in examples)
