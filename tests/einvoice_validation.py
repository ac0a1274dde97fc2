"""The official EN 16931 validation rules (CEN schematron compiled to XSLT, tests/fixtures/en16931),
run with saxonche: the failed asserts of an e-invoice, compiled once per test process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "en16931"
STYLESHEETS = {
    "cii": FIXTURES / "cii" / "EN16931-CII-validation.xslt",
    "ubl": FIXTURES / "ubl" / "EN16931-UBL-validation.xslt",
}
_FAILED_ASSERT = re.compile(
    r"<svrl:failed-assert\b(?P<attributes>[^>]*)>.*?<svrl:text>(?P<text>.*?)</svrl:text>", re.DOTALL
)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class FailedAssert:
    rule: str
    flag: str
    text: str


@cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _validator(syntax: str) -> Any:
    compiler = _processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=str(STYLESHEETS[syntax]))


def failed_asserts(syntax: str, document: bytes) -> list[FailedAssert]:
    """Every failed assert of the `syntax` ("cii" or "ubl") rules on `document`."""
    node = _processor().parse_xml(xml_text=document.decode("utf-8"))
    report = _validator(syntax).transform_to_string(xdm_node=node)
    failures = []
    for match in _FAILED_ASSERT.finditer(report):
        attributes = dict(_ATTRIBUTE.findall(match.group("attributes")))
        failures.append(FailedAssert(attributes.get("id", "?"), attributes.get("flag", "?"), match["text"]))
    return failures


def fatal_asserts(syntax: str, document: bytes) -> list[FailedAssert]:
    return [failure for failure in failed_asserts(syntax, document) if failure.flag == "fatal"]
