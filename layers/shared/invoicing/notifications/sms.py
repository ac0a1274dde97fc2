"""The text message of an invoice: one message of at most two SMS segments (pure).

A segment holds 160 GSM-7 characters (153 when the message is split), or 70 UCS-2 code units (67
when split); one character outside GSM-7 makes the whole message UCS-2. The text is built from the
formatter's figures with plain spaces (a no-break space is not GSM-7), and the seller's name is
shortened, then left out, until the message fits.
"""

from __future__ import annotations

from invoicing.formatting import format_date, format_money
from invoicing.invoices.model import Invoice

MAX_SEGMENTS = 2
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: written as an escape and the character: two septets each
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
_SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2009": " "})


def is_gsm7(text: str) -> bool:
    return all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in text)


def sms_segments(text: str) -> int:
    """How many SMS segments `text` is sent as."""
    if is_gsm7(text):
        units = len(text) + sum(char in _GSM7_EXTENSION for char in text)
        single, split = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, split = 70, 67
    return 1 if units <= single else -(-units // split)


def _plain(text: str) -> str:
    return " ".join(text.translate(_SPACES).split())


def invoice_sms(invoice: Invoice, *, seller_name: str, link: str | None) -> str:
    """`<seller>: invoice <number>, <amount due> due <date>. Pay: <link>` in at most MAX_SEGMENTS."""
    amount = _plain(format_money(invoice.amountDue, invoice.currency, invoice.locale))
    due = f" due {_plain(format_date(invoice.dueDate, invoice.locale))}" if invoice.dueDate else ""
    body = f"invoice {invoice.invoiceNumber}, {amount}{due}." + (f" Pay: {link}" if link else "")
    seller = _plain(seller_name)
    for length in range(len(seller), 0, -1):
        text = f"{seller[:length].rstrip()}: {body}"
        if sms_segments(text) <= MAX_SEGMENTS:
            return text
    text = body[0].upper() + body[1:]
    if sms_segments(text) > MAX_SEGMENTS:
        raise ValueError(f"The text message of invoice {invoice.id} is longer than {MAX_SEGMENTS} segments.")
    return text
