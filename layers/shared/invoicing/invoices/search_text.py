"""Text for free-text search: case- and accent-insensitive substring matching.

An invoice's searchable text and the words of a query both go through `normalise`, so "Müller"
finds "MULLER" and "strasse" finds "Straße". The searchable text is capped at SEARCH_TEXT_MAX_BYTES
(it is copied into every listing index): invoice number, customer and contact come first, then the
note and the row descriptions. Text beyond the cap is not searchable; ARCHITECTURE.md says when free
text should move to a search engine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from invoicing.invoices.model import Invoice

SEARCH_TEXT_MAX_BYTES = 2048

#: letters that Unicode does not decompose into a base letter and an accent
_UNDECOMPOSABLE = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ħ": "h",
        "Ħ": "h",
        "\u0131": "i",  # dotless i
        "þ": "th",
        "Þ": "th",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
    }
)


def normalise(text: str) -> str:
    """Case-folded, without accents, whitespace collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    bare = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(bare.casefold().split())


def _truncated(text: str, max_bytes: int) -> str:
    return text.encode()[:max_bytes].decode(errors="ignore")


def searchable_text(invoice: Invoice) -> str:
    """The normalised fields free text searches, one per line, distinct, at most SEARCH_TEXT_MAX_BYTES."""
    customer = invoice.customer
    fields = [
        invoice.invoiceNumber,
        customer.companyName if customer else None,
        customer.firstName if customer else None,
        customer.lastName if customer else None,
        customer.email if customer else None,
        invoice.contactEmail,
        invoice.note,
        *(row.description for row in invoice.rows),
    ]
    distinct = dict.fromkeys(normalised for field in fields if field and (normalised := normalise(field)))
    return _truncated("\n".join(distinct), SEARCH_TEXT_MAX_BYTES)


def search_words(terms: Iterable[str]) -> tuple[str, ...]:
    """The distinct normalised words of the search terms; an invoice matches when it contains them all."""
    return tuple(dict.fromkeys(word for term in terms for word in normalise(term).split()))
