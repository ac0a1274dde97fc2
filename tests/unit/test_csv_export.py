"""CSV exports: RFC 4180 quoting, amounts exact to the minor unit, no formula injection."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from devtools.invoice_fixtures import new_invoice
from invoicing.invoices.csv_export import (
    COLUMNS,
    LINE_COLUMNS,
    exact_amount,
    neutralise,
    render_csv,
    response_size,
)
from invoicing.invoices.enums import InvoiceStatus


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_line_and_crlf_line_ends():
    invoice, _ = new_invoice("acme", invoice_number="INV-1", rows=[{"quantity": 1, "unitPrice": 10}])

    text = render_csv([invoice])

    lines = text.split("\r\n")
    assert lines[0] == ",".join((*COLUMNS, "taxableAmount[0]", "taxAmount[0]"))
    assert lines[2] == ""
    assert "\n" not in text.replace("\r\n", "")


def test_fields_with_commas_quotes_and_line_breaks_are_quoted_and_quotes_doubled():
    invoice, _ = new_invoice(
        "acme",
        note='Line one, with a comma\r\nline two with "quotes"',
        customer={"companyName": "Smith, Jones & Co"},
        rows=[{"quantity": 1, "unitPrice": 10}],
    )

    text = render_csv([invoice])

    assert '"Line one, with a comma\r\nline two with ""quotes"""' in text
    assert '"Smith, Jones & Co"' in text
    row = parsed(text)[0]
    assert row["note"] == 'Line one, with a comma\r\nline two with "quotes"'
    assert row["customerCompany"] == "Smith, Jones & Co"


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@"])
def test_a_text_cell_starting_with_a_formula_trigger_is_neutralised(trigger):
    payload = f'{trigger}HYPERLINK("http://evil.test","click")'
    invoice, _ = new_invoice(
        "acme",
        note=payload,
        clientId=f"{trigger}1+1",
        customer={"companyName": f"{trigger}cmd|' /C calc'!A0", "firstName": "Ann"},
        rows=[{"quantity": 1, "unitPrice": 10}],
    )

    row = parsed(render_csv([invoice]))[0]

    assert row["note"] == f"'{payload}"
    assert row["clientId"] == f"'{trigger}1+1"
    assert row["customerCompany"].startswith(f"'{trigger}")
    assert row["customerName"] == "Ann"


@pytest.mark.parametrize("trigger", ["\t", "\r"])
def test_a_note_starting_with_a_control_character_is_neutralised(trigger):
    """Names and ids refuse control characters (invoicing.printable); a note may still carry them."""
    payload = f'{trigger}HYPERLINK("http://evil.test","click")'
    invoice, _ = new_invoice("acme", note=payload, rows=[{"quantity": 1, "unitPrice": 10}])

    row = parsed(render_csv([invoice]))[0]

    assert row["note"] == f"'{payload}"


def test_neutralise_leaves_harmless_text_alone():
    assert neutralise("Globex = great") == "Globex = great"
    assert neutralise("") == ""
    assert neutralise("-5") == "'-5"


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("1492.2"), "EUR", "1492.20"),
        (Decimal(1500), "JPY", "1500"),
        (Decimal("1.25"), "KWD", "1.250"),
        (Decimal("0.1"), "CLF", "0.1000"),
        (Decimal("-19.9"), "USD", "-19.90"),
        (Decimal("999999999999.99"), "EUR", "999999999999.99"),
    ],
)
def test_amounts_carry_every_digit_of_the_minor_unit(amount, currency, text):
    assert exact_amount(amount, currency) == text


def test_amounts_come_from_the_calculator_and_are_not_neutralised():
    invoice, _ = new_invoice(
        "acme",
        currency="KWD",
        shippingAmount=Decimal("0.5"),
        rows=[
            {"quantity": 3, "unitPrice": Decimal("19.999"), "discountPercentage": 10, "taxRate": 5},
            {"quantity": 1, "unitPrice": Decimal("-10"), "taxRate": 0},
        ],
    )

    row = parsed(render_csv([invoice]))[0]

    assert (row["totalExcludingTax"], row["totalTax"], row["totalWithTax"]) == ("44.497", "2.700", "47.197")
    assert (row["shippingAmount"], row["total"], row["paid"]) == ("0.500", "47.197", "0.000")


