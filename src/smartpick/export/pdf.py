"""The advisor's plan and the recommended list as a PDF.

Input is the typed `Plan` (core.plan.types) the CLI and the web page both get from
`service.advise`, so they render the same document from the same data; the document's fonts and
text layout are `export.pdf_layout`'s.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from fpdf.enums import XPos, YPos

from smartpick.core.lists.result import several_specialties
from smartpick.core.plan.figures import PLAN_CHANCE, count, dollars, offers, percent, points
from smartpick.core.plan.types import (
    CurvePoint,
    Estimate,
    Outcome,
    Plan,
    Price,
    RedFlag,
    TimelineEntry,
    duration_words,
)
from smartpick.export.pdf_layout import DEJAVU_DIR, PlanDocument

_FOOTER = (
    "SmartPick is independent of NRMP, AAMC and ECFMG. Chances are model estimates fitted to "
    "published NRMP Charting Outcomes 2026 figures (non-US IMGs); 'likely' ranges hold the true "
    "value 8 times in 10. Program facts carry their source and year in the catalog."
)


def _ties_text(ties: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for t in ties:
        place = ", ".join(str(v) for v in (t.get("city"), t.get("state")) if v)
        parts.append(f"{t['name']} ({place})" if place else str(t["name"]))
    return "; ".join(parts) + "."


def _narrowed_text(flag: RedFlag) -> str:
    if flag.programs_narrowed is None:
        return "-"
    cut = flag.median_interview_cut
    extra = f" (about {percent(cut)} lower at a typical one)" if cut else ""
    return f"{count(flag.programs_narrowed)}{extra}"


def interview_text(e: Estimate) -> str:
    """'26% (19-37%)': a list row's interview chance with its range."""
    return f"{100 * e.point:.0f}% ({100 * e.low:.0f}-{100 * e.high:.0f}%)"


def _est(e: Estimate | None, *, pct: bool, signed: bool = False) -> str:
    """An estimate with its likely range, each figure written as every face writes it."""
    if e is None:
        return "-"

    def fmt(v: float) -> str:
        if pct:
            return f"{points(v)} points" if signed else percent(v)
        return offers(v, signed=signed)

    return f"{fmt(e.point)} (likely {fmt(e.low)} to {fmt(e.high)})"


def price_line(price: Price) -> str:
    """One sentence: the chance of matching, interviews and fees before and after, with the
    range of the change."""
    b, c = price.baseline, price.changed
    shown = price.shown()
    fees = f"fees {dollars(b.fees_usd)} -> {dollars(c.fees_usd)}"
    return (
        f"Your chance of matching {shown['p_match_before']} -> {shown['p_match_after']}, "
        f"change {_est(price.delta_p_match, pct=True, signed=True)}; interview offers "
        f"{shown['interviews_before']} -> {shown['interviews_after']} "
        f"(change {_est(price.delta_expected_interviews, pct=False, signed=True)}); {fees}."
    )


def _baseline_line(baseline: Outcome) -> str:
    return (
        f"{PLAN_CHANCE} {_est(baseline.p_match, pct=True)}; "
        f"interview offers {_est(baseline.expected_interviews, pct=False)}; "
        f"{count(baseline.programs)} programs; fees {dollars(baseline.fees_usd)}."
    )


