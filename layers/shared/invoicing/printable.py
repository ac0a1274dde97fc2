"""The characters an invoice can print: what the PDF layer's fonts hold (`printable_ranges`, written
by `make printable` from the fonts).

Text that reaches a PDF is checked against them at input, so nothing is dropped silently when it is
rendered. Line breaks and tabs are allowed where a field takes several lines.
"""

from __future__ import annotations

from bisect import bisect_right

from invoicing.printable_ranges import RANGES

__all__ = ["RANGES", "is_printable", "unprintable"]

_STARTS = tuple(first for first, _ in RANGES)


def is_printable(character: str) -> bool:
    code = ord(character)
    index = bisect_right(_STARTS, code) - 1
    return index >= 0 and code <= RANGES[index][1]


def unprintable(text: str, *, multiline: bool = False) -> list[str]:
    """The distinct characters of `text` no font can print, in order of appearance."""
    allowed = "\n\r\t" if multiline else ""
    found: dict[str, None] = {}
    for character in text:
        if character not in allowed and not is_printable(character):
            found.setdefault(character)
    return list(found)
