"""The results page's markup formatted in one pass says exactly what formatting each value
alone says: the curve's paths (tenths looked up), the chance cells, the hover points and the
map dots (one "%" for the page)."""

from __future__ import annotations

import html
from pathlib import Path
from types import SimpleNamespace

import jinja2
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from smartpick.catalog.query import Catalog
from smartpick.core.chances.estimate import Estimate
from smartpick.core.lists.result import CurvePoint
from smartpick.core.profile import load_profile
from smartpick.service.recommend import recommend
from smartpick.web.chart_markup import curve_lines, curve_points_html, standing_lines
from smartpick.web.charts import _path, _rounded, curve_chart, p_match_band, standing_chart
from smartpick.web.formats import pct, pcts, usd
from smartpick.web.rendering import render
from smartpick.web.results_markup import (
    RowsMarkup,
    _ascii,
    _list_items,
    chance_cells,
    escape_text,
    map_dots_html,
    program_cells,
)
from smartpick.web.routes.results import hidden_inputs

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
# Coordinates of the viewBox and what else a float can be: ties of a tenth (x.x5), negative
# and signed zeros, out of the viewBox, not finite.
coordinate = st.one_of(
    st.floats(0, 640),
    st.integers(0, 12800).map(lambda k: k / 20),
    st.floats(-1e300, 1e300),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
    st.sampled_from([0.0, -0.0, 0.05, 0.15, 639.95, 640.0, 640.05, 1e-9]),
)
probability = st.one_of(
    st.floats(0, 1), st.floats(allow_nan=False), st.sampled_from([0.005, 0.015, 0.125, -0.0])
)


@given(st.one_of(st.text(), st.text(alphabet="&<>\"'ab\n -")))
def test_escaped_text_is_markupsafes(text: str) -> None:
    assert escape_text(text) == str(escape(text))


@given(st.lists(st.one_of(st.text(), st.text(alphabet="&<>\"'ab\n -")), max_size=8))
def test_list_items_are_the_lines_escaped_at_once(lines: list[str]) -> None:
    # with nothing to escape nor to part the lines are joined as they are: the same markup
    assert _list_items(lines) == escape_text("\n".join(lines)).replace("\n", "</li><li>")


@given(st.one_of(st.text(), st.text(alphabet="–▲·’&<>é\x85\ufffe\"'ab\n -")))
def test_rows_in_ascii_say_the_same_text(text: str) -> None:
    markup = escape_text(text)
    ascii_markup = _ascii(markup)
    assert html.unescape(ascii_markup) == html.unescape(markup)
    # only a character HTML does not read back from a reference keeps the markup as it was
    assert ascii_markup.isascii() or ascii_markup == markup


def test_rows_in_ascii_write_references() -> None:
    assert _ascii("8–17% · ▲") == "8&#8211;17% &#183; &#9650;"
    assert _ascii("a\x85b–") == "a\x85b–"  # read back as "…" from a reference


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


@given(_text, st.lists(_text, max_size=8))
def test_a_page_encoded_part_by_part_is_the_whole_page_encoded(head: str, rows: list[str]) -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {"page.html": "<h1>{{ head }}</h1>–{% for r in rows %}<li>{{ r }}</li>{% endfor %}▲"}
        ),
        autoescape=True,
    )
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(templates=env)))
    page = render(request, "page.html", {"head": head, "rows": rows})  # type: ignore[arg-type]
    whole = env.get_template("page.html").render(request=request, head=head, rows=rows)
    assert page.body == whole.encode()


@given(_text)
def test_rows_markup_is_written_as_a_markup_of_its_text_is(markup: str) -> None:
    template = jinja2.Environment(autoescape=True).from_string("<tbody>{{ rows }}</tbody>")
    assert template.render(rows=RowsMarkup(markup)) == template.render(rows=Markup(markup))


def _path_alone(xs: list[float], ys: list[float]) -> str:
    return "L".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


