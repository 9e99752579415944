"""TrueType fonts for the PDF, read once per process instead of once per document.

fpdf2 reads a font's character widths and glyph ids (about 6,000 entries for DejaVu Sans) each
time a document adds it: about a third of a second for the two faces the plan uses. Here each face
is read once; every document gets a copy with fresh per-document state: its font number, the
glyph subset to embed, the missing glyphs, the font descriptor, and its own lazily read font file
(fpdf2 subsets that file in place when it writes the PDF). Written against fpdf2 2.8.9 (pinned);
a test checks the PDF is byte-identical to one made with fpdf2's own `add_font`.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.font_type_3 import get_color_font_object
from fpdf.fonts import SubsetMap, TTFFont

_read: dict[tuple[str, str, str], TTFFont] = {}
_lock = threading.Lock()


def add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
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
