"""The results page's charts as markup, built in Python: the P(match) curve's grid, band, curve,
axes and hover points, and the "where you stand" charts' lines (their geometry: `charts`).

A curve has a hover point per list size (150-290 on a default list); written by Jinja each cost
an attribute look-up and an escape per value. The markup is the one `results.html` documents;
`tests/web` read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from smartpick.core.lists.result import CurvePoint
from smartpick.web.charts import CurveChart, Mark, StandingChart, Tick, p_match_band
from smartpick.web.formats import pcts, usd
from smartpick.web.results_markup import escape_text

# A hover point of the curve; its values: x, y, list size, fees, P(match), low and high (the
# last three as percentages).
_POINT = (
    '<circle cx="%s" cy="%s" r="4" class="pt"><title>%s applications, '
    "%s: %s (%s–%s)</title></circle>\n"
)


def curve_points_html(points: Sequence[tuple[float, float, CurvePoint]]) -> Markup:
    """The curve's hover points (x, y, point): a dot with its list size, fees and chance."""
    chances = pcts([v for _, _, p in points for v in (p.p_match_point, *p_match_band(p))])
    values: list[object] = []
    for (x, y, p), at in zip(points, range(0, len(chances), 3), strict=True):
        values += (x, y, p.applications, usd(p.fees_usd), *chances[at : at + 3])
    return Markup(_POINT * len(points) % tuple(values))


def standing_lines(g: StandingChart) -> Markup:
    """The "where you stand" chart's grid, band, curve, axis and published marks: the same for
    every applicant of a specialty, so written once per chart (the applicant's mark is drawn
    by `results.html`)."""
    return _standing_lines(
        (g.plot_left, g.plot_right, g.plot_top, g.plot_bottom, g.height),
        g.y_ticks,
        g.x_ticks,
        g.marks,
        g.band_path,
        g.curve_path,
    )


@lru_cache(maxsize=64)
def _standing_lines(
    frame: tuple[float, float, float, float, int],
    y_ticks: tuple[Tick, ...],
    x_ticks: tuple[Tick, ...],
    marks: tuple[Mark, ...],
    band: str,
    curve: str,
) -> Markup:
    left, right, top, bottom, height = frame
    out = [_grid_and_paths(left, right, bottom, y_ticks, band, curve)]
    out += [
        f'  <text x="{t.position}" y="{bottom + 16}" text-anchor="middle">{escape_text(t.label)}</text>\n'
        for t in x_ticks
    ]
    out.append(
        f'  <text x="{(left + right) / 2}" y="{height - 6}" text-anchor="middle">Step 2 CK</text>\n'
    )
    out += [
        f'  <line class="mark" x1="{m.x}" x2="{m.x}" y1="{top}" y2="{bottom}"/>\n'
        f'  <text x="{m.label_x}" y="{m.label_y}" text-anchor="{escape_text(m.anchor)}" '
        f'class="mark-label">{escape_text(m.label)}</text>\n'
        for m in marks
    ]
    return Markup("".join(out))


def _grid_and_paths(
    left: float, right: float, bottom: float, y_ticks: Sequence[Tick], band: str, curve: str
) -> str:
    """A chart's horizontal grid with its labels, its band and curve, and its x axis."""
    grid = [
        f'  <line class="grid" x1="{left}" x2="{right}" y1="{t.position}" y2="{t.position}"/>\n'
        f'  <text x="{left - 6}" y="{t.position + 4}" text-anchor="end">{escape_text(t.label)}</text>\n'
        for t in y_ticks
    ]
    return (
        "".join(grid)
        + f'  <path class="band" d="{escape(band)}"/>\n  <path class="curve" d="{escape(curve)}"/>\n'
        f'  <line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>\n'
    )


def curve_lines(c: CurveChart) -> Markup:
    """The P(match) curve chart's grid, band, curve, axes, ticks and stop line (its hover points
    are `curve_points_html`)."""
    left, right, top, bottom = c.plot_left, c.plot_right, c.plot_top, c.plot_bottom
    # The paths are numbers, ",", and the letters M, L and Z (`charts._path`): nothing to escape.
    band, curve = Markup(c.band_path), Markup(c.curve_path)
    out = [
        _grid_and_paths(left, right, bottom, c.y_ticks, band, curve),
        f'  <line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"/>\n',
    ]
    out += [
        f'  <text x="{t.position}" y="{bottom + 16}" text-anchor="middle">{escape_text(t.label)}</text>\n'
        for t in c.x_ticks
    ]
    out += [
        f'  <text x="{t.position}" y="{top - 8}" text-anchor="middle" class="fee">'
        f"{escape_text(t.label)}</text>\n"
        for t in c.fee_ticks
    ]
    out.append(
        f'  <text x="{(left + right) / 2}" y="{c.height - 6}" text-anchor="middle">'
        "applications (fees along the top)</text>\n"
    )
    if c.stop_x is not None:
        label_x = c.stop_x + (-4 if c.stop_anchor == "end" else 4)
        out.append(
            f'  <line class="stop" x1="{c.stop_x}" x2="{c.stop_x}" y1="{top}" y2="{bottom}"/>\n'
            f'  <text x="{label_x}" y="{top + 14}" text-anchor="{escape_text(c.stop_anchor)}" '
            f'class="stop-label">{escape_text(c.stop_label)}</text>\n'
        )
    return Markup("".join(out))