@given(st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=40))
def test_a_path_says_each_coordinate_as_formatting_it_alone(points: list[tuple]) -> None:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert _path(np.array(xs), np.array(ys)) == _path_alone(xs, ys)


@given(st.lists(st.tuples(st.floats(0, 640), st.floats(0, 640)), min_size=1, max_size=40))
def test_a_path_inside_the_view_box(points: list[tuple]) -> None:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert _path(np.array(xs), np.array(ys)) == _path_alone(xs, ys)


@given(st.lists(coordinate, max_size=40))
def test_tenths_at_once_are_each_value_rounded(values: list[float]) -> None:
    assert [repr(v) for v in _rounded(np.array(values))] == [repr(round(v, 1)) for v in values]


@given(st.lists(st.tuples(probability, probability, probability), max_size=30))
def test_chance_cells_say_what_each_cell_alone_says(values: list[tuple]) -> None:
    estimates = [Estimate(p, lo, hi) for p, lo, hi in values]
    assert chance_cells(estimates) == [
        f'{e.point!r}"><div><strong>{pct(e.point)}</strong> '
        f'<span class="small muted">{pct(e.low)}&#8211;{pct(e.high)}</span>'
        for e in estimates
    ]


@given(
    st.lists(
        st.tuples(
            st.floats(0, 640),
            st.floats(0, 640),
            st.integers(1, 400),
            st.integers(0, 20_000),
            probability,
            probability,
            probability,
        ),
        max_size=20,
    )
)
def test_hover_points_say_what_each_point_alone_says(values: list[tuple]) -> None:
    points = [
        (x, y, CurvePoint(n, fees, p, (lo, hi), 0.0, 0.0, True))
        for x, y, n, fees, p, lo, hi in values
    ]
    alone = []
    for x, y, p in points:
        low, high = p_match_band(p)
        alone.append(
            f'<circle cx="{x}" cy="{y}" r="4" class="pt"><title>{p.applications} applications, '
            f"{usd(p.fees_usd)}: {pct(p.p_match_point)} ({pct(low)}–{pct(high)})</title></circle>\n"
        )
    assert curve_points_html(points) == "".join(alone)


def test_map_dots_say_what_each_dot_alone_says(catalog: Catalog) -> None:
    """Every listed program of two reference applicants' lists: each dot links to its row."""
    for name in ("guide-sample", "strong-img"):
        profile = load_profile(PROFILES / f"{name}.toml")
        programs = recommend(profile, catalog=catalog).programs
        cells = [program_cells(item.program) for item in programs]
        alone = [
            f'<a href="#row-{c.id}" tabindex="-1">'
            f"{c.marks.get(item.tier)}<title>{c.name} ({escape_text(item.tier)}, interview chance "
            f"{pct(item.p_interview.point)})</title></a>\n"
            for item, c in zip(programs, cells, strict=True)
            if c.place is not None
        ]
        assert alone and map_dots_html(programs, cells) == "".join(alone)


