"""The CII and UBL writers against the official EN 16931 rules (and, for CII, the Factur-X schema)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from facturx import xml_check_xsd

from invoicing.einvoice.cii import to_cii
from invoicing.einvoice.document import (
    DocumentAdjustment,
    DocumentType,
    EInvoice,
    Line,
    Party,
    PaymentAccount,
    PostalAddress,
    TaxSubtotal,
    Totals,
)
from invoicing.einvoice.ubl import to_ubl
from tests.einvoice_validation import fatal_asserts

WRITERS = {"cii": to_cii, "ubl": to_ubl}


def _document(document_type: DocumentType = DocumentType.INVOICE) -> EInvoice:
    """Three rates, a line discount, a negative line, a document allowance and a charge, a prepayment."""
    seller = Party(
        "Seller GmbH",
        PostalAddress("DE", "Hauptstraße 1", None, "Berlin", "10115"),
        vat_id="DE123456789",
        email="billing@seller.example",
        phone="+49 30 1234567",
    )
    buyer = Party("Acheteur SA", PostalAddress("FR", "1 rue de la Paix", None, "Paris", "75002"))
    lines = (
        Line(
            "1",
            "Widget",
            Decimal(3),
            "C62",
            Decimal("10.00"),
            Decimal("27.00"),
            Decimal(19),
            allowance=Decimal(3),
        ),
        Line(
            "2", "Book", Decimal(1), "C62", Decimal(20), Decimal("20.00"), Decimal(7), description="Paperback"
        ),
        Line("3", "Returned crate", Decimal(-1), "C62", Decimal(5), Decimal("-5.00"), Decimal(0)),
    )
    adjustments = (
        DocumentAdjustment(False, Decimal("2.70"), Decimal(19), "Discount", Decimal("27.00"), Decimal(10)),
        DocumentAdjustment(True, Decimal("5.00"), Decimal(19), "Shipping"),
    )
    subtotals = (
        TaxSubtotal(Decimal(19), Decimal("29.30"), Decimal("5.57")),
        TaxSubtotal(Decimal(7), Decimal("20.00"), Decimal("1.40")),
        TaxSubtotal(Decimal(0), Decimal("-5.00"), Decimal("0.00")),
    )
    totals = Totals(
        line_total=Decimal("42.00"),
        allowance_total=Decimal("2.70"),
        charge_total=Decimal("5.00"),
        tax_exclusive=Decimal("44.30"),
        tax_total=Decimal("6.97"),
        tax_inclusive=Decimal("51.27"),
        prepaid=Decimal("10.00"),
        payable=Decimal("41.27"),
    )
    credit_note = document_type is DocumentType.CREDIT_NOTE
    return EInvoice(
        document_type=document_type,
        number="CN-2026-00001" if credit_note else "INV-2026-00001",
        issue_date=date(2026, 12, 1),
        currency="EUR",
        seller=seller,
        buyer=buyer,
        lines=lines,
        tax_subtotals=subtotals,
        totals=totals,
        adjustments=adjustments,
        due_date=date(2026, 12, 31),
        payment_reference="INV-2026-00001",
        payment_account=PaymentAccount("DE89370400440532013000", "COBADEFFXXX"),
        notes=("Thank you for your order.",),
        preceding_invoice=("INV-2026-00001", date(2026, 11, 1)) if credit_note else None,
    )


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
@pytest.mark.parametrize("document_type", list(DocumentType))
def test_a_full_document_passes_every_fatal_rule(syntax, document_type):
    assert fatal_asserts(syntax, WRITERS[syntax](_document(document_type))) == []


@pytest.mark.parametrize("document_type", list(DocumentType))
def test_cii_follows_the_factur_x_en16931_schema(document_type):
    assert xml_check_xsd(to_cii(_document(document_type)), flavor="factur-x", level="en16931")


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
def test_the_rules_catch_a_tax_amount_that_is_not_the_rate_of_its_base(syntax):
    document = _document()
    wrong = (replace(document.tax_subtotals[0], tax_amount=Decimal("9.99")), *document.tax_subtotals[1:])
    rules = {
        failure.rule
        for failure in fatal_asserts(syntax, WRITERS[syntax](replace(document, tax_subtotals=wrong)))
    }
    assert "BR-CO-17" in rules


def test_text_is_escaped_and_kept_whole():
    document = _document()
    buyer = replace(document.buyer, name='Smith & Söhne <"Ltd">')
    for writer in WRITERS.values():
        assert 'Smith &amp; Söhne &lt;"Ltd"&gt;' in writer(replace(document, buyer=buyer)).decode()
