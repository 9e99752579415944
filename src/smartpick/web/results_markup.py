"""The results page's repeated markup, built in Python: the list's rows and the map's dots (the
charts' markup is `chart_markup`).

A list has 50-300 rows and the map a dot per listed program; drawn by Jinja they cost about 25 ms
a page (an attribute look-up and an escape per value). Here what no applicant changes (a
program's name, place, setting, residents, interview evidence, visas, website) is escaped once
per process and program; a row adds only what the applicant's list decides (rank, tier, chance,
signal, fee, pin, reasons), so the page costs a few milliseconds. The markup is the one
`results.html` documents; `tests/web` read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from smartpick.core.chances.estimate import Estimate
from smartpick.core.lists.result import ListedProgram
from smartpick.core.programs import Program, once_per_program
from smartpick.service.catalog import nonus_img_rate
from smartpick.web.formats import count, pct, pcts, share, usd, value, visas
from smartpick.web.geo import place_in_state
from smartpick.web.list_view import SETTING_SHORT, TIER_SHAPES

# Signals by their names (`ListedProgram.signal_name`): a specialty's only kind ranks as gold.
_SIGNAL_ORDER = {"gold": 2, "signal": 2, "silver": 1}


def escape_text(text: object) -> str:
    """HTML-escaped text, the same characters as the templates' (markupsafe) escaping: a
    `str.replace` per character is a few times faster than markupsafe on the rows' long
    sentences (a page escapes about 75 KB of them). Each is made only where `in` finds its
    character: `replace` counts its character one by one before it writes, `in` searches with
    memchr, and the rows' text rarely holds one."""
    s = str(text)
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if '"' in s:
        s = s.replace('"', "&#34;")
    if "'" in s:
        s = s.replace("'", "&#39;")
    return s


# Characters HTML does not read back from a numeric reference (C1 controls are read as
# Windows-1252, surrogates and noncharacters are errors): text holding one is left as it is.
_NOT_BY_REFERENCE = re.compile(
    "[\x80-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17))
    + "]"
)


def _ascii(markup: str) -> str:
    """`markup` with each character outside ASCII written as a character reference (the browser
    shows the same text). The list's rows are most of a page and are one string: with a single
    en dash in it, Python encodes all of it to UTF-8 character by character (and holds it at two
    bytes a character); all ASCII, the encoding is a copy."""
    if markup.isascii() or _NOT_BY_REFERENCE.search(markup):
        return markup
    return markup.encode("ascii", "xmlcharrefreplace").decode()


# A map dot's `%` template per program, linked to its row in the list; its values: the dot's
# mark, its tier and P(interview) as 100 x (a percentage as `formats.pct` writes it).
_DOT = (
    '<a href="#row-%s" tabindex="-1">%%s<title>%s (%%s, interview chance %%.0f%%%%)</title></a>\n'
)


@dataclass(frozen=True)
class ProgramCells:
    """A program's escaped, applicant-independent pieces of its list row and map dot."""

    id: str
    name: str
    invited_year: int | None  # the year of its interview figures, None without them
    place: tuple[float, float] | None  # on the map (rounded to 0.1), None when off it
    marks: dict[str, str]  # its map shape per tier (none off the map)
    # A row's markup between the values a list decides, each piece as one string (`_row`):
    # up to the rank, to the page's query, then per "several specialties" to the invited cell,
    # that cell per "its year is the list's", up to the interview chance, up to "pinned", up
    # to the reasons, and the rest.
    head: str
    link: str
    places: tuple[str, str]
    invited: tuple[str, str]
    visas: str
    pin: str
    why: str
    tail: str
    dot: str  # its map dot as a `%` template (`map_dots_html`), "" off the map


