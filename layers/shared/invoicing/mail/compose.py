"""Composing invoice mail: jinja2 templates (HTML autoescaped) into a MIME message with the PDF.

Every header is built by the `email` package from single-line values: line breaks in a name or a
subject are folded into spaces and addresses are parsed as addresses, so no field can add a header.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from invoicing.invoices.model import Invoice

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


def compose_invoice_mail(
    invoice: Invoice, *, sender: Sender, recipient: str, pdf: PdfAttachment
) -> EmailMessage:
    """The invoice mail: subject, plain-text and HTML alternatives, and the PDF attached."""
    values = {"invoice": invoice, "sender_name": sender.name}
    environment = _environment()
    message = EmailMessage(policy=SMTP)
    message["Subject"] = one_line(environment.get_template("invoice_subject.txt").render(values))
    message["From"] = _address(sender.name, sender.address)
    message["To"] = _address("", recipient)
    if sender.reply_to:
        message["Reply-To"] = _address(sender.name, sender.reply_to)
    message.set_content(environment.get_template("invoice.txt").render(values))
    message.add_alternative(environment.get_template("invoice.html").render(values), subtype="html")
    message.add_attachment(
        pdf.content, maintype="application", subtype="pdf", filename=one_line(pdf.file_name)
    )
    return message
