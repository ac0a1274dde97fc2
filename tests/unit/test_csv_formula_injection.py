"""CSV formula injection, as a spreadsheet with `,` or with `;` as its list separator reads the file."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.invoice_fixtures import new_invoice
from invoicing.invoices.csv_export import neutralise, render_csv

SEPARATORS = (",", ";")
FORMULA_SIGNS = "=+-@"


def reads_as_formula(cell: str) -> bool:
    """What spreadsheets evaluate: a sign (or its full-width form) after any leading blanks, or a
    cell opening with a tab or a line break."""
    if cell.startswith(("\t", "\r", "\n")):
        return True
    first = cell.lstrip()[:1]
    return bool(first) and unicodedata.normalize("NFKC", first)[:1] in FORMULA_SIGNS


def cells(text: str, separator: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator) for cell in row]


def written(*texts: str) -> str:
    """One CSV line of neutralised text cells, as the export writes them."""
    output = io.StringIO(newline="")
    csv.writer(output, lineterminator="\r\n").writerow([neutralise(text) for text in texts])
    return output.getvalue()


@pytest.mark.parametrize("separator", SEPARATORS)
def test_an_exported_invoice_has_no_formula_whatever_the_list_separator(separator):
    payload = "x;=cmd|' /C calc'!A0"
    invoice, _ = new_invoice(
        "acme",
        note=payload,
        paymentReference="ref,+1",
        customer={"companyName": "Globex; @SUM(A1)"},
        rows=[{"quantity": 1, "unitPrice": 10}],
    )

    text = render_csv([invoice])

    assert not [cell for cell in cells(text, separator) if reads_as_formula(cell)]
    assert next(csv.DictReader(io.StringIO(text, newline="")))["note"] == "x;'=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "payload",
    [
        "x;=cmd|' /C calc'!A0",
        "x,=cmd|' /C calc'!A0",
        "Globex; +1+1",
        "a;b;@SUM(A1)",
        "  =1+1",
        "\u3000=1+1",
        "\xa0-2+3",
        "\uff1dcmd|' /C calc'!A0",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
        "\ufe66HYPERLINK(1)",
        "\nline",
        "a;\t=1",
        "a;\r\n=1",
    ],
)
@pytest.mark.parametrize("separator", SEPARATORS)
def test_no_cell_reads_as_a_formula_whatever_the_list_separator(payload, separator):
    text = written("first", payload, payload)

    assert not [cell for cell in cells(text, separator) if reads_as_formula(cell)]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("x;=cmd|' /C calc'!A0", "x;'=cmd|' /C calc'!A0"),
        ("a, -b; c", "a,' -b; c"),
        ("Line one\n- item", "Line one\n'- item"),
        ('a;"=1"', 'a;\'"=1"'),
        ("\uff1d1", "'\uff1d1"),
        ("Müller-Lüdenscheid; Köln, 50667", "Müller-Lüdenscheid; Köln, 50667"),
        ("Globex = great", "Globex = great"),
        ("", ""),
    ],
)
def test_only_the_parts_that_would_be_formulas_are_escaped(text, shown):
    assert neutralise(text) == shown


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="=+-@\t\r\n ,;\"'x1\u3000\uff1d\uff0b\uff0d\uff20", max_size=12))
def test_any_text_is_neutralised_for_both_separators(text):
    """Whatever a reader splitting on the separator and on line breaks sees, quotes left over."""
    escaped = neutralise(text)

    for separator in SEPARATORS:
        parts = re.split(f"[{separator}\r\n]", escaped)
        assert not [part for part in parts if reads_as_formula(part.lstrip('"'))]


def test_amounts_stay_numbers():
    invoice, _ = new_invoice(
        "acme", note="-1;=2", rows=[{"quantity": 1, "unitPrice": "-10", "description": "credit"}]
    )

    row = next(csv.DictReader(io.StringIO(render_csv([invoice]), newline="")))

    assert Decimal(row["total"]) == invoice.total
    assert not row["total"].startswith("'")
