"""The official EN 16931 examples recreated as invoices and written as our e-invoices: the same totals
and tax per rate as the examples state, and no fatal assert in either syntax.

Examples with a fixed-amount document allowance (CII_example2, ubl-tc434-example2) are left out: an
invoice here takes its discount as a percentage of each rate's lines. A single document charge is
sent as shipping at its rate; ubl-tc434-creditnote1 is recreated as the credit note of its invoice.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from invoicing.einvoice.cii import to_cii
from invoicing.einvoice.document import DocumentType
from invoicing.einvoice.mapping import einvoice_of
from invoicing.einvoice.ubl import to_ubl
from invoicing.invoices import credit_notes
from invoicing.invoices.lifecycle import NumberAssignment
from invoicing.invoices.model import InvoiceCreate, RowInput
from tests.einvoice_validation import fatal_asserts
from tests.en16931_examples import CII_EXAMPLES, UBL_EXAMPLES, ExampleInvoice, read_example
from tests.unit.test_einvoice_invoices import ACTOR, CUSTOMER, NOW, issued

EXAMPLES = [
    path
    for path in CII_EXAMPLES + UBL_EXAMPLES
    if not any(not is_charge for is_charge, _, _ in read_example(path).adjustments)
]


def _fields(example: ExampleInvoice) -> InvoiceCreate:
    charges = [(amount, rate) for is_charge, amount, rate in example.adjustments if is_charge]
    shipping, shipping_rate = charges[0] if charges else (None, None)
    return InvoiceCreate(
        currency=example.currency,
        invoiceDate=NOW,
        customer=CUSTOMER,
        rows=[
            RowInput(
                description=f"Line {index}",
                quantity=line.quantity,
                unitPrice=line.unit_price,
                taxRate=line.tax_rate,
            )
            for index, line in enumerate(example.lines, start=1)
        ],
        shippingAmount=shipping,
        shippingTaxRate=shipping_rate,
    )


def test_every_example_without_a_fixed_allowance_is_recreated():
    assert [path.name for path in EXAMPLES] == [
        "CII-BR-CO-10-RoundingIssue.xml",
        "CII_example1.xml",
        "CII_example3.xml",
        "ubl-tc434-creditnote1.xml",
        "ubl-tc434-example1.xml",
        "ubl-tc434-example3.xml",
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_an_example_recreated_states_its_own_figures_and_passes_every_fatal_rule(path):
    example = read_example(path)
    invoice = issued(_fields(example))
    if "creditnote" in path.name:
        number = NumberAssignment("credit-note#2026", 1, "CN-2026-00001")
        request = credit_notes.CreditNoteRequest()
        invoice = credit_notes.credit_note_of(
            invoice, request, number, actor=ACTOR, now=datetime.now(UTC)
        ).invoice

    document = einvoice_of(invoice)

    assert document.totals.tax_inclusive == example.tax_inclusive
    assert document.totals.payable == example.payable
    assert [(item.rate, item.taxable_amount, item.tax_amount) for item in document.tax_subtotals] == list(
        example.breakdown
    )
    assert (document.document_type is DocumentType.CREDIT_NOTE) == ("creditnote" in path.name)
    assert fatal_asserts("cii", to_cii(document)) == []
    assert fatal_asserts("ubl", to_ubl(document)) == []