def _cells(p: Program) -> ProgramCells:
    """The program's row pieces, built once per process (`program_cells`)."""
    pid, name = escape_text(p.id), escape_text(p.name)
    residents = p.pct_non_us_img
    if residents.value is None:
        res_html, res_sort = '<span class="muted">unknown</span>', "-1"
    else:
        res_html = f'{share(residents.value)} <span class="small muted">({residents.year})</span>'
        res_sort = escape_text(residents.value)
    rate = nonus_img_rate(p)
    ev = p.interview_evidence
    invited_year = None if rate is None or ev is None else ev.year
    if rate is None or ev is None:
        invited_sort, invited = "-1", ('<span class="muted">no data</span>',) * 2
    else:
        cell = f'{pct(rate.rate)} <span class="small muted">of {count(rate.applicants)}'
        invited_sort, invited = (
            escape_text(rate.rate),
            (f"{cell} ({ev.year})</span>", f"{cell}</span>"),
        )
    website = p.website.value
    place = None
    if p.latitude.value is not None and p.longitude.value is not None:
        at = place_in_state(p.state.value, float(p.longitude.value), float(p.latitude.value))
        place = None if at is None else (round(at[0], 1), round(at[1], 1))
    track = (
        "" if p.track == "categorical" else f' <span class="muted">({escape_text(p.track)})</span>'
    )
    city = escape_text(value(p.city.value))
    places = tuple(
        f'">{name}</a>{track} <span class="sub small muted">{sub}</span></div></td>'
        f"<td><div>{escape_text(value(p.state.value))}</div></td>"
        f"<td><div>{escape_text(SETTING_SHORT.get(str(p.setting.value), 'unknown'))}</div></td>"
        f'<td class="num" data-sort="{res_sort}"><div>{res_html}</div></td>'
        f'<td class="num" data-sort="{invited_sort}"><div>'
        for sub in (city, f"{city} · {escape_text(p.specialty)}")
    )
    return ProgramCells(
        id=pid,
        name=name,
        invited_year=invited_year,
        place=place,
        marks={} if place is None else {t: tier_mark(t, *place) for t in TIER_SHAPES},
        head=_ascii(
            f'" data-search="{escape_text(f"{p.name} {p.city.value} {p.state.value}")}" id="row-{pid}">'
            '<td class="num rank"><div>'
        ),
        link=_ascii(f'</div></td><td class="program"><div><a href="/programs/{pid}?'),
        places=(_ascii(places[0]), _ascii(places[1])),
        invited=(_ascii(invited[0]), _ascii(invited[1])),
        visas=_ascii(
            f"</div></td><td><div>{escape_text(visas(p.visa_j1.value, p.visa_h1b.value))}</div></td>"
            '<td class="num" data-sort="'
        ),
        pin=_ascii(
            '<td class="choice"><div>'
            '<label class="check"><input type="checkbox" form="shortlist" name="pin" '
            f'value="{pid}"'
        ),
        why=_ascii(
            f'> Pin<span class="visually-hidden"> {name}</span></label>'
            '<label class="check"><input type="checkbox" form="shortlist" name="exclude" '
            f'value="{pid}"> Drop<span class="visually-hidden"> {name}</span></label>'
            '<details class="why"><summary>Why<span class="visually-hidden"> '
            f'{name} is on your list</span></summary><ul class="reasons small"><li>'
        ),
        tail=_ascii(
            "</li></ul>"
            + (
                f'<p class="small"><a href="{escape_text(website)}" rel="noopener noreferrer external">'
                "Program website</a></p>"
                if website
                else ""
            )
            + "</details></div></td></tr>\n"
        ),
        dot="" if place is None else _DOT % (pid.replace("%", "%%"), name.replace("%", "%%")),
    )


# Built once per process (the bundled programs are shared, see preload).
program_cells = once_per_program(_cells)


_TIERS = {t: escape_text(t) for t in TIER_SHAPES}  # escaped once