def test_one_line_per_invoice_with_its_dates_and_people():
    first, _ = new_invoice(
        "acme",
        status=InvoiceStatus.SENT,
        invoice_number="INV-7",
        invoiceDate="2026-11-22T00:00:00Z",
        paymentTermDays=14,
        customer={"firstName": "Jürgen", "lastName": "Groß", "email": "ap@globex.test"},
        rows=[{"quantity": 1, "unitPrice": 10}],
    )
    second, _ = new_invoice("acme", rows=[])

    rows = parsed(render_csv([first, second]))

    assert [row["id"] for row in rows] == [first.id, second.id]
    assert rows[0]["status"] == "SENT"
    assert (rows[0]["invoiceDate"], rows[0]["dueDate"]) == ("2026-11-22T00:00:00Z", "2026-12-06T00:00:00Z")
    assert (rows[0]["customerName"], rows[0]["customerEmail"]) == ("Jürgen Groß", "ap@globex.test")
    assert (rows[1]["invoiceNumber"], rows[1]["invoiceDate"], rows[1]["total"]) == ("", "", "0.00")


def test_response_size_counts_the_json_escaping_of_the_lambda_response():
    text = 'a,"b"\r\nü'

    assert response_size(text) == len(json.dumps(text)) == len('"a,\\"b\\"\\r\\n\\u00fc"')


def test_the_tax_breakdown_is_two_columns_per_rate_in_the_export():
    mixed, _ = new_invoice(
        "acme",
        rows=[
            {"quantity": 1000, "unitPrice": "1.11", "taxRate": 19},
            {"quantity": 2, "unitPrice": "12.5", "taxRate": "7.5"},
        ],
    )
    single, _ = new_invoice("acme", rows=[{"quantity": 1, "unitPrice": 10, "taxRate": 19}])

    text = render_csv([mixed, single])

    header = text.split("\r\n")[0].split(",")
    assert header[len(COLUMNS) :] == [
        "taxableAmount[7.5]",
        "taxAmount[7.5]",
        "taxableAmount[19]",
        "taxAmount[19]",
    ]
    first, second = parsed(text)
    assert (first["taxableAmount[19]"], first["taxAmount[19]"]) == ("1110.00", "210.90")
    assert (first["taxableAmount[7.5]"], first["taxAmount[7.5]"]) == ("25.00", "1.88")
    assert (first["totalTax"], first["total"], first["amountDue"]) == ("212.78", "1347.78", "1347.78")
    assert (second["taxableAmount[7.5]"], second["taxAmount[19]"]) == ("", "1.90")


def test_a_byte_order_mark_only_when_asked():
    invoice, _ = new_invoice("acme", customer={"lastName": "Müller"}, rows=[])

    assert render_csv([invoice], bom=True).encode()[:3] == b"\xef\xbb\xbf"
    assert render_csv([invoice]).startswith("id,")
    assert "Müller" in render_csv([invoice], bom=True).encode().decode("utf-8-sig")


def test_one_line_per_invoice_row_names_its_invoice():
    invoice, _ = new_invoice(
        "acme",
        status=InvoiceStatus.SENT,
        invoice_number="INV-9",
        currency="KWD",
        rows=[
            {"description": "=HYPERLINK()", "quantity": "1.5", "unitPrice": "0.0125", "taxRate": 5},
            {"type": "TEXT", "description": "Phase 2", "quantity": 1, "unitPrice": 0},
            {"quantity": -1, "unitPrice": 2, "discountPercentage": "12.5", "taxRate": 5},
        ],
    )

    text = render_csv([invoice], lines=True)

    assert text.split("\r\n")[0] == ",".join(LINE_COLUMNS)
    rows = parsed(text)
    assert [(row["invoiceNumber"], row["rowType"], row["description"]) for row in rows] == [
        ("INV-9", "ITEM", "'=HYPERLINK()"),
        ("INV-9", "TEXT", "Phase 2"),
        ("INV-9", "ITEM", ""),
    ]
    assert [(row["quantity"], row["unitPrice"], row["discountPercentage"], row["total"]) for row in rows] == [
        ("1.5", "0.0125", "0", "0.019"),
        ("1", "0", "0", "0.000"),
        ("-1", "2", "12.5", "-1.750"),
    ]
    assert sum(Decimal(row["taxAmount"]) for row in rows) == invoice.totalTax
