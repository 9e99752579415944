"""The results page's repeated markup, built in Python: the list's rows, the map's dots and the
curve's hover points.

A list has 50-300 rows, the map a dot per listed program and the curve a point per list size;
drawn by Jinja they cost about 25 ms a page (an attribute look-up and an escape per value). Here what no applicant changes (a
program's name, place, setting, residents, interview evidence, visas, website) is escaped once
per process and program; a row adds only what the applicant's list decides (rank, tier, chance,
signal, fee, pin, reasons), so the page costs a few milliseconds. The markup is the one
`results.html` documents; `tests/web` read it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from smartpick.core.lists.result import CurvePoint, ListedProgram
from smartpick.core.programs import Program, once_per_program
from smartpick.service.catalog import nonus_img_rate
from smartpick.web.formats import count, pct, share, usd, value, visas
from smartpick.web.geo import place_in_state
from smartpick.web.list_view import SETTING_SHORT, TIER_SHAPES

_SIGNAL_ORDER = {"gold": 2, "silver": 1}


def _e(text: object) -> str:
    """HTML-escaped text, the same characters as the templates' (markupsafe) escaping; the
    standard library's is a few times faster on the rows' long sentences."""
    return html.escape(str(text)).replace("&#x27;", "&#39;").replace("&quot;", "&#34;")


# The few values a row's tier and signal take, escaped once.
_TIER = {t: (_e(t), TIER_SHAPES[t]) for t in TIER_SHAPES}
_SIGNAL = {
    s: (
        _e(s),
        f'<span class="badge {_e(s)}">{_e(s)}</span>'
        if s != "none"
        else '<span class="muted">none</span>',
    )
    for s in ("gold", "silver", "none")
}


@dataclass(frozen=True)
class ProgramCells:
    """A program's escaped, applicant-independent pieces of its list row."""

    id: str
    name: str
    search: str
    track: str  # "" or ' <span class="muted">(preliminary)</span>'
    city: str
    state: str
    specialty: str
    setting: str
    residents: str  # the cell's inner HTML
    residents_sort: str
    invited_rate: str  # "" when the program has no published rate
    invited_of: str
    invited_year: int | None
    invited_sort: str
    visas: str
    website: str  # the link's HTML or ""
    place: tuple[float, float] | None  # on the map (rounded to 0.1), None when off it
    marks: dict[str, str]  # its map shape per tier (none off the map)


def _cells(p: Program) -> ProgramCells:
    """The program's row pieces, built once per process (`program_cells`)."""
    name = _e(p.name)
    residents = p.pct_non_us_img
    if residents.value is None:
        res_html, res_sort = '<span class="muted">unknown</span>', "-1"
    else:
        res_html = f'{share(residents.value)} <span class="small muted">({residents.year})</span>'
        res_sort = _e(residents.value)
    rate = nonus_img_rate(p)
    invited = None if rate is None or p.interview_evidence is None else rate
    website = p.website.value
    place = None
    if p.latitude.value is not None and p.longitude.value is not None:
        at = place_in_state(p.state.value, float(p.longitude.value), float(p.latitude.value))
        place = None if at is None else (round(at[0], 1), round(at[1], 1))
    return ProgramCells(
        id=_e(p.id),
        name=name,
        search=_e(f"{p.name} {p.city.value} {p.state.value}"),
        track="" if p.track == "categorical" else f' <span class="muted">({_e(p.track)})</span>',
        city=_e(value(p.city.value)),
        state=_e(value(p.state.value)),
        specialty=_e(p.specialty),
        setting=_e(SETTING_SHORT.get(str(p.setting.value), "unknown")),
        residents=res_html,
        residents_sort=res_sort,
        invited_rate="" if invited is None else pct(invited.rate),
        invited_of="" if invited is None else f"of {count(invited.applicants)}",
        invited_year=None
        if invited is None or p.interview_evidence is None
        else p.interview_evidence.year,
        invited_sort="-1" if invited is None else _e(invited.rate),
        visas=_e(visas(p.visa_j1.value, p.visa_h1b.value)),
        website=f'<p class="small"><a href="{_e(website)}" rel="noopener noreferrer external">'
        "Program website</a></p>"
        if website
        else "",
        place=place,
        marks={} if place is None else {t: tier_mark(t, *place) for t in TIER_SHAPES},
    )


# Built once per process (the bundled programs are shared, see preload).
program_cells = once_per_program(_cells)


