"""Lays an `InvoiceDocument` out on A4 pages with fpdf2 (pure Python, no system libraries).

Lives in the PDF layer (`layers/pdf`), which only the functions that render carry; they import it
only when they render, so no cold start loads fpdf2. Every string comes from the document; the theme
decides colours, font size, footer and logo. Long invoices break across pages, each repeating the
table header and numbered "Page n of m".
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from invoicing.documents.content import InvoiceDocument, RowLine
from invoicing.documents.theme import rgb

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"
#: Chinese and Japanese: loaded only for a document that holds a character at or above U+3000
#: outside the presentation forms DejaVu carries (parsing the font costs about 150 ms)
FALLBACK_FONT = "DroidSansFallback"
#: Hebrew, Arabic and their presentation forms: drawn right to left, Arabic letters joined
RIGHT_TO_LEFT = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
MARGIN = 15
STAMP_SIZE = 110
STAMP_ANGLE = 45
STAMP_OPACITY = 0.12
LINE = 4.6
CELL_PADDING = 1.0
#: the tax breakdown and totals, right-aligned: room for amounts up to "-999,999,999,999.999 KWD"
SUMMARY_WIDTH = 120
#: column widths in mm (sum 180 = A4 width less margins) and alignments of the row table
COLUMNS = (
    ("Description", 66, "L"),
    ("Qty", 16, "R"),
    ("Unit", 10, "L"),
    ("Unit price", 24, "R"),
    ("Disc.", 14, "R"),
    ("Tax", 14, "R"),
    ("Amount", 36, "R"),
)


def _texts(value: Any) -> Iterator[str]:
    """Every string a document holds, however deep."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item)


def _needs_fallback(code: int) -> bool:
    return 0x3000 <= code < 0xFB1D or 0xFF00 <= code <= 0xFFEF


class _InvoicePdf(FPDF):
    def __init__(self, document: InvoiceDocument) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.theme = document.theme
        self._widths: dict[tuple[str, str, float], dict[str, float]] = {}
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 8)
        self.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
        code_points = {ord(character) for text in _texts(document) for character in text}
        if any(_needs_fallback(code) for code in code_points):
            self.add_font(FALLBACK_FONT, "", FONTS / "DroidSansFallback.ttf")
            self.set_fallback_fonts([FALLBACK_FONT], exact_match=False)
        if any(first <= code <= last for code in code_points for first, last in RIGHT_TO_LEFT):
            self.set_text_shaping(True)
        self._plain_text_only = not self._fallback_font_ids and not self.text_shaping
        self.set_title(document.running_header)
        self.set_author(document.seller[0])
        self.set_creator("invoicing")

    def draw_text(self, x: float, baseline: float, text: str) -> None:
        """`text()` at its baseline: fpdf2's fastest way to put a string down, but it knows neither
        fallback fonts nor shaping, so other scripts go through a cell on the same line."""
        if self._plain_text_only or text.isascii():
            self.text(x, baseline, text)
            return
        self.set_xy(x - self.c_margin, baseline - LINE + 0.8)
        self.cell(self.text_width(text) + 2 * self.c_margin, LINE, text)

    def text_width(self, text: str) -> float:
        """Width in mm at the current font and size, from a per-character cache (no kerning is used)."""
        widths = self._widths.setdefault((self.font_family, self.font_style, self.font_size_pt), {})
        total = 0.0
        for char in text:
            width = widths.get(char)
            if width is None:
                width = widths[char] = self.get_string_width(char)
            total += width
        return total

    def header(self) -> None:
        if self.document.stamp:
            self.stamp(self.document.stamp)
        if self.page_no() == 1:
            return
        self.muted(self.theme.fontSize - 1)
        self.cell(0, LINE, self.document.running_header, align="L")
        self.ln(LINE * 2)

    def footer(self) -> None:
        self.set_y(-MARGIN - 4)
        self.muted(self.theme.fontSize - 1.5)
        if self.document.footer:
            self.cell(150, LINE, self.document.footer, align="L")
        self.set_x(self.w - MARGIN - 30)
        self.cell(30, LINE, f"Page {self.page_no()} of {{nb}}", align="R")

    def stamp(self, word: str) -> None:
        """The word across the page, under everything else, in the theme's accent colour."""
        with self.local_context(fill_opacity=STAMP_OPACITY, text_color=rgb(self.theme.accentColor)):
            self.set_font(FONT, "B", STAMP_SIZE)
            with self.rotation(STAMP_ANGLE, x=self.w / 2, y=self.h / 2):
                self.text(self.w / 2 - self.get_string_width(word) / 2, self.h / 2 + STAMP_SIZE / 8, word)

    def muted(self, size: float) -> None:
        """Labels and page furniture: the theme's muted colour."""
        self.set_font(FONT, "", size)
        self.set_text_color(*rgb(self.theme.mutedColor))

    def body_text(self, size: float | None = None, style: str = "") -> None:
        """Content: the theme's text colour, at its font size unless told."""
        self.set_font(FONT, style, size or self.theme.fontSize)
        self.set_text_color(*rgb(self.theme.textColor))

    def table_header(self) -> None:
        self.set_fill_color(*rgb(self.theme.accentColor))
        self.set_text_color(255, 255, 255)
        self.set_font(FONT, "B", self.theme.fontSize)
        for title, width, align in COLUMNS:
            self.cell(width, LINE + 2, title, align=align, fill=True)
        self.ln(LINE + 2)
        self.body_text()


