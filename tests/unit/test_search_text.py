"""Free-text normalisation: case, accents and spacing do not matter; the stored text is bounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devtools.invoice_fixtures import new_invoice
from invoicing.invoices.search_text import SEARCH_TEXT_MAX_BYTES, normalise, search_words, searchable_text


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Müller GmbH", "muller gmbh"),
        ("MÜLLER", "muller"),
        ("Straße", "strasse"),
        ("Łódź  Café\tcrème\nbrûlée", "lodz cafe creme brulee"),
        ("Søren Æbeltoft", "soren aebeltoft"),
        ("\ufb01ne \uff26\uff55\uff4c\uff4c", "fine full"),  # ligature, fullwidth letters
        ("", ""),
    ],
)
def test_normalise_folds_case_accents_and_spacing(text, normalised):
    assert normalise(text) == normalised


def test_search_words_are_distinct_normalised_words():
    assert search_words(["José  Müller", "jose"]) == ("jose", "muller")


def test_searchable_text_holds_number_customer_contact_note_and_row_descriptions():
    invoice, _ = new_invoice(
        "acme",
        invoice_number="INV-2026-00042",
        customer={
            "firstName": "Jürgen",
            "lastName": "Groß",
            "companyName": "Globex AG",
            "email": "AP@globex.test",
        },
        contactEmail="billing@globex.test",
        note="Zahlbar ohne Abzug",
        rows=[
            {"description": "Beratung", "quantity": 1, "unitPrice": 10},
            {"description": "Beratung", "quantity": 2, "unitPrice": 10},
            {"description": "Anfahrt", "quantity": 1, "unitPrice": Decimal("4.5")},
        ],
    )

    assert searchable_text(invoice).split("\n") == [
        "inv-2026-00042",
        "globex ag",
        "jurgen",
        "gross",
        "ap@globex.test",
        "billing@globex.test",
        "zahlbar ohne abzug",
        "beratung",
        "anfahrt",
    ]


def test_searchable_text_is_capped_on_a_character_boundary():
    invoice, _ = new_invoice(
        "acme", note="漢" * 1000, rows=[{"description": "row", "quantity": 1, "unitPrice": 1}]
    )

    text = searchable_text(invoice)

    assert len(text.encode()) <= SEARCH_TEXT_MAX_BYTES
    assert text == "漢" * (SEARCH_TEXT_MAX_BYTES // 3)
