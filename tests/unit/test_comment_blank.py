"""A blank comment is refused alike by the code and by the OpenAPI document's pattern, whichever
side's idea of white space a client has (Python's `str.isspace`, or ECMA-262's `\\s`)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from invoicing.errors import ValidationFailed
from invoicing.invoices import edits, kernel
from invoicing.invoices.model import InvoiceCreate

DOCUMENT = Path(__file__).parents[2] / "functions" / "docs" / "openapi.json"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
ACTOR = kernel.Actor("acme", "alice@acme.test")
#: ECMA-262 WhiteSpace and LineTerminator
ECMA_SPACE = set("\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(code) for code in range(0x2000, 0x200B)
}


def draft():
    return edits.create_invoice(InvoiceCreate(currency="EUR"), actor=ACTOR, now=NOW).invoice


@pytest.mark.parametrize("text", ["\x1c", " \x1f\t", "\ufeff", "\u3000\x85"])
def test_a_comment_of_only_white_space_of_either_kind_is_refused(text):
    with pytest.raises(ValidationFailed):
        edits.add_comment(draft(), text, actor=ACTOR, now=NOW)


def test_every_character_is_blank_to_the_code_exactly_when_python_or_ecma_262_calls_it_space():
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        character = chr(code)
        blank = re.search(edits.NOT_BLANK, character) is None
        assert blank == (character.isspace() or character in ECMA_SPACE), hex(code)


def test_the_documented_comment_pattern_is_the_codes():
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    body = document["paths"]["/v1/invoices/{invoiceId}/comment"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]

    assert schema["pattern"] == edits.NOT_BLANK