class RowsMarkup:
    """The list's rows as markup the template writes as it is (Jinja's `__html__` protocol),
    kept as a plain str: they are most of a page (a few hundred KB), and a `Markup` (a str
    subclass) is copied once when made and twice more when a template writes it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=64)
def _tier_and_signal(tier: str, signal: str) -> tuple[str, str]:
    """A row's opening tag, and its tier badge and signal cells, for a tier and a signal's name
    (a list has a handful of pairs)."""
    shape = TIER_SHAPES.get(tier, "◆")
    order = _SIGNAL_ORDER.get(signal, 0)
    badge = (
        '<span class="muted">none</span>'
        if signal == "none"
        else f'<span class="badge {escape_text(signal)}">{escape_text(signal)}</span>'
        if signal in _SIGNAL_ORDER
        else escape_text(signal)
    )
    tier, signal = escape_text(tier), escape_text(signal)
    return _ascii(f'<tr data-tier="{tier}" data-signal="{signal}'), _ascii(
        f'<br class="wide-only"><span class="badge tier-{tier}"><span aria-hidden="true">'
        f"{shape}</span> {tier}</span></div></td>"
        f'<td data-sort="{order}"><div>{badge}</div></td>'
    )


def list_html(
    programs: Sequence[ListedProgram],
    cells: Sequence[ProgramCells],
    lines: Mapping[str, Sequence[str]],
    query: str,
    evidence_year: int | None,
    several_specialties: bool,
) -> RowsMarkup:
    """The rows of the list's table body (`cells`: each program's `program_cells`); `query` is
    the page's query string (unescaped)."""
    q = escape_text(query)
    chances = chance_cells([item.p_interview for item in programs])
    fees = {
        fee: f'<td class="num" data-sort="{fee}"><div>{usd(fee)}</div></td>'
        for fee in {item.fee_usd for item in programs}
    }
    parts: list[str] = []  # every row's pieces, joined once
    for item, c, chance in zip(programs, cells, chances, strict=True):
        opening, marks = _tier_and_signal(item.tier, item.signal_name)
        parts += (
            opening,
            c.head,
            str(item.rank),
            c.link,
            q,
            c.places[several_specialties],
            c.invited[c.invited_year == evidence_year],
            c.visas,
            chance,
            marks,
            fees[item.fee_usd],
            c.pin,
            " checked" if item.must_include else "",
            c.why,
            _ascii(_list_items(lines[item.program.id])),
            c.tail,
        )
    return RowsMarkup("".join(parts))


def _list_items(lines: Sequence[str]) -> str:
    """The lines escaped as list items' contents, `</li><li>` between them (a line break within
    a line parts two items)."""
    whole = "".join(lines)
    if "\n" not in whole and escape_text(whole) is whole:
        # nothing to escape nor to part (the rows' text rarely has any): the lines joined as
        # they are, without `replace` counting the line breaks one character at a time
        return "</li><li>".join(lines)
    return escape_text("\n".join(lines)).replace("\n", "</li><li>")


def chance_cells(estimates: Sequence[Estimate]) -> list[str]:
    """Each row's interview chance cell from its sort key on, for all rows at once: the
    percentages looked up (`formats.pcts`), the sort keys written by one `repr` of the list."""
    n = len(estimates)
    points = [e.point for e in estimates]
    texts = pcts(points + [e.low for e in estimates] + [e.high for e in estimates])
    keys = repr(points)[1:-1].split(", ") if n else []  # a float's repr has no ", "
    return [
        f'{key}"><div><strong>{point}</strong> <span class="small muted">{low}&#8211;{high}</span>'
        for key, point, low, high in zip(
            keys, texts[:n], texts[n : 2 * n], texts[2 * n :], strict=True
        )
    ]


def tier_mark(tier: str, x: float, y: float) -> str:
    """A tier drawn as a shape as well as a colour (the map and its legend)."""
    if tier == "reach":
        return f'<path class="dot tier-reach" d="M{x:.1f},{y - 7:.1f}L{x + 7:.1f},{y + 5:.1f}L{x - 7:.1f},{y + 5:.1f}Z"/>'
    if tier == "likely":
        return f'<rect class="dot tier-likely" x="{x - 5.5:.1f}" y="{y - 5.5:.1f}" width="11" height="11"/>'
    return f'<circle class="dot tier-{escape_text(tier)}" cx="{x:.1f}" cy="{y:.1f}" r="6"/>'


def map_dots_html(programs: Sequence[ListedProgram], cells: Sequence[ProgramCells]) -> Markup:
    """One shape per listed program that has a place on the map (`cells`: each program's
    `program_cells`), linked to its row in the list (which links to the program's page: the
    applicant's profile is written once per program, not twice)."""
    templates: list[str] = []
    values: list[object] = []
    for item, c in zip(programs, cells, strict=True):
        if c.place is None:
            continue
        # Not a Tab stop: the map is a picture; the list is its accessible twin.
        templates.append(c.dot)
        tier = item.tier
        values += (
            c.marks.get(tier) or tier_mark(tier, *c.place),
            _TIERS.get(tier) or escape_text(tier),
            100 * float(item.p_interview.point),
        )
    # Filled by one "%" (formatting in C, not per value).
    return Markup("".join(templates) % tuple(values))
