"""The advisor's plan and the recommended list as a PDF (fpdf2, pure Python).

Input is the plan's JSON contract (`Plan.to_dict()`, docs/advisor.md), so the CLI and the web page
render the same document from the same data. Text uses DejaVu Sans from Debian's
`fonts-dejavu-core` when installed (full Unicode); otherwise fpdf2's core Helvetica with the text
reduced to Latin-1.
"""

from __future__ import annotations

import copy
import datetime as _dt
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.font_type_3 import get_color_font_object
from fpdf.fonts import FontFace, SubsetMap, TTFFont

from smartpick.core.plan.types import band_lines

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


class _PlanPdf(FPDF):
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
        self.multi_cell(0, 7, self.text_safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family_name, "", 9.5)

    def para(self, text: str, size: float = 9.5, bold: bool = False) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.multi_cell(0, 5, self.text_safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family_name, "", 9.5)

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            self.set_x(self.l_margin + 3)
            self.multi_cell(0, 5, self.text_safe(f"- {item}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(
        self, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]
    ) -> None:
        self.set_font(self.family_name, "", 8)
        with self.table(
            col_widths=tuple(widths),
            text_align="LEFT",
            line_height=4.2,
            first_row_as_headings=True,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 232, 240)),
        ) as table:
            head = table.row()
            for h in header:
                head.cell(self.text_safe(h))
            for r in rows:
                row = table.row()
                for value in r:
                    row.cell(self.text_safe(value))
        self.set_font(self.family_name, "", 9.5)