def _block(pdf: _InvoicePdf, x: float, y: float, width: float, heading: str, lines: tuple[str, ...]) -> float:
    pdf.set_xy(x, y)
    pdf.muted(pdf.theme.fontSize - 1)
    pdf.cell(width, LINE, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
    for index, line in enumerate(lines):
        pdf.body_text(style="B" if index == 0 else "")
        pdf.multi_cell(width, LINE, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf.get_y()


def _heading(pdf: _InvoicePdf, logo: bytes | None) -> None:
    theme = pdf.theme
    if logo is not None:
        pdf.image(io.BytesIO(logo), x=pdf.w - MARGIN - theme.logoWidthMm, y=MARGIN, w=theme.logoWidthMm)
    pdf.set_font(FONT, "B", theme.fontSize + 9)
    pdf.set_text_color(*rgb(theme.accentColor))
    pdf.cell(0, 10, pdf.document.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = pdf.get_y() + 4
    bottom = max(
        _block(pdf, MARGIN, top, 85, "From", pdf.document.seller),
        _block(pdf, MARGIN + 95, top, 85, "Bill to", pdf.document.buyer or ("-",)),
    )
    pdf.set_xy(MARGIN, bottom + 4)
    for label, value in pdf.document.facts:
        pdf.muted(theme.fontSize)
        pdf.cell(40, LINE, label)
        pdf.body_text(style="B")
        pdf.cell(0, LINE, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE)


def _wrap(pdf: _InvoicePdf, text: str, width: float) -> list[str]:
    """Greedy word wrap with cached character widths: fpdf2's multi_cell is ~10x slower per row."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and pdf.text_width(candidate) > width:
            lines.append(current)
            candidate = word
        current = candidate
    return [*lines, current] if current else [""]


def _row(pdf: _InvoicePdf, row: RowLine, striped: bool) -> None:
    lines = _wrap(pdf, row.description, COLUMNS[0][1] - 2 * CELL_PADDING)
    height = LINE * len(lines) + 1
    if pdf.will_page_break(height):
        pdf.add_page()
        pdf.table_header()
    top = pdf.get_y()
    if striped:
        pdf.set_fill_color(*rgb(pdf.theme.stripeColor))
        pdf.rect(MARGIN, top, pdf.w - 2 * MARGIN, height, style="F")
    baseline = top + LINE - 0.8
    for index, line in enumerate(lines):
        pdf.draw_text(MARGIN + CELL_PADDING, baseline + index * LINE, line)
    x = MARGIN + COLUMNS[0][1]
    values = (row.quantity, row.unit, row.unit_price, row.discount, row.tax_rate, row.amount)
    for (_, width, align), value in zip(COLUMNS[1:], values, strict=True):
        if value:
            offset = width - CELL_PADDING - pdf.text_width(value) if align == "R" else CELL_PADDING
            pdf.text(x + offset, baseline, value)
        x += width
    pdf.set_y(top + height)


def _summary(pdf: _InvoicePdf) -> None:
    document, theme = pdf.document, pdf.theme
    needed = LINE * (len(document.totals) + len(document.taxes) + 4)
    if pdf.will_page_break(needed):
        pdf.add_page()
    pdf.ln(LINE)
    left = pdf.w - MARGIN - SUMMARY_WIDTH
    pdf.set_x(left)
    pdf.muted(theme.fontSize - 1)
    for title, width in (("Tax rate", 24), ("Taxable", 48), ("Tax", 48)):
        pdf.cell(width, LINE, title, align="R")
    pdf.ln(LINE)
    pdf.body_text()
    for tax in document.taxes:
        pdf.set_x(left)
        for value, width in ((tax.rate, 24), (tax.taxable, 48), (tax.tax, 48)):
            pdf.cell(width, LINE, value, align="R")
        pdf.ln(LINE)
    pdf.ln(LINE / 2)
    for label, value in document.totals:
        emphasised = label in ("Total due", "Balance due")
        pdf.set_x(left)
        pdf.body_text(style="B" if emphasised else "")
        if emphasised:
            pdf.set_text_color(*rgb(theme.accentColor))
        pdf.cell(SUMMARY_WIDTH - 50, LINE + 0.6, label, align="R")
        pdf.cell(50, LINE + 0.6, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _notes(pdf: _InvoicePdf) -> None:
    if not pdf.document.notes:
        return
    pdf.ln(LINE)
    pdf.muted(pdf.theme.fontSize - 1)
    pdf.cell(0, LINE, "Notes", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.body_text()
    pdf.multi_cell(0, LINE, pdf.document.notes, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_pdf(document: InvoiceDocument, logo: bytes | None = None, *, now: datetime | None = None) -> bytes:
    pdf = _InvoicePdf(document)
    pdf.set_creation_date(now or datetime.now(UTC))
    pdf.add_page()
    _heading(pdf, logo)
    pdf.table_header()
    for index, row in enumerate(document.rows):
        _row(pdf, row, striped=index % 2 == 1)
    _summary(pdf)
    _notes(pdf)
    return bytes(pdf.output())
