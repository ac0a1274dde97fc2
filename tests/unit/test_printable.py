"""Every character the API accepts for a printed field appears in the PDF; the rest is refused."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pypdf
import pytest
from pydantic import ValidationError

from devtools import printable as printable_writer
from invoicing.documents.content import invoice_document
from invoicing.documents.rendering import render_with_fpdf
from invoicing.documents.theme import DEFAULT_THEME
from invoicing.invoices import edits, kernel
from invoicing.invoices.model import Customer, InvoiceCreate, RowInput
from invoicing.printable import is_printable, unprintable
from invoicing.tenants.model import Tenant

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
SELLER = Tenant("acme", 1, "Acme GmbH", "EUR", "billing@acme.test", NOW)

NAMES = {
    "Latin": "Łukasz Müller-Øster",
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Cyrillic": "Анна Кузнецова",
    "Arabic": "محمد العلي",
    "Hebrew": "דוד כהן",
    "Chinese": "王小明",
    "Japanese": "やまだ タロウ 山田",
}


def test_the_printable_module_is_in_step_with_the_fonts():
    with open(printable_writer.TARGET, encoding="utf-8") as module:
        assert module.read() == printable_writer.module_text(), "run `make printable`"


def test_every_script_an_invoice_supports_is_printable():
    for script, name in NAMES.items():
        assert unprintable(name) == [], script


def test_emoji_controls_and_uncovered_scripts_are_not_printable():
    assert unprintable("Party 🎉 time\x07") == ["🎉", "\x07"]
    assert unprintable("김민준") == ["김", "민", "준"]
    assert not is_printable("\u200b")
    assert unprintable("two\nlines\tok", multiline=True) == []
    assert unprintable("two\nlines") == ["\n"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer": {"firstName": "Ana 😀"}}, "customer.firstName"),
        ({"rows": [{"description": "Cake 🎂", "quantity": 1, "unitPrice": 1}]}, "rows.0.description"),
        ({"note": "Thanks 🙏"}, "note"),
    ],
)
def test_an_unprintable_character_is_refused_naming_the_field(body, field):
    with pytest.raises(ValidationError) as refused:
        InvoiceCreate.model_validate({"currency": "EUR", **body})
    (error,) = refused.value.errors()
    assert ".".join(str(part) for part in error["loc"]) == field
    assert "cannot print" in error["msg"]
    assert "U+1F" in error["msg"]


def _pdf(customer: Customer, descriptions: list[str]) -> bytes:
    fields = InvoiceCreate(
        currency="EUR",
        customer=customer,
        rows=[
            RowInput(description=text, quantity=Decimal(1), unitPrice=Decimal(10)) for text in descriptions
        ],
    )
    invoice = edits.create_invoice(fields, actor=ACTOR, now=NOW).invoice
    return render_with_fpdf(invoice_document(invoice, SELLER, DEFAULT_THEME), None, now=NOW)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_names_in_seven_scripts_are_read_back_from_the_pdf():
    customer = Customer(firstName=NAMES["Chinese"], lastName=NAMES["Arabic"], companyName=NAMES["Hebrew"])
    text = _text(_pdf(customer, list(NAMES.values())))
    for script, name in NAMES.items():
        assert name in text, script


def test_only_an_invoice_with_chinese_or_japanese_carries_the_fallback_font():
    assert b"DroidSansFallback" not in _pdf(Customer(firstName="Zoë"), ["Beratung"])
    assert b"DroidSansFallback" in _pdf(Customer(firstName="Zoë"), ["相談"])