def _ties_text(ties: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for t in ties:
        place = ", ".join(str(v) for v in (t.get("city"), t.get("state")) if v)
        parts.append(f"{t['name']} ({place})" if place else str(t["name"]))
    return "; ".join(parts) + "."


def _narrowed_text(flag: Mapping[str, Any]) -> str:
    if flag.get("programs_narrowed") is None:
        return "-"
    cut = flag.get("median_interview_cut")
    extra = f" (about {100 * cut:.0f}% lower at a typical one)" if cut else ""
    return f"{flag['programs_narrowed']}{extra}"


def _pct(x: float | None) -> str:
    return "unknown" if x is None else f"{100 * x:.0f}%"


def _est(e: Mapping[str, float] | None, *, pct: bool, signed: bool = False) -> str:
    if not e:
        return "-"

    def fmt(v: float) -> str:
        if pct:
            return f"{100 * v:+.1f} points" if signed else f"{100 * v:.0f}%"
        return f"{v:+.1f}" if signed else f"{v:.1f}"

    return f"{fmt(e['point'])} (likely {fmt(e['low'])} to {fmt(e['high'])})"


def price_line(price: Mapping[str, Any]) -> str:
    """One sentence: the chance of matching, interviews and fees before and after, with the
    range of the change."""
    b, c, d = price["baseline"], price["changed"], price["delta"]
    fees = f"fees ${b['fees_usd']:,.0f} -> ${c['fees_usd']:,.0f}"
    return (
        f"Your chance of matching {_pct(b['p_match']['point'])} -> "
        f"{_pct(c['p_match']['point'])}, change {_est(d['p_match'], pct=True, signed=True)}; "
        "interview offers "
        f"{b['expected_interviews']['point']:.1f} -> {c['expected_interviews']['point']:.1f} "
        f"(change {_est(d['expected_interviews'], pct=False, signed=True)}); {fees}."
    )


def plan_pdf(
    plan: Mapping[str, Any],
    *,
    title: str = "SmartPick strategy plan",
    today: _dt.date | None = None,
    unicode_font: bool | None = None,
) -> bytes:
    """Render the plan (its JSON contract) and its recommended list as PDF bytes.

    `unicode_font`: None uses DejaVu when installed; False forces the core Latin-1 font.
    """
    if unicode_font is None:
        unicode_font = (DEJAVU_DIR / "DejaVuSans.ttf").is_file()
    pdf = _PlanPdf(unicode_font=unicode_font)
    pdf.set_title(pdf.text_safe(title))
    pdf.set_creator("SmartPick")
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 17)
    pdf.cell(0, 9, pdf.text_safe(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family_name, "", 9)
    date = plan.get("prepared_on") or (today or _dt.date.today()).isoformat()
    pdf.para(f"Prepared {date} for {plan.get('profile_name') or 'this applicant'}.", size=9)

    summary = plan.get("summary") or []
    if summary:
        pdf.heading("In short")
        pdf.bullets(summary)
    _standing(pdf, plan)
    baseline = plan.get("baseline")
    if baseline:
        pdf.heading("Your list today")
        pdf.para(
            f"Your chance of matching with this list {_est(baseline['p_match'], pct=True)}; "
            "interview offers "
            f"{_est(baseline['expected_interviews'], pct=False)}; "
            f"{baseline['programs']} programs; fees ${baseline['fees_usd']:,.0f}."
        )
    curve = plan.get("curve") or []
    if len(curve) >= 2:
        pdf.heading("Your chance of matching against the number of applications")
        _curve_chart(pdf, curve, plan.get("stop_at_applications"))
    flags = plan.get("red_flags") or []
    if flags:
        pdf.heading("Red flags")
        pdf.grid(
            ("Flag", "What is known", "Ruled out", "Interview chance lower", "Of"),
            [
                (
                    f["title"],
                    " ".join([f["detail"], *(f.get("notes") or ())]),
                    "not stated" if f["programs_shut"] is None else f["programs_shut"],
                    _narrowed_text(f),
                    f["programs_total"],
                )
                for f in flags
            ],
            (34, 91, 16, 27, 12),
        )
    pdf.heading("The plan")
    for n, step in enumerate(plan.get("steps") or [], start=1):
        pdf.para(f"{n}. {step['title']}  ({step['duration_text']})", size=10.5, bold=True)
        pdf.para(step["why"])
        pdf.bullets(step["actions"])
        ties = (step.get("details") or {}).get("tie_programs") or []
        if ties:
            pdf.para(
                "Programs where a rotation would count as a tie: " + _ties_text(ties), size=8.5
            )
        if step.get("price"):
            pdf.para("Priced by re-running the model: " + price_line(step["price"]), bold=True)
        elif step.get("price_error"):
            pdf.para(f"Not priced: {step['price_error']}")
        pdf.ln(1)
    timeline = plan.get("timeline") or []
    if timeline:
        pdf.heading("Timeline (months from today)")
        pdf.grid(
            ("Months", "Calendar", "What"),
            [
                (
                    f"{t['start_month']}-{t['end_month']}",
                    f"{t['start']} to {t['end']}" if t.get("start") else "",
                    t["label"],
                )
                for t in timeline
            ],
            (20, 40, 120),
        )
    rows = plan.get("recommended") or []
    if rows:
        pdf.heading(f"Recommended list ({len(rows)} programs)")
        pdf.grid(
            ("#", "Program", "State", "Tier", "Interview chance", "Signal", "Fee"),
            [
                (
                    i,
                    r.get("name", ""),
                    r.get("state") or "",
                    r.get("tier", ""),
                    r.get("p_interview_text", ""),
                    r.get("signal", ""),
                    f"${r.get('fee_usd', 0):,.0f}",
                )
                for i, r in enumerate(rows, start=1)
            ],
            (8, 82, 12, 16, 32, 16, 14),
        )
    notes = list(plan.get("notes") or [])
    pdf.heading("Notes and sources", size=11)
    pdf.para(" ".join([*notes, _FOOTER]), size=8)
    return bytes(pdf.output())


def _curve_chart(pdf: _PlanPdf, curve: Sequence[Mapping[str, Any]], stop: int | None) -> None:
    """Line chart of P(match) (with its interval band) against applications, the curve's stopping
    point and the guide's 60-120 range shaded."""
    x0, width, height = pdf.l_margin + 10, 160.0, 48.0
    if pdf.get_y() + height + 14 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 2
    bottom = top + height
    n_max = max(int(c["applications"]) for c in curve)
    n_axis = max(n_max, 120)

    def x(n: float) -> float:
        return x0 + width * n / n_axis

    def y(p: float) -> float:
        return bottom - height * p

    pdf.set_fill_color(236, 240, 246)
    pdf.rect(x(60), top, x(120) - x(60), height, style="F")
    band = [(x(c["applications"]), y(c["p_match"]["high"])) for c in curve]
    band += [(x(c["applications"]), y(c["p_match"]["low"])) for c in reversed(curve)]
    pdf.set_fill_color(190, 210, 235)
    pdf.polygon(band, style="F")
    pdf.set_draw_color(30, 80, 160)
    pdf.set_line_width(0.5)
    pdf.polyline([(x(c["applications"]), y(c["p_match"]["point"])) for c in curve])
    pdf.set_draw_color(0)
    pdf.set_fill_color(255)
    pdf.set_line_width(0.2)
    pdf.line(x0, bottom, x0 + width, bottom)
    pdf.line(x0, top, x0, bottom)
    pdf.set_font(pdf.family_name, "", 7)
    for p in (0.0, 0.25, 0.5, 0.75, 1.0):
        pdf.text(x0 - 9, y(p) + 1, f"{100 * p:.0f}%")
    for n in range(0, n_axis + 1, 30):
        pdf.text(x(n) - 2, bottom + 4, str(n))
    pdf.text(x(60) + 1, top + 3, pdf.text_safe("guide: 60-120"))
    if stop:
        pdf.set_draw_color(200, 60, 40)
        pdf.line(x(stop), top, x(stop), bottom)
        pdf.set_draw_color(0)
        pdf.text(x(stop) + 1, top + 7, pdf.text_safe(f"stop: {stop}"))
    pdf.set_y(bottom + 6)
    pdf.set_font(pdf.family_name, "", 8)
    pdf.multi_cell(
        0,
        4,
        pdf.text_safe(
            "Applications (x) against your chance of matching with the best list of that size "
            "(line; band: the likely range). Red: where one more application stops being worth "
            "its fee at the value of a match."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(pdf.family_name, "", 9.5)


def _standing(pdf: _PlanPdf, plan: Mapping[str, Any]) -> None:
    standing = plan.get("standing") or {}
    pdf.heading("Where you stand")
    lines = band_lines(standing, suffix=" (the guide's bands).")
    if standing.get("step3_score"):
        lines.append(f"Step 3 {standing['step3_score']}.")
    pct = standing.get("specialty_percentile")
    if pct:
        lines.append(pct["summary"])
    if standing.get("percentile_note"):
        lines.append(standing["percentile_note"])
    for specialty, group in (standing.get("competitiveness") or {}).items():
        lines.append(f"{specialty}: {group}.")
    pdf.bullets(lines)
