"""Composing invoice mail: jinja2 templates (HTML autoescaped) into a MIME message with the PDF.

Every header is built by the `email` package from single-line values: line breaks in a name or a
subject are folded into spaces and addresses are parsed as addresses, so no field can add a header.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from invoicing.formatting import format_date, format_money, format_percent
from invoicing.invoices.model import Invoice
from invoicing.mail.message import MailKind

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Sender:
    name: str
    address: str
    reply_to: str | None = None


@dataclass(frozen=True)
class PdfAttachment:
    file_name: str
    content: bytes


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def one_line(text: str) -> str:
    """`text` with every run of whitespace, line breaks included, as one space."""
    return " ".join(text.split())


def _address(name: str, address: str) -> Address:
    username, _, domain = address.rpartition("@")
    return Address(display_name=one_line(name), username=username, domain=domain)


@dataclass(frozen=True)
class TaxLine:
    rate: str
    taxable: str
    tax: str


@dataclass(frozen=True)
class MailFigures:
    """The invoice's figures as the mail prints them: `invoicing.formatting`, the invoice's locale."""

    total: str
    taxes: tuple[TaxLine, ...]
    paid: str
    amount_due: str
    due_date: str

    @classmethod
    def of(cls, invoice: Invoice) -> MailFigures:
        currency, locale = invoice.currency, invoice.locale

        def money(amount: Decimal) -> str:
            return format_money(amount, currency, locale)

        return cls(
            total=money(invoice.total),
            taxes=tuple(
                TaxLine(format_percent(item.rate, locale), money(item.taxableAmount), money(item.taxAmount))
                for item in invoice.taxBreakdown
            ),
            paid=money(invoice.paid),
            amount_due=money(invoice.amountDue),
            due_date=format_date(invoice.dueDate, locale),
        )


#: the templates of each kind of mail: `<name>_subject.txt`, `<name>.txt` and `<name>.html`
TEMPLATE_NAMES = {
    MailKind.INVOICE: "invoice",
    MailKind.COPY: "invoice",
    MailKind.REMINDER: "reminder",
    MailKind.NOTIFICATION: "notification",
}


def compose_invoice_mail(
    invoice: Invoice,
    *,
    sender: Sender,
    recipient: str,
    pdf: PdfAttachment,
    kind: MailKind = MailKind.INVOICE,
    default_reminder_body: str | None = None,
    link: str | None = None,
) -> EmailMessage:
    """The mail of `kind`: subject, plain-text and HTML alternatives, and the PDF attached.

    Invoice mail says the invoice's `mailBody` when set; a reminder its `reminderBody`, else the
    tenant's `default_reminder_body`, else the template's own words. A notification carries `link`,
    the invoice's hosted page, when it has one.
    """
    values = {
        "invoice": invoice,
        "figures": MailFigures.of(invoice),
        "sender_name": sender.name,
        "is_copy": kind is MailKind.COPY,
        "reminder_body": invoice.reminderBody or default_reminder_body,
        "link": link,
    }
    name = TEMPLATE_NAMES[kind]
    environment = _environment()
    message = EmailMessage(policy=SMTP)
    message["Subject"] = one_line(environment.get_template(f"{name}_subject.txt").render(values))
    message["From"] = _address(sender.name, sender.address)
    message["To"] = _address("", recipient)
    if sender.reply_to:
        message["Reply-To"] = _address(sender.name, sender.reply_to)
    message.set_content(environment.get_template(f"{name}.txt").render(values))
    message.add_alternative(environment.get_template(f"{name}.html").render(values), subtype="html")
    message.add_attachment(
        pdf.content, maintype="application", subtype="pdf", filename=one_line(pdf.file_name)
    )
    return message