def plan_pdf(
    plan: Plan,
    *,
    title: str = "SmartPick strategy plan",
    today: _dt.date | None = None,
    unicode_font: bool | None = None,
) -> bytes:
    """Render the plan and its recommended list as PDF bytes.

    `unicode_font`: None uses DejaVu when installed; False forces the core Latin-1 font.
    """
    if unicode_font is None:
        unicode_font = (DEJAVU_DIR / "DejaVuSans.ttf").is_file()
    pdf = PlanDocument(unicode_font=unicode_font)
    pdf.set_title(pdf.text_safe(title))
    pdf.set_creator("SmartPick")
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 17)
    pdf.cell(0, 9, pdf.text_safe(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family_name, "", 9)
    date = (plan.prepared_on or today or _dt.date.today()).isoformat()
    pdf.para(f"Prepared {date} for {plan.profile_name or 'this applicant'}.", size=9)

    if plan.summary:
        pdf.heading("In short")
        pdf.bullets(plan.summary)
    _standing(pdf, plan)
    if plan.baseline is not None:
        pdf.heading("Your list today")
        pdf.para(_baseline_line(plan.baseline))
    if len(plan.curve) >= 2:
        pdf.heading("Your chance of matching against the number of applications")
        _curve_chart(pdf, plan.curve, plan.stop_at_applications)
    if plan.red_flags:
        pdf.heading("Red flags")
        pdf.grid(
            ("Flag", "What is known", "Ruled out", "Interview chance lower", "Of"),
            [
                (
                    f.title,
                    " ".join([f.detail, *f.notes]),
                    "not stated" if f.programs_shut is None else count(f.programs_shut),
                    _narrowed_text(f),
                    count(f.programs_total),
                )
                for f in plan.red_flags
            ],
            (34, 91, 16, 27, 12),
        )
    pdf.heading("The plan")
    for n, step in enumerate(plan.steps, start=1):
        pdf.para(
            f"{n}. {step.title}  ({duration_words(*step.duration_months)})", size=10.5, bold=True
        )
        pdf.para(step.why)
        pdf.bullets(step.actions)
        ties = step.details.get("tie_programs") or []
        if ties and isinstance(ties, list):
            pdf.para(
                "Programs where a rotation would count as a tie: " + _ties_text(ties), size=8.5
            )
        if step.price is not None:
            pdf.para("Priced by re-running the model: " + price_line(step.price), bold=True)
        elif step.price_error:
            pdf.para(f"Not priced: {step.price_error}")
        pdf.ln(1)
    if plan.timeline:
        pdf.heading("Timeline (months from today)")
        pdf.grid(
            ("Months", "Calendar", "What"),
            [
                (
                    f"{t.start_month}-{t.end_month}",
                    _calendar(plan, t),
                    t.label,
                )
                for t in plan.timeline
            ],
            (20, 40, 120),
        )
    rows = plan.recommended
    if rows:
        pdf.heading(f"Recommended list ({count(len(rows))} programs)")
        several = several_specialties(rows)  # one name can be a program of each specialty
        pdf.grid(
            (
                "#",
                "Program",
                *(("Specialty",) if several else ()),
                "State",
                "Tier",
                "Interview chance",
                "Signal",
                "Fee",
            ),
            [
                (
                    i,
                    r.program.name,
                    *((r.program.specialty,) if several else ()),
                    r.program.state.value or "",
                    r.tier,
                    interview_text(r.p_interview),
                    r.signal_name,
                    f"${r.fee_usd:,.0f}",
                )
                for i, r in enumerate(rows, start=1)
            ],
            (8, 56, 26, 12, 16, 32, 16, 14) if several else (8, 82, 12, 16, 32, 16, 14),
        )
    pdf.heading("Notes and sources", size=11)
    pdf.para(" ".join([*plan.notes, _FOOTER]), size=8)
    return bytes(pdf.output())


def _curve_chart(pdf: PlanDocument, curve: Sequence[CurvePoint], stop: int | None) -> None:
    """Line chart of P(match) (with its interval band) against applications, the curve's stopping
    point and the guide's 60-120 range shaded."""
    x0, width, height = pdf.l_margin + 10, 160.0, 48.0
    if pdf.get_y() + height + 14 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 2
    bottom = top + height
    n_max = max(c.applications for c in curve)
    n_axis = max(n_max, 120)

    def x(n: float) -> float:
        return x0 + width * n / n_axis

    def y(p: float) -> float:
        return bottom - height * p

    pdf.set_fill_color(236, 240, 246)
    pdf.rect(x(60), top, x(120) - x(60), height, style="F")
    band = [(x(c.applications), y(c.p_match.high)) for c in curve]
    band += [(x(c.applications), y(c.p_match.low)) for c in reversed(curve)]
    pdf.set_fill_color(190, 210, 235)
    pdf.polygon(band, style="F")
    pdf.set_draw_color(30, 80, 160)
    pdf.set_line_width(0.5)
    pdf.polyline([(x(c.applications), y(c.p_match.point)) for c in curve])
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
    pdf.lines(
        "Applications (x) against your chance of matching with the best list of that size "
        "(line; band: the likely range). "
        + (
            "Red: where one more application stops being worth its fee at the value of a match."
            if stop
            else "Every application on the curve is worth its fee at the value of a match."
        ),
        4,
    )
    pdf.set_font(pdf.family_name, "", 9.5)


def _standing(pdf: PlanDocument, plan: Plan) -> None:
    standing = plan.standing
    pdf.heading("Where you stand")
    lines = standing.band_lines(suffix=" (the guide's bands).")
    if standing.step3_score:
        lines.append(f"Step 3 {standing.step3_score}.")
    if standing.specialty is not None:
        lines.append(standing.specialty.summary)
    if standing.percentile_note:
        lines.append(standing.percentile_note)
    lines.extend(standing.other_specialties)
    for specialty, group in standing.competitiveness.items():
        lines.append(f"{specialty}: {group}.")
    pdf.bullets(lines)


def _calendar(plan: Plan, entry: TimelineEntry) -> str:
    """'2026-12 to 2027-03' for a timeline entry ('' when the plan has no date)."""
    calendar = plan.calendar(entry)
    return "" if calendar is None else f"{calendar[0]} to {calendar[1]}"
