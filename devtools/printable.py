"""Writes `invoicing.printable_ranges`: the code points the PDF layer's fonts can print, as ranges.

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
TARGET = ROOT / "layers" / "shared" / "invoicing" / "printable_ranges.py"
#: Unicode categories never printed as text: controls, format characters, unassigned, private use
NOT_TEXT = frozenset({"Cc", "Cf", "Cn", "Co", "Cs"})

HEADER = '''"""The code points the PDF layer's fonts can print, as ranges (`invoicing.printable` reads them).

Written by `make printable` (devtools/printable.py) from the fonts; do not edit.
"""

#: inclusive (first, last) code point ranges, sorted
RANGES: tuple[tuple[int, int], ...] = (
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
    return HEADER + "".join(lines) + ")\n"


def main() -> None:
    TARGET.write_text(module_text(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
