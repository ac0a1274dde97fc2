"""Issued invoices as EN 16931 e-invoices: random invoices through the calculator, written as CII and
UBL, pass every fatal rule of the official validators and state the invoice's own figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing.einvoice.cii import NAMESPACES, to_cii
from invoicing.einvoice.mapping import einvoice_of, tax_within_tolerance
from invoicing.einvoice.ubl import CAC, CBC, to_ubl
from invoicing.errors import Conflict, Unprocessable
from invoicing.invoices import edits, kernel
from invoicing.invoices.calculator import TaxRounding
from invoicing.invoices.enums import InvoiceStatus, RowType
from invoicing.invoices.model import (
    Address,
    Customer,
    Invoice,
    InvoiceCreate,
    RowInput,
    Seller,
    SellerAddress,
)
from tests.einvoice_validation import fatal_asserts

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
SELLER = Seller(
    legalName="Acme Müller GmbH",
    address=SellerAddress(line1="Hauptstraße 1", city="Berlin", zip="10115", country="DE"),
    vatId="DE136695976",
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    email="billing@acme.test",
)
CUSTOMER = Customer(
    companyName="Łódź Dostawy Sp. z o.o.",
    firstName="Zoë",
    billingAddress=Address(line1="ul. Piotrkowska 1", city="Łódź", zip="90-001", country="PL"),
    vatId="PL5260250274",
)
RATES = [Decimal(value) for value in ("0", "5", "7", "7.7", "10", "19", "21", "25")]


def issued(
    fields: InvoiceCreate, *, rounding: TaxRounding = TaxRounding.PER_RATE, paid_share: Decimal = Decimal(0)
) -> Invoice:
    draft = edits.create_invoice(fields, actor=ACTOR, now=NOW, tax_rounding=rounding).invoice
    paid = (draft.total * paid_share).quantize(Decimal("0.01")) if draft.total > 0 else Decimal(0)
    return draft.model_copy(
        update={
            "status": InvoiceStatus.PARTIALLY_PAID if paid else InvoiceStatus.SENT,
            "invoiceNumber": "INV-2026-00042",
            "seller": SELLER,
            "paid": paid,
        }
    )


rows = st.builds(
    RowInput,
    description=st.sampled_from(["Consulting", "Widget & bolt", "Größe <XL>", "设计费"]),
    quantity=st.decimals(min_value=-5, max_value=50, places=2).filter(lambda value: value != 0),
    unitPrice=st.decimals(min_value=0, max_value=5000, places=2),
    discountPercentage=st.sampled_from([Decimal(0), Decimal(10), Decimal("12.5")]),
    taxRate=st.sampled_from(RATES),
)
invoices = st.builds(
    InvoiceCreate,
    currency=st.sampled_from(["EUR", "JPY", "CHF", "SEK"]),
    invoiceDate=st.just(NOW),
    paymentTermDays=st.sampled_from([None, 14, 30]),
    customer=st.just(CUSTOMER),
    rows=st.lists(rows, min_size=1, max_size=8),
    discountPercentage=st.sampled_from([None, Decimal(0), Decimal(5), Decimal("2.5")]),
    feesPercentage=st.sampled_from([None, Decimal(0), Decimal(3)]),
    feesTaxRate=st.sampled_from(RATES),
    shippingAmount=st.sampled_from([None, Decimal(0), Decimal("9.90"), Decimal(25)]),
    shippingTaxRate=st.sampled_from(RATES),
    note=st.sampled_from([None, "Thank you for your order."]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=invoices,
    rounding=st.sampled_from(list(TaxRounding)),
    paid_share=st.sampled_from([Decimal(0), Decimal("0.5")]),
)
def test_random_issued_invoices_pass_every_fatal_rule_in_both_syntaxes(fields, rounding, paid_share):
    invoice = issued(fields, rounding=rounding, paid_share=paid_share)
    if rounding is TaxRounding.PER_LINE and not tax_within_tolerance(invoice):
        with pytest.raises(Unprocessable) as refused:
            einvoice_of(invoice)
        assert set(refused.value.field_errors) == {"taxRounding"}
        return
    document = einvoice_of(invoice)

    assert fatal_asserts("cii", to_cii(document)) == []
    assert fatal_asserts("ubl", to_ubl(document)) == []


def _cii_text(xml: bytes, path: str) -> list[str]:
    return [element.text or "" for element in ElementTree.fromstring(xml).iterfind(path, NAMESPACES)]


def test_the_e_invoice_states_the_invoice_own_total_tax_per_rate_paid_and_balance():
    fields = InvoiceCreate(
        currency="EUR",
        invoiceDate=NOW,
        customer=CUSTOMER,
        rows=[
            RowInput(
                description="Consulting",
                quantity=Decimal(1000),
                unitPrice=Decimal("1.11"),
                taxRate=Decimal(19),
            ),
            RowInput(description="Book", quantity=Decimal(2), unitPrice=Decimal("12.50"), taxRate=Decimal(7)),
            RowInput(
                type=RowType.TEXT,
                description="Delivered in two parts.",
                quantity=Decimal(0),
                unitPrice=Decimal(0),
            ),
        ],
        discountPercentage=Decimal(10),
        shippingAmount=Decimal("9.90"),
        shippingTaxRate=Decimal(19),
    )
    invoice = issued(fields, paid_share=Decimal("0.5"))
    cii = to_cii(einvoice_of(invoice))
    ubl = ElementTree.fromstring(to_ubl(einvoice_of(invoice)))
    summation = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
    totals = summation + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"

    assert _cii_text(cii, totals + "ram:GrandTotalAmount") == [f"{invoice.totalWithTax:.2f}"]
    assert _cii_text(cii, totals + "ram:TotalPrepaidAmount") == [f"{invoice.paid:.2f}"]
    assert _cii_text(cii, totals + "ram:DuePayableAmount") == [f"{invoice.amountDue:.2f}"]
    assert _cii_text(cii, summation + "ram:ApplicableTradeTax/ram:CalculatedAmount") == [
        f"{item.taxAmount:.2f}" for item in invoice.taxBreakdown
    ]
    payable = ubl.find(f"{{{CAC}}}LegalMonetaryTotal/{{{CBC}}}PayableAmount")
    assert payable is not None
    assert payable.text == f"{invoice.amountDue:.2f}"
    assert "Delivered in two parts." in _cii_text(cii, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content")
    assert fatal_asserts("cii", cii) == []


def test_per_line_tax_further_than_en16931_allows_is_refused():
    rows = [RowInput(quantity=1, unitPrice=Decimal(3), taxRate=Decimal(10)) for _ in range(30)]
    fields = InvoiceCreate(currency="JPY", invoiceDate=NOW, customer=CUSTOMER, rows=rows)
    invoice = issued(fields, rounding=TaxRounding.PER_LINE)

    with pytest.raises(Unprocessable) as refused:
        einvoice_of(invoice)

    assert invoice.totalTax == 0
    assert set(refused.value.field_errors) == {"taxRounding"}


def test_missing_seller_and_buyer_data_is_refused_naming_each_field():
    invoice = issued(
        InvoiceCreate(currency="EUR", invoiceDate=NOW, rows=[RowInput(quantity=1, unitPrice=10)])
    )
    bare = invoice.model_copy(update={"seller": Seller(legalName="Acme")})

    with pytest.raises(Unprocessable) as refused:
        einvoice_of(bare)

    assert set(refused.value.field_errors) == {
        "seller.address.country",
        "seller.vatId",
        "customer.companyName",
        "customer.billingAddress.country",
    }


def test_a_draft_has_no_e_invoice():
    draft = edits.create_invoice(InvoiceCreate(currency="EUR"), actor=ACTOR, now=NOW).invoice

    with pytest.raises(Conflict):
        einvoice_of(draft)


def test_a_currency_with_three_decimals_is_refused_when_an_amount_uses_them():
    fields = InvoiceCreate(
        currency="KWD",
        invoiceDate=NOW,
        customer=CUSTOMER,
        rows=[RowInput(quantity=1, unitPrice=Decimal("1.005"))],
    )

    with pytest.raises(Unprocessable) as refused:
        einvoice_of(issued(fields))

    assert "currency" in refused.value.field_errors