def _row(
    item: ListedProgram,
    c: ProgramCells,
    lines: Sequence[str],
    query: str,
    evidence_year: int | None,
    several_specialties: bool,
) -> str:
    est = item.p_interview
    tier, shape = _TIER.get(item.tier) or (_e(item.tier), "◆")
    signal, badge = _SIGNAL.get(item.signal) or (_e(item.signal), _e(item.signal))
    sub = f"{c.city} · {c.specialty}" if several_specialties else c.city
    if c.invited_rate:
        year = "" if c.invited_year == evidence_year else f" ({c.invited_year})"
        invited = f'{c.invited_rate} <span class="small muted">{c.invited_of}{year}</span>'
    else:
        invited = '<span class="muted">no data</span>'
    reasons = _e("\n".join(lines)).replace("\n", "</li><li>")  # one escape per row
    pinned = " checked" if item.must_include else ""
    return (
        f'<tr data-tier="{tier}" data-signal="{signal}" data-search="{c.search}" id="row-{c.id}">'
        f'<td class="num rank" data-label="#"><div>{item.rank}</div></td>'
        f'<td class="program" data-label="Program"><div><a href="/programs/{c.id}?{query}">'
        f'{c.name}</a>{c.track} <span class="sub small muted">{sub}</span></div></td>'
        f'<td data-label="State" data-short=""><div>{c.state}</div></td>'
        f'<td data-label="Setting" data-short=""><div>{c.setting}</div></td>'
        '<td class="num" data-label="Non-US IMG residents" data-short="IMG residents" '
        f'data-sort="{c.residents_sort}"><div>{c.residents}</div></td>'
        '<td class="num" data-label="Non-US IMGs invited" data-short="invited" '
        f'data-sort="{c.invited_sort}"><div>{invited}</div></td>'
        f'<td data-label="Visas" data-short="visas"><div>{c.visas}</div></td>'
        '<td class="num" data-label="Interview chance" data-short="interview" '
        f'data-sort="{est.point!r}"><div><strong>{pct(est.point)}</strong> '
        f'<span class="small muted">{pct(est.low)}–{pct(est.high)}</span>'
        f'<br class="wide-only"><span class="badge tier-{tier}"><span aria-hidden="true">'
        f"{shape}</span> {tier}</span></div></td>"
        '<td data-label="Signal" data-short="signal" '
        f'data-sort="{_SIGNAL_ORDER.get(item.signal, 0)}"><div>{badge}</div></td>'
        f'<td class="num" data-label="Fee" data-short="fee" data-sort="{item.fee_usd}">'
        f"<div>{usd(item.fee_usd)}</div></td>"
        '<td class="choice" data-label="Your choice · why"><div>'
        f'<label class="check"><input type="checkbox" form="shortlist" name="pin" '
        f'value="{c.id}"{pinned}> Pin<span class="visually-hidden"> {c.name}</span></label>'
        '<label class="check"><input type="checkbox" form="shortlist" name="exclude" '
        f'value="{c.id}"> Drop<span class="visually-hidden"> {c.name}</span></label>'
        '<details class="why"><summary>Why<span class="visually-hidden"> '
        f'{c.name} is on your list</span></summary><ul class="reasons small"><li>{reasons}</li></ul>'
        f"{c.website}</details></div></td></tr>\n"
    )


def list_html(
    programs: Sequence[ListedProgram],
    lines: Mapping[str, Sequence[str]],
    query: str,
    evidence_year: int | None,
    several_specialties: bool,
) -> Markup:
    """The rows of the list's table body; `query` is the page's query string (unescaped)."""
    q = _e(query)
    return Markup(
        "".join(
            _row(
                item,
                program_cells(item.program),
                lines[item.program.id],
                q,
                evidence_year,
                several_specialties,
            )
            for item in programs
        )
    )


def tier_mark(tier: str, x: float, y: float) -> str:
    """A tier drawn as a shape as well as a colour (the map and its legend)."""
    if tier == "reach":
        return f'<path class="dot tier-reach" d="M{x:.1f},{y - 7:.1f}L{x + 7:.1f},{y + 5:.1f}L{x - 7:.1f},{y + 5:.1f}Z"/>'
    if tier == "likely":
        return f'<rect class="dot tier-likely" x="{x - 5.5:.1f}" y="{y - 5.5:.1f}" width="11" height="11"/>'
    return f'<circle class="dot tier-{_e(tier)}" cx="{x:.1f}" cy="{y:.1f}" r="6"/>'


def map_dots_html(programs: Sequence[ListedProgram], query: str) -> Markup:
    """One linked shape per listed program that has a place on the map."""
    q = _e(query)
    out = []
    for item in programs:
        c = program_cells(item.program)
        if c.place is None:
            continue
        # Not a Tab stop: the map is a picture; the list is its accessible twin.
        mark = c.marks.get(item.tier) or tier_mark(item.tier, *c.place)
        out.append(
            f'<a href="/programs/{c.id}?{q}" tabindex="-1">{mark}'
            f"<title>{c.name} ({_e(item.tier)}, interview chance "
            f"{pct(item.p_interview.point)})</title></a>\n"
        )
    return Markup("".join(out))


def curve_points_html(points: Sequence[tuple[float, float, CurvePoint]]) -> Markup:
    """The curve's hover points (x, y, point): a dot with its list size, fees and chance."""
    out = []
    for x, y, p in points:
        e = p.p_match  # one estimate per point, read three times
        out.append(
            f'<circle cx="{x}" cy="{y}" r="4" class="pt"><title>{p.applications} applications, '
            f"{usd(p.fees_usd)}: {pct(e.point)} ({pct(e.low)}–{pct(e.high)})</title></circle>\n"
        )
    return Markup("".join(out))
