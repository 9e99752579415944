"""The PDF document SmartPick writes (fpdf2, pure Python): fonts, paragraphs, bullets and tables.

Text is laid out here, not by fpdf2's `multi_cell`/`table`: those break lines a character at a
time and measure the whole line again for each character (quadratic in the paragraph), and a table
lays every cell out twice; a 120-program list took 1-2 s. Here a paragraph is broken at spaces with
each word measured once per document (widths add up: no kerning or text shaping is used), and
each line is drawn with one `cell`; a table row is as tall as its longest cell and never split
across pages, and the header row repeats on each page. Text uses DejaVu Sans from Debian's
`fonts-dejavu-core` when installed (full Unicode); otherwise fpdf2's core Helvetica with the text
reduced to Latin-1.
"""

from __future__ import annotations

import copy
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.font_type_3 import get_color_font_object
from fpdf.fonts import SubsetMap, TTFFont

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_REPLACEMENTS = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2192": "->",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2026": "...",
    "\u2022": "-",
    "\u00b1": "+/-",
}
_FOOTER = (
    "SmartPick is independent of NRMP, AAMC and ECFMG. Chances are model estimates fitted to "
    "published NRMP Charting Outcomes 2026 figures (non-US IMGs); 'likely' ranges hold the true "
    "value 8 times in 10. Program facts carry their source and year in the catalog."
)


# TrueType faces read once per process instead of once per document: fpdf2 reads a font's
# character widths and glyph ids (about 6,000 entries for DejaVu Sans) each time a document adds
# it, about a third of a second for the two faces used here. Every document gets a copy with fresh
# per-document state: its font number, the glyph subset to embed, the missing glyphs, the font
# descriptor and its own lazily read font file (fpdf2 subsets that file in place when it writes).
# Written against fpdf2 2.8.9 (pinned); a test checks the PDF is byte-identical to fpdf2's own.
_read: dict[tuple[str, str, str], TTFFont] = {}
_lock = threading.Lock()


def _add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """`pdf.add_font(family, style, path)`, reading the font file's tables once per process."""
    fontkey = f"{family.lower()}{style}"
    key = (family.lower(), style, str(path))
    with _lock:
        if key not in _read:
            scratch = FPDF()
            scratch.add_font(family, style, str(path))
            read = scratch.fonts[fontkey]
            assert isinstance(read, TTFFont)
            _read[key] = read
        template = _read[key]
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(
        font.ttffile,
        recalcTimestamp=False,
        fontNumber=font.collection_font_number,
        lazy=True,
    )
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font._hbfont = None
    font.desc = copy.copy(template.desc)
    font.subset = SubsetMap(font)
    font.color_font = (
        get_color_font_object(pdf, font, font.palette_index) if pdf.render_color_fonts else None
    )
    pdf.fonts[fontkey] = font


class PlanDocument(FPDF):
    """An A4 document with SmartPick's fonts, footer and fast text layout."""

    def __init__(self, unicode_font: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.unicode_font = unicode_font
        if unicode_font:
            _add_font(self, "DejaVu", "", DEJAVU_DIR / "DejaVuSans.ttf")
            _add_font(self, "DejaVu", "B", DEJAVU_DIR / "DejaVuSans-Bold.ttf")
            self.family_name = "DejaVu"
        else:
            self.family_name = "Helvetica"
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(15, 15, 15)
        self._widths: dict[tuple[str, str, float, str], float] = {}

    def text_safe(self, text: object) -> str:
        value = "" if text is None else str(text)
        if self.unicode_font:
            return value
        for old, new in _REPLACEMENTS.items():
            value = value.replace(old, new)
        value = unicodedata.normalize("NFKD", value)
        return value.encode("latin-1", "ignore").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family_name, "", 7)
        self.set_text_color(110)
        self.cell(0, 5, self.text_safe(f"SmartPick plan - page {self.page_no()}"), align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: float = 13) -> None:
        self.ln(2)
        self.set_font(self.family_name, "B", size)
        self.lines(text, 7)
        self.set_font(self.family_name, "", 9.5)

    def para(self, text: str, size: float = 9.5, bold: bool = False) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.lines(text, 5)
        self.set_font(self.family_name, "", 9.5)

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            self.lines(f"- {item}", 5, indent=3)

    def lines(self, text: str, height: float, indent: float = 0) -> None:
        """`text` in the current font, broken into lines `height` mm apart across the page."""
        width = self.epw - indent
        for line in self.wrap(self.text_safe(text), width - 2 * self.c_margin):
            if self.y + height > self.page_break_trigger:
                self.add_page()
            self.put(self.l_margin + indent, self.y, height, line)
            self.set_xy(self.l_margin, self.y + height)

    def put(self, x: float, top: float, height: float, line: str) -> None:
        """One line of text in the box at (x, top) `height` mm tall, placed as `cell` places it
        (after the cell margin, centred vertically), without `cell`'s per-call layout work."""
        self.text(x + self.c_margin, top + 0.5 * height + 0.3 * self.font_size, line)

    def width_of(self, word: str) -> float:
        """The word's width in mm in the current font, measured once per document."""
        key = (self.font_family, self.font_style, self.font_size_pt, word)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self.get_string_width(word)
        return found

    def wrap(self, text: str, width: float) -> list[str]:
        """`text` broken at spaces into lines at most `width` mm wide (a longer word is cut)."""
        lines = []
        space = self.width_of(" ")
        for paragraph in text.split("\n"):
            line: list[str] = []
            used = 0.0
            for word in paragraph.split(" "):
                w = self.width_of(word)
                if line and used + space + w > width:
                    lines.append(" ".join(line))
                    line, used = [], 0.0
                while not line and w > width and len(word) > 1:
                    cut = self._cut(word, width)
                    lines.append(word[:cut])
                    word = word[cut:]
                    w = self.width_of(word)
                used = used + space + w if line else w
                line.append(word)
            lines.append(" ".join(line))
        return lines

    def _cut(self, word: str, width: float) -> int:
        """How many characters of `word` fit in `width` mm (at least one)."""
        used = 0.0
        for i, char in enumerate(word):
            used += self.width_of(char)
            if used > width:
                return max(i, 1)
        return len(word)

    def grid(
        self, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]
    ) -> None:
        """A table with borders: the header row bold on a tint, repeated on each new page."""
        self.set_font(self.family_name, "", 8)
        self._row(header, widths, header=True)
        for row in rows:
            if not self._row(row, widths, header=False):
                self.add_page()
                self._row(header, widths, header=True)
                self._row(row, widths, header=False)
        self.set_font(self.family_name, "", 9.5)

    def _row(self, cells: Sequence[object], widths: Sequence[int], *, header: bool) -> bool:
        """Draw one table row; False (nothing drawn) when it does not fit on this page."""
        self.set_font(self.family_name, "B" if header else "", 8)
        line_height, pad = 4.2, 0.6
        wrapped = [
            self.wrap(self.text_safe(value), w - 2 * self.c_margin)
            for value, w in zip(cells, widths, strict=True)
        ]
        height = max(len(lines) for lines in wrapped) * line_height + 2 * pad
        top = self.get_y()
        if not header and top + height > self.page_break_trigger:
            return False
        x = self.l_margin
        if header:
            self.set_fill_color(225, 232, 240)
        for lines, w in zip(wrapped, widths, strict=True):
            self.rect(x, top, w, height, style="DF" if header else "D")
            for i, line in enumerate(lines):
                self.put(x, top + pad + i * line_height, line_height, line)
            x += w
        self.set_xy(self.l_margin, top + height)
        return True
