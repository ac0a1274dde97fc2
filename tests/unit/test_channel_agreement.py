"""Every channel states the same figures: total, tax per rate, paid and balance.

Random invoices (0, 2 and 3 minor-unit currencies, mixed rates, discounts, charges, negative lines,
both rounding modes, several locales, partly paid) are issued through the service; the expected
figures come straight from the calculator, and each channel is read back the way its reader would:
the API's JSON, the CSV line, the mail's text and HTML parts, the PDF's text (rendered with the PDF
layer, read with pypdf), and the CII and UBL e-invoices (for the invoices EN 16931 can carry). Human
channels must also write every amount exactly as `invoicing.formatting` does (so "0 EUR" for €0.00
fails).

A channel is a function `Invoice -> Statement`: add one to CHANNELS (or to PDF_CHANNELS when it is as
slow) and it is checked like the others.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from invoicing.api import json_numbers
from invoicing.einvoice.cii import NAMESPACES as CII_NAMESPACES
from invoicing.einvoice.cii import to_cii
from invoicing.einvoice.document import EInvoice
from invoicing.einvoice.mapping import einvoice_of, tax_within_tolerance
from invoicing.einvoice.ubl import CAC as UBL_CAC
from invoicing.einvoice.ubl import CBC as UBL_CBC
from invoicing.einvoice.ubl import to_ubl
from invoicing.formatting import _SYMBOLS, LOCALES, exact_amount, format_money, format_percent
from invoicing.invoices import edits, kernel, lifecycle
from invoicing.invoices.calculator import InvoiceFigures, TaxRounding
from invoicing.invoices.csv_export import render_csv, tax_columns
from invoicing.invoices.model import Address, Customer, Invoice, InvoiceCreate, Seller, SellerAddress
from invoicing.mail.compose import PdfAttachment, Sender, compose_invoice_mail
from invoicing.mail.message import MailKind
from invoicing.money import minor_units, round_money
from invoicing.tenants.model import Tenant

D = Decimal
NOW = datetime(2026, 11, 22, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice")
SELLER = Tenant("acme", 1, "Acme GmbH", "EUR", "billing@acme.test", NOW)


@dataclass(frozen=True)
class Statement:
    """What a channel says an invoice amounts to; `None` where the channel does not say it."""

    total: Decimal
    taxes: tuple[tuple[Decimal, Decimal, Decimal], ...]
    paid: Decimal | None
    balance: Decimal | None


def expected_statement(figures: InvoiceFigures) -> Statement:
    return Statement(
        total=figures.total_with_tax,
        taxes=tuple((t.rate, t.taxable_amount, t.tax_amount) for t in figures.tax_breakdown),
        paid=figures.paid,
        balance=figures.amount_due,
    )


# --- reading human-formatted amounts back ------------------------------------------------------


def _spaces(text: str) -> str:
    return text.replace("\u00a0", " ")


def money_pattern(currency: str, locale: str | None) -> str:
    symbol = _SYMBOLS.get(currency)
    marker = re.escape(symbol or currency)
    number = r"[\d.,\u00a0 ]*\d"
    if symbol and LOCALES[locale or "en"].symbol_first:
        return rf"-?{marker}{number}"
    return rf"-?{number}[\u00a0 ]{marker}"


def read_money(text: str, currency: str, locale: str | None) -> Decimal:
    """The amount `text` writes, which must be written exactly as the formatter writes it."""
    style = LOCALES[locale or "en"]
    digits = _spaces(text).replace(_SYMBOLS.get(currency, currency), "").replace(" ", "")
    digits = digits.replace(_spaces(style.group_separator).strip() or " ", "").replace(
        style.decimal_separator, "."
    )
    value = D(digits)
    assert _spaces(format_money(value, currency, locale)) == _spaces(text).strip(), text
    return value


def read_rate(text: str, locale: str | None) -> Decimal:
    style = LOCALES[locale or "en"]
    value = D(
        text.removesuffix(" %").replace(style.group_separator, "").replace(style.decimal_separator, ".")
    )
    assert format_percent(value, locale) == text
    return value


def _labelled(lines: list[str], label: str, money: str) -> str | None:
    for line in lines:
        found = re.fullmatch(rf"{label}:? ({money})", line)
        if found:
            return found.group(1)
    return None


def _statement_from_lines(invoice: Invoice, lines: list[str], tax_line: str, paid_label: str) -> Statement:
    """A statement from text lines: `Total`, one `tax_line` per rate, paid and balance lines."""
    currency, locale = invoice.currency, invoice.locale
    money = money_pattern(currency, locale)
    rate = r"-?[\d.,]+ %"
    lines = [_spaces(line).strip() for line in lines]
    taxes = []
    for line in lines:
        found = re.fullmatch(tax_line.format(rate=rf"({rate})", money=rf"({money})"), line)
        if found:
            rate_text, taxable, tax = found.groups()
            taxes.append(
                (read_rate(rate_text, locale), *(read_money(t, currency, locale) for t in (taxable, tax)))
            )

    def amount(label: str) -> Decimal | None:
        text = _labelled(lines, label, money)
        return None if text is None else read_money(text, currency, locale)

    total = amount("Total due")
    total = amount("Total") if total is None else total
    assert total is not None, lines
    return Statement(total, tuple(taxes), amount(paid_label), amount("Balance due"))


# --- the channels --------------------------------------------------------------------------------


def api_json(invoice: Invoice) -> Statement:
    answered = json_numbers.loads(json_numbers.dumps(invoice.model_dump()))
    return Statement(
        total=answered["total"],
        taxes=tuple((t["rate"], t["taxableAmount"], t["taxAmount"]) for t in answered["taxBreakdown"]),
        paid=answered["paid"],
        balance=answered["amountDue"],
    )


def csv_row(invoice: Invoice) -> Statement:
    (row,) = csv.DictReader(io.StringIO(render_csv([invoice]), newline=""))
    currency = invoice.currency

    def amount(name: str) -> Decimal:
        assert row[name] == exact_amount(D(row[name]), currency)
        return D(row[name])

    taxes = tuple((t.rate, *(amount(name) for name in tax_columns(t.rate))) for t in invoice.taxBreakdown)
    rate_columns = [name for name in row if name.startswith(("taxableAmount[", "taxAmount["))]
    assert len(rate_columns) == 2 * len(taxes)
    return Statement(amount("total"), taxes, amount("paid"), amount("amountDue"))


_composed: dict[tuple[str, MailKind], tuple[str, str]] = {}


def _mail(invoice: Invoice, kind: MailKind) -> tuple[str, str]:
    """The text and HTML parts of the mail of `kind`, composed once per invoice for both readers."""
    key = (invoice.id, kind)
    if key not in _composed:
        if len(_composed) > 8:
            _composed.clear()
        _composed[key] = _compose(invoice, kind)
    return _composed[key]


def _compose(invoice: Invoice, kind: MailKind) -> tuple[str, str]:
    message = compose_invoice_mail(
        invoice,
        sender=Sender("Acme GmbH", "invoices@acme.test"),
        recipient="ap@globex.test",
        pdf=PdfAttachment("invoice.pdf", b"%PDF-1.7"),
        kind=kind,
    )
    text, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html_part is not None
    return str(text.get_content()), str(html_part.get_content())


def _html_lines(document: str) -> list[str]:
    cells = re.findall(r'<tr><th align="left">(.*?)</th><td>(.*?)</td></tr>', document)
    return [html.unescape(f"{label}: {value}") for label, value in cells]


def mail_text(invoice: Invoice) -> Statement:
    return _statement_from_lines(
        invoice, _mail(invoice, MailKind.INVOICE)[0].splitlines(), r"Tax {rate} on {money}: {money}", "Paid"
    )


def mail_html(invoice: Invoice) -> Statement:
    lines = _html_lines(_mail(invoice, MailKind.INVOICE)[1])
    return _statement_from_lines(invoice, lines, r"Tax {rate} on {money}: {money}", "Paid")


def reminder_text(invoice: Invoice) -> Statement:
    lines = _mail(invoice, MailKind.REMINDER)[0].splitlines()
    return _statement_from_lines(invoice, lines, r"Tax {rate} on {money}: {money}", "Paid so far")


def reminder_html(invoice: Invoice) -> Statement:
    lines = _html_lines(_mail(invoice, MailKind.REMINDER)[1])
    return _statement_from_lines(invoice, lines, r"Tax {rate} on {money}: {money}", "Paid so far")


def pdf_text(invoice: Invoice) -> Statement:
    from pypdf import PdfReader

    from invoice_pdf.renderer import render_pdf
    from invoicing.documents.content import invoice_document
    from invoicing.documents.theme import DEFAULT_THEME

    pdf = render_pdf(invoice_document(invoice, SELLER, DEFAULT_THEME), now=NOW)
    lines = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).splitlines()
    summary = lines[lines.index("Tax rate Taxable Tax") + 1 :]
    return _statement_from_lines(invoice, summary, r"{rate} {money} {money}", "Paid")


CHANNELS: dict[str, Callable[[Invoice], Statement]] = {
    "api": api_json,
    "csv": csv_row,
    "mail text": mail_text,
    "mail html": mail_html,
    "reminder text": reminder_text,
    "reminder html": reminder_html,
}
PDF_CHANNELS: dict[str, Callable[[Invoice], Statement]] = {"pdf": pdf_text}


#: what an e-invoice needs beyond the figures; the figures are the invoice's own
E_INVOICE_PARTIES = {
    "seller": Seller(
        legalName="Acme GmbH", address=SellerAddress(city="Berlin", country="DE"), vatId="DE136695976"
    ),
    "customer": Customer(companyName="Globex", billingAddress=Address(city="Paris", country="FR")),
}


def _e_invoice(invoice: Invoice) -> EInvoice:
    return einvoice_of(invoice.model_copy(update=E_INVOICE_PARTIES))


def e_invoice_cii(invoice: Invoice) -> Statement:
    root = ElementTree.fromstring(to_cii(_e_invoice(invoice)))
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
    totals = settlement + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"

    def amount(path: str) -> Decimal:
        return D(root.findtext(path, namespaces=CII_NAMESPACES) or "")

    taxes = tuple(
        (
            D(tax.findtext("ram:RateApplicablePercent", namespaces=CII_NAMESPACES) or ""),
            D(tax.findtext("ram:BasisAmount", namespaces=CII_NAMESPACES) or ""),
            D(tax.findtext("ram:CalculatedAmount", namespaces=CII_NAMESPACES) or ""),
        )
        for tax in root.iterfind(settlement + "ram:ApplicableTradeTax", CII_NAMESPACES)
    )
    return Statement(
        total=amount(totals + "ram:GrandTotalAmount"),
        taxes=taxes,
        paid=amount(totals + "ram:TotalPrepaidAmount"),
        balance=amount(totals + "ram:DuePayableAmount"),
    )


def e_invoice_ubl(invoice: Invoice) -> Statement:
    root = ElementTree.fromstring(to_ubl(_e_invoice(invoice)))
    cac, cbc = f"{{{UBL_CAC}}}", f"{{{UBL_CBC}}}"

    taxes = tuple(
        (
            D(subtotal.findtext(f"{cac}TaxCategory/{cbc}Percent") or ""),
            D(subtotal.findtext(f"{cbc}TaxableAmount") or ""),
            D(subtotal.findtext(f"{cbc}TaxAmount") or ""),
        )
        for subtotal in root.iterfind(f"{cac}TaxTotal/{cac}TaxSubtotal")
    )
    monetary = f"{cac}LegalMonetaryTotal/"
    return Statement(
        total=D(root.findtext(monetary + f"{cbc}TaxInclusiveAmount") or ""),
        taxes=taxes,
        paid=D(root.findtext(monetary + f"{cbc}PrepaidAmount") or ""),
        balance=D(root.findtext(monetary + f"{cbc}PayableAmount") or ""),
    )


E_INVOICE_CHANNELS: dict[str, Callable[[Invoice], Statement]] = {
    "e-invoice cii": e_invoice_cii,
    "e-invoice ubl": e_invoice_ubl,
}


# --- random invoices -----------------------------------------------------------------------------

RATES = st.sampled_from(["0", "5", "7", "7.5", "19", "21", "25"])


def rows(max_rows: int) -> st.SearchStrategy[list[dict[str, object]]]:
    return st.lists(
        st.fixed_dictionaries(
            {
                "quantity": st.decimals(min_value=-20, max_value=2000, places=2).map(str),
                "unitPrice": st.decimals(min_value=0, max_value=5000, places=4).map(str),
                "discountPercentage": st.sampled_from(["0", "0", "10", "12.5"]),
                "taxRate": RATES,
            }
        ),
        min_size=1,
        max_size=max_rows,
    )


@st.composite
def issued_invoices(draw: st.DrawFn, max_rows: int) -> tuple[Invoice, InvoiceFigures]:
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD", "USD", "PLN", "GBP"]))
    body = {
        "currency": currency,
        "locale": draw(st.sampled_from([None, "en", "de", "fr", "pl"])),
        "rows": draw(rows(max_rows)),
        "discountPercentage": draw(st.sampled_from(["0", "0", "5", "12.5"])),
        "feesPercentage": draw(st.sampled_from(["0", "0", "2.5"])),
        "feesTaxRate": draw(RATES),
        "shippingAmount": draw(st.sampled_from(["0", "4.90", "12.345"])),
        "shippingTaxRate": draw(RATES),
    }
    rounding = draw(st.sampled_from(list(TaxRounding)))
    draft = edits.create_invoice(
        InvoiceCreate.model_validate(body), actor=ACTOR, now=NOW, tax_rounding=rounding
    )
    number = lifecycle.NumberAssignment("invoice#2026", 1, "INV-2026-00001")
    issued = lifecycle.publish(draft.invoice, number, actor=ACTOR, now=NOW).invoice
    share = draw(st.sampled_from([D(0), D(0), D("0.3"), D(1)]))
    paid = round_money(max(issued.total, D(0)) * share, currency)
    invoice = issued.model_copy(update={"paid": paid})
    return invoice, edits.figures_of(invoice)


def _agree(
    invoice: Invoice, figures: InvoiceFigures, channels: dict[str, Callable[[Invoice], Statement]]
) -> None:
    expected = expected_statement(figures)
    for name, channel in channels.items():
        stated = channel(invoice)
        assert stated.total == expected.total, name
        assert stated.taxes == expected.taxes, name
        assert stated.paid in (None, expected.paid), name
        assert stated.balance in (None, expected.balance), name
        if stated.paid is None:
            assert expected.paid == 0, name
            assert stated.balance is None, name


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issued_invoices(max_rows=20))
def test_api_csv_and_mail_state_the_same_figures(issued):
    invoice, figures = issued

    _agree(invoice, figures, CHANNELS)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issued_invoices(max_rows=6))
def test_the_pdf_states_the_same_figures(issued):
    invoice, figures = issued

    _agree(invoice, figures, PDF_CHANNELS)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issued_invoices(max_rows=12))
def test_the_e_invoice_states_the_same_figures(issued):
    """Every invoice EN 16931 can carry: two decimals at most, and per-line tax within BR-CO-17."""
    invoice, figures = issued
    assume(minor_units(invoice.currency) <= 2 and tax_within_tolerance(invoice))

    _agree(invoice, figures, E_INVOICE_CHANNELS)


@pytest.mark.parametrize(
    "channel", [*CHANNELS.values(), *PDF_CHANNELS.values(), *E_INVOICE_CHANNELS.values()]
)
def test_a_thousand_rows_of_1_11_at_19_percent_are_taxed_210_90_in_every_channel(channel):
    body = {"currency": "EUR", "rows": [{"quantity": 1, "unitPrice": "1.11", "taxRate": 19}] * 1000}
    draft = edits.create_invoice(InvoiceCreate.model_validate(body), actor=ACTOR, now=NOW).invoice
    number = lifecycle.NumberAssignment("invoice#2026", 1, "INV-2026-00001")
    invoice = lifecycle.publish(draft, number, actor=ACTOR, now=NOW).invoice

    stated = channel(invoice)

    assert (stated.total, stated.taxes) == (D("1320.90"), ((D(19), D("1110.00"), D("210.90")),))
    assert stated.balance in (None, D("1320.90"))


def test_a_large_total_in_the_pdf_stays_apart_from_its_label():
    body = {"currency": "KWD", "rows": [{"quantity": "999.99", "unitPrice": "9999.9999", "taxRate": 25}] * 4}
    draft = edits.create_invoice(InvoiceCreate.model_validate(body), actor=ACTOR, now=NOW).invoice
    number = lifecycle.NumberAssignment("invoice#2026", 1, "INV-2026-00001")
    invoice = lifecycle.publish(draft, number, actor=ACTOR, now=NOW).invoice

    stated = pdf_text(invoice)

    assert (stated.total, stated.balance) == (D("49999499.500"), D("49999499.500"))
