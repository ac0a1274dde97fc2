"""The hosted page's HTML (jinja2, autoescaped) and the headers every public answer carries.

The page loads nothing: its one stylesheet is inline, allowed by its hash in the CSP, which
forbids every other source, scripts, framing and forms posting anywhere but back here.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from invoicing.formatting import format_date, format_money, format_number, format_percent, format_unit_price
from invoicing.invoices.enums import OWED_STATUSES, PaymentMethod
from invoicing.invoices.model import Customer, Invoice, Seller
from invoicing.public_links.page import PageView
from invoicing.public_links.texts import METHOD_NAMES, STATUS_NAMES, language, texts

TEMPLATES = Path(__file__).parent / "templates"
#: our own stylesheet, inline as is (escaping it would change the bytes the CSP hash allows)
STYLE = Markup((TEMPLATES / "page.css").read_text(encoding="utf-8"))  # noqa: S704
_STYLE_HASH = base64.b64encode(hashlib.sha256(str(STYLE).encode()).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src 'none'; script-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Receipt:
    amount: str
    method: str
    pending: bool


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
    )


def _customer_lines(customer: Customer | None) -> list[str]:
    if customer is None:
        return []
    name = " ".join(part for part in (customer.firstName, customer.lastName) if part)
    address = customer.billingAddress
    lines = [customer.companyName, name]
    if address is not None:
        lines += [address.line1, address.line2, " ".join(p for p in (address.zip, address.city) if p)]
    return [line for line in [*lines, customer.email] if line]


def _merchant_lines(seller: Seller | None) -> list[str]:
    if seller is None:
        return []
    address = seller.address
    lines = [seller.legalName]
    if address is not None:
        lines += [address.line1, address.line2, " ".join(p for p in (address.zip, address.city) if p)]
    return [line for line in [*lines, seller.email, seller.phone, seller.vatId] if line]


def receipt_for(view: PageView, amount: Decimal, method: PaymentMethod) -> Receipt:
    """What the page confirms of a payment just made: a card's method as the processor funded it
    (the invoice's last transaction), a bank debit pending."""
    invoice = view.invoice
    if method is not PaymentMethod.ACH and invoice.transactions:
        method = invoice.transactions[-1].paymentMethod
    return Receipt(
        amount=format_money(amount, invoice.currency, invoice.locale),
        method=METHOD_NAMES[language(invoice.locale)].get(method, method.value),
        pending=method is PaymentMethod.ACH,
    )


def render_page(
    view: PageView, *, page_path: str, receipt: Receipt | None = None, error: str | None = None
) -> str:
    invoice, locale = view.invoice, view.invoice.locale
    lang = language(locale)

    def money(amount: Decimal) -> str:
        return format_money(amount, invoice.currency, locale)

    prices = [
        {"key": method.value, "name": METHOD_NAMES[lang][method], "total": money(price.total)}
        for method, price in view.prices.items()
    ]
    context: dict[str, Any] = {
        "lang": lang,
        "t": texts(lang),
        "style": STYLE,
        "invoice": invoice,
        "merchant": view.seller.legalName if view.seller and view.seller.legalName else "",
        "merchant_lines": _merchant_lines(view.seller),
        "customer_lines": _customer_lines(invoice.customer),
        "status": STATUS_NAMES[lang].get(invoice.status, invoice.status.value),
        "balance_due": money(invoice.amountDue),
        "due_date": format_date(invoice.dueDate, locale),
        "issued": format_date(invoice.invoiceDate, locale),
        "page_path": page_path,
        "lines": [_line(invoice, row_index, locale) for row_index in range(len(invoice.rows))],
        "taxes": [
            {"rate": format_percent(tax.rate, locale), "amount": money(tax.taxAmount)}
            for tax in invoice.taxBreakdown
            if tax.taxAmount
        ],
        "totals": {
            "subtotal": money(invoice.totalExcludingTax),
            "total": money(invoice.total),
            "paid": money(invoice.paid) if invoice.paid else "",
        },
        "payable": invoice.status in OWED_STATUSES and invoice.amountDue > 0,
        "prices": prices,
        "card_amounts": {
            "credit": str(view.prices[PaymentMethod.CREDIT_CARD].total),
            "debit": str(view.prices[PaymentMethod.DEBIT_CARD].total),
        },
        "ach_amount": str(view.prices[PaymentMethod.ACH].total),
        "form_tag": view.form_tag,
        "request_key": secrets.token_urlsafe(16),
        "receipt": receipt,
        "error": error,
    }
    return _environment().get_template("page.html").render(context)


def _line(invoice: Invoice, index: int, locale: str | None) -> dict[str, str]:
    row = invoice.rows[index]
    return {
        "name": row.productName or row.description or "",
        "quantity": format_number(row.quantity, locale),
        "unit_price": format_unit_price(row.unitPrice, invoice.currency, locale),
        "total": format_money(row.total, invoice.currency, locale),
    }


def render_not_found(message: str | None = None, locale: str | None = None) -> str:
    lang = language(locale)
    words = texts(lang)
    return (
        _environment()
        .get_template("not_found.html")
        .render(lang=lang, t=words, style=STYLE, message=message or words["not_found"])
    )


def render_error(customer_message: str, detail: str, *, back_path: str, locale: str | None = None) -> str:
    """A refused form post: what went wrong, and the way back to the page."""
    lang = language(locale)
    words = texts(lang)
    return (
        _environment()
        .get_template("error.html")
        .render(lang=lang, t=words, style=STYLE, message=customer_message, detail=detail, back_path=back_path)
    )
