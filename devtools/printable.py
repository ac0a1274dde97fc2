"""Writes `invoicing.printable`: the code points the PDF layer's fonts can print, as ranges.

`make printable` runs it after a font changes; a unit test checks the module is in step with the
fonts. The shared layer cannot read the fonts itself (they live in the PDF layer, and fontTools is
not a cold-start import), so the ranges are written out once here.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "layers" / "pdf" / "invoice_pdf" / "fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallback.ttf")
TARGET = ROOT / "layers" / "shared" / "invoicing" / "printable.py"
#: Unicode categories never printed as text: controls, format characters, unassigned, private use
NOT_TEXT = frozenset({"Cc", "Cf", "Cn", "Co", "Cs"})

HEADER = '''"""The characters an invoice can print: what the PDF layer's fonts hold.

Written by `make printable` (devtools/printable.py) from the fonts. Text that reaches a PDF is
checked against these ranges at input, so nothing is dropped silently when it is rendered.
Line breaks and tabs are allowed where a field takes several lines.
"""

from __future__ import annotations

from bisect import bisect_right

#: inclusive (first, last) code point ranges, sorted
RANGES: tuple[tuple[int, int], ...] = (
'''

FOOTER = '''
)
_STARTS = tuple(first for first, _ in RANGES)


def is_printable(character: str) -> bool:
    code = ord(character)
    index = bisect_right(_STARTS, code) - 1
    return index >= 0 and code <= RANGES[index][1]


def unprintable(text: str, *, multiline: bool = False) -> list[str]:
    """The distinct characters of `text` no font can print, in order of appearance."""
    allowed = "\\n\\r\\t" if multiline else ""
    found: dict[str, None] = {}
    for character in text:
        if character not in allowed and not is_printable(character):
            found.setdefault(character)
    return list(found)
'''


def printable_code_points() -> set[int]:
    """Code points a regular face prints (bold falls back to regular where it lacks a glyph)."""
    covered: set[int] = set()
    for name in FONT_FILES:
        covered.update(TTFont(FONTS / name, lazy=True).getBestCmap())
    return {code for code in covered if unicodedata.category(chr(code)) not in NOT_TEXT}


def ranges(code_points: set[int]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for code in sorted(code_points):
        if merged and code == merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], code)
        else:
            merged.append((code, code))
    return merged


def module_text() -> str:
    lines = [f"    (0x{first:04X}, 0x{last:04X}),\n" for first, last in ranges(printable_code_points())]
    return HEADER + "".join(lines).rstrip("\n") + FOOTER


def main() -> None:
    TARGET.write_text(module_text(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