# The charts' markup as the page's template wrote it before it was built in Python.
_GRID_JINJA = """\
  {% for tick in g.y_ticks %}
  <line class="grid" x1="{{ g.plot_left }}" x2="{{ g.plot_right }}" y1="{{ tick.position }}" y2="{{ tick.position }}"/>
  <text x="{{ g.plot_left - 6 }}" y="{{ tick.position + 4 }}" text-anchor="end">{{ tick.label }}</text>
  {% endfor %}
  <path class="band" d="{{ g.band_path }}"/>
  <path class="curve" d="{{ g.curve_path }}"/>
  <line class="axis" x1="{{ g.plot_left }}" x2="{{ g.plot_right }}" y1="{{ g.plot_bottom }}" y2="{{ g.plot_bottom }}"/>
"""
_STANDING_JINJA = (
    _GRID_JINJA
    + """\
  {% for tick in g.x_ticks %}
  <text x="{{ tick.position }}" y="{{ g.plot_bottom + 16 }}" text-anchor="middle">{{ tick.label }}</text>
  {% endfor %}
  <text x="{{ (g.plot_left + g.plot_right) / 2 }}" y="{{ g.height - 6 }}" text-anchor="middle">Step 2 CK</text>
  {% for m in g.marks %}
  <line class="mark" x1="{{ m.x }}" x2="{{ m.x }}" y1="{{ g.plot_top }}" y2="{{ g.plot_bottom }}"/>
  <text x="{{ m.label_x }}" y="{{ m.label_y }}" text-anchor="{{ m.anchor }}" class="mark-label">{{ m.label }}</text>
  {% endfor %}
"""
)
_CURVE_JINJA = (
    _GRID_JINJA.replace("g.", "c.")
    + """\
  <line class="axis" x1="{{ c.plot_left }}" x2="{{ c.plot_left }}" y1="{{ c.plot_top }}" y2="{{ c.plot_bottom }}"/>
  {% for tick in c.x_ticks %}
  <text x="{{ tick.position }}" y="{{ c.plot_bottom + 16 }}" text-anchor="middle">{{ tick.label }}</text>
  {% endfor %}
  {% for tick in c.fee_ticks %}
  <text x="{{ tick.position }}" y="{{ c.plot_top - 8 }}" text-anchor="middle" class="fee">{{ tick.label }}</text>
  {% endfor %}
  <text x="{{ (c.plot_left + c.plot_right) / 2 }}" y="{{ c.height - 6 }}" text-anchor="middle">applications (fees along the top)</text>
  {% if c.stop_x is not none %}
  <line class="stop" x1="{{ c.stop_x }}" x2="{{ c.stop_x }}" y1="{{ c.plot_top }}" y2="{{ c.plot_bottom }}"/>
  <text x="{{ c.stop_x + (-4 if c.stop_anchor == 'end' else 4) }}" y="{{ c.plot_top + 14 }}" text-anchor="{{ c.stop_anchor }}" class="stop-label">{{ c.stop_label }}</text>
  {% endif %}
"""
)


def _jinja(source: str, **context: object) -> str:
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(source).render(**context)


@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=2, max_size=8),
    st.one_of(st.none(), st.integers(180, 280)),
    st.lists(st.tuples(st.floats(200, 270), st.text(max_size=12)), max_size=3),
)
def test_standing_lines_are_what_the_template_wrote(
    probabilities: list[tuple], score: int | None, marks: list[tuple]
) -> None:
    curve = [(200.0 + 10 * i, p, lo, hi) for i, (p, lo, hi) in enumerate(probabilities)]
    g = standing_chart("Internal Medicine & <x>", curve, score, marks)
    assert g is not None
    assert standing_lines(g) == _jinja(_STANDING_JINJA, g=g)


@given(
    st.lists(st.tuples(st.integers(0, 20_000), probability), min_size=2, max_size=30),
    st.one_of(st.none(), st.integers(0, 40)),
)
def test_curve_lines_are_what_the_template_wrote(values: list[tuple], stop: int | None) -> None:
    points = [
        CurvePoint(n + 1, fees, p, (p, p), 0.0, 0.0, True) for n, (fees, p) in enumerate(values)
    ]
    c = curve_chart(points, stop)
    assert c is not None
    assert curve_lines(c) == _jinja(_CURVE_JINJA, c=c)


@given(st.lists(st.one_of(probability, st.floats(allow_nan=True, allow_infinity=True))))
def test_percentages_at_once_are_each_percentage(values: list[float]) -> None:
    assert pcts(values) == [pct(v) for v in values]


@given(st.lists(st.tuples(st.text(alphabet="&<>\"'ab -"), st.text()), max_size=8))
def test_hidden_inputs_are_what_the_template_wrote(pairs: list[tuple[str, str]]) -> None:
    loop = '{% for k, v in list_query %}<input type="hidden" name="{{ k }}" value="{{ v }}">{% endfor %}'
    assert hidden_inputs(pairs) == _jinja(loop, list_query=pairs)
