"""The results page's data, built from the recommendation's JSON contract and the catalog.

`results_data` turns a `Recommendation` (its JSON contract, docs/optimizer.md) into what the page and its JSON
twin show: totals with intervals, the list with tiers and reasons, the P(match) curve with the
stopping point, and map dots (program coordinates from the catalog, projected server-side).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from smartpick.core.lists.result import ListedProgram, Recommendation
from smartpick.core.specialties import charting_name
from smartpick.plain_text import counted
from smartpick.service.listing import program_lines
from smartpick.web.chart_markup import curve_lines, curve_points_html, standing_lines
from smartpick.web.charts import curve_chart, standing_chart
from smartpick.web.geo import MAP_HEIGHT, MAP_WIDTH, STATES_SVG_PATH
from smartpick.web.list_view import evidence_year
from smartpick.web.list_view import list_rows as scan_rows
from smartpick.web.results_markup import ProgramCells, list_html, map_dots_html, program_cells


def list_rows(rec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The recommended programs (contract rows, made for this answer) with their page address."""
    rows: list[dict[str, Any]] = rec["programs"]
    for row in rows:
        row["url"] = f"/programs/{row['program_id']}"
    return rows


def map_places(
    programs: Sequence[ListedProgram], cells: Sequence[ProgramCells]
) -> dict[str, list[str]]:
    """Which listed programs the map shows (ids) and which it cannot place (names)."""
    on_map, unplaced = [], []
    for item, c in zip(programs, cells, strict=True):
        if c.place is None:
            unplaced.append(item.program.name)
        else:
            on_map.append(item.program.id)
    return {"on_map": on_map, "not_on_map": unplaced}


def map_title(placed: int, unplaced: int) -> str:
    """The map's title: how many of the list's programs it shows; the caption names the others
    and why (no coordinates, outside the 50 states, or coordinates outside their own state: a
    place may be known and still not drawn)."""
    if not unplaced:
        return f"Map of {'the ' if placed != 1 else ''}{counted(placed, 'program')} of your list by tier"
    are = "is" if unplaced == 1 else "are"
    return (
        f"Map of {placed} of the {placed + unplaced} programs of your list by tier "
        f"({unplaced} {are} not drawn: see below)"
    )


def results_data(
    recommendation: Recommendation, query_string: str = "", *, html: bool = False
) -> dict[str, Any]:
    """Everything the results page shows (and `/api/results` returns), from one recommendation.

    `list` is the list as the JSON twin gives it (scan columns, plain reasons); `shared_reasons`
    the model's reasons every listed program of a specialty shares (said once, above the list).
    With `html` the page's rows and map dots come as ready markup (`_list_html`, `_map`) instead
    of `list` and `recommendation.programs`, and the curve's geometry (`_chart`). Keys starting
    with `_` are for the HTML page only: without `html` there are none.
    """
    rec = recommendation.to_dict(rows=not html)  # the page draws the rows from the objects
    programs = recommendation.programs
    lines, shared = program_lines(recommendation)
    cells = [program_cells(item.program) for item in programs]
    year = evidence_year([c.invited_year for c in cells])
    drawn = map_places(programs, cells)
    data: dict[str, Any] = {
        "list_evidence_year": year,
        "shared_reasons": shared,
        "tiers": rec["totals"]["tiers"],
        "map": drawn,
    }
    if not html:
        return {
            "recommendation": {**rec, "programs": list_rows(rec)},
            "list": scan_rows(recommendation, query_string, lines),
            **data,
        }
    chart = curve_chart(recommendation.curve, recommendation.stop_at_applications)
    data["_chart"] = chart
    names = {item.signal_name for item in programs}
    return {
        "recommendation": rec,
        "list_count": len(programs),
        "_curve_lines": curve_lines(chart) if chart else "",
        "_curve_points": curve_points_html(chart.points if chart else ()),
        "_list_html": list_html(
            programs, cells, lines, query_string, year, recommendation.several_specialties
        ),
        # the list's filter offers the signals it has, by their names
        "signal_choices": [n for n in ("gold", "silver", "signal", "none") if n in names],
        "_map": {
            "width": MAP_WIDTH,
            "height": MAP_HEIGHT,
            "states": STATES_SVG_PATH,
            "dots": map_dots_html(programs, cells),
            "title": map_title(len(drawn["on_map"]), len(drawn["not_on_map"])),
            "not_on_map": drawn["not_on_map"],
        },
        **data,
    }


def standing_charts(
    report: list[dict[str, Any]], specialties: list[str], step2ck: int | None, *, draw: bool = True
) -> list[dict[str, Any]]:
    """ "Where you stand": the calibrated P(match) against Step 2 CK for each target specialty.

    The curve is the model's for a non-US IMG applying as that specialty's applicants typically do
    (the calibration report); the marks are the published Charting Outcomes 2026 quartiles. With
    `draw` each comes with its chart's geometry (`_chart`, for the HTML page).
    """
    by_name = {r["specialty"]: r for r in report}
    out = []
    for specialty in specialties:
        row = by_name.get(charting_name(specialty) or specialty)
        if row is None:
            continue
        predicted, published = row["predicted"], row["published"]
        bands = {int(s): (lo, hi) for s, lo, hi in predicted.get("p_match_by_step2ck_interval", [])}
        curve = [
            (float(s), float(p), *(bands.get(int(s), (p, p))))
            for s, p in predicted["p_match_by_step2ck"]
        ]
        marks = []
        step2 = published.get("step2ck") or {}
        for cohort, word in (("matched", "matched"), ("not_matched", "unmatched")):
            median = (step2.get(cohort) or {}).get("median")
            if median is not None:
                marks.append((float(median), f"{word} median {median:.0f}"))
        near = None if step2ck is None else min(curve, key=lambda c: abs(c[0] - step2ck))
        entry = {
            "specialty": specialty,
            "typical_p_match": None if near is None else near[1],
            "match_rate_published": published.get("match_rate"),
            "match_rate_predicted": predicted.get("match_rate"),
            "step2ck_published": step2 or None,
            "p_match_by_step2ck": predicted["p_match_by_step2ck"],
            # selection, not the score's own effect (a fitted score-strength correlation)
            "falls_with_score": len(curve) > 1 and curve[-1][1] < curve[0][1],
        }
        if draw:
            chart = entry["_chart"] = standing_chart(specialty, curve, step2ck, marks)
            entry["_lines"] = None if chart is None else standing_lines(chart)
            # the caption names the median lines only where there are some (none where the
            # specialty's figures were not published: Psychiatry, Neurology, ...)
            entry["_median_lines"] = bool(marks)
        out.append(entry)
    return out
