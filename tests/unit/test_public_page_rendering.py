"""The hosted page's HTML: escaped, self-contained, small, and in the invoice's language."""

from __future__ import annotations

import re
from decimal import Decimal

from invoicing.invoices.calculator import MethodPrice
from invoicing.invoices.enums import InvoiceStatus, PaymentMethod
from invoicing.invoices.model import Customer, Seller
from invoicing.public_links.page import PageView
from invoicing.public_links.rendering import CONTENT_SECURITY_POLICY, render_not_found, render_page
from tests.unit.test_public_links import invoice

PRICES = {
    PaymentMethod.CREDIT_CARD: MethodPrice(Decimal(100), Decimal(3), Decimal(3), Decimal(0), Decimal(0)),
    PaymentMethod.DEBIT_CARD: MethodPrice(Decimal(100), Decimal(0), Decimal(0), Decimal(0), Decimal(0)),
    PaymentMethod.ACH: MethodPrice(Decimal(100), Decimal(0), Decimal(0), Decimal(2), Decimal(2)),
}


def page(locale: str | None = None, name: str = "Hank") -> str:
    owed = invoice(
        InvoiceStatus.SENT,
        locale=locale,
        invoiceNumber="INV-1",
        total=Decimal(100),
        customer=Customer(firstName=name),
    )
    view = PageView(owed, Seller(legalName="Acme GmbH"), PRICES, form_tag="tag")
    return render_page(view, page_path="tok")


def test_the_page_escapes_what_the_merchant_and_customer_typed():
    html = page(name='<script>alert("x")</script>')

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_page_is_small_and_names_no_other_origin():
    html = page()

    assert len(html.encode()) < 100_000
    assert re.findall(r"https?://", html) == []
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert 'action="tok/pay/card"' in html
    assert 'name="formTag" value="tag"' in html


def test_a_german_invoice_gets_a_german_page():
    html = page("de")

    assert '<html lang="de">' in html
    assert "Rechnung INV-1" in html
    assert "Offener Betrag" in html
    assert "103,00" in html  # the credit card's price, German digits
    assert "Link nicht gefunden" in render_not_found(locale="de")


def test_an_english_invoice_gets_an_english_page():
    html = page("en")

    assert '<html lang="en">' in html
    assert "Balance due" in html
    assert "$103.00" in html
