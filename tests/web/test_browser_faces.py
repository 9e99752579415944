"""Browser tests of what people see: the six reference applicants' results and plans at desktop
and phone width (screenshots in artifacts/), a 100-program list on a phone, the shortlist, the
catalog's state field and errors, focus, Tab stops, the map and the chart labels.

Debian's Chromium through Playwright against `smartpick serve` on loopback (fixtures in
conftest.py). Measured heights and Tab counts are written to artifacts/measurements.json.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from smartpick.core.profile import load_profile
from smartpick.core.specialties import SPECIALTIES
from smartpick.testing import REFERENCE_NAMES
from smartpick.web.form_values import profile_query
from smartpick.web.profile_form import build_form_spec

from .conftest import ARTIFACTS, EXAMPLES, GUIDE_QUERY, open_plan

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SPEC = build_form_spec([s.name for s in SPECIALTIES])
PLAN_WAIT_MS = 180_000  # the plan re-runs the optimizer for every priced step


def _measured(key: str, value: object) -> None:
    """Keep a measurement for the report (artifacts/measurements.json)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "measurements.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=2, sort_keys=True))


def _query(name: str) -> str:
    return urlencode(profile_query(load_profile(EXAMPLES / f"{name}.toml"), SPEC))


def _no_sideways_scroll(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{where} is {width} px wide at {viewport} px"


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_results_and_plan_of_each_reference_profile(page, server, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_default_timeout(PLAN_WAIT_MS)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/results?{_query(name)}")
    open_plan(page)
    assert page.locator("#list tbody tr").count() > 0 or page.locator("#empty-list").count()
    _no_sideways_scroll(page, f"{name} results")
    page.screenshot(path=str(ARTIFACTS / f"results-{name}-desktop.png"), full_page=True)
    page.locator("#plan-section").screenshot(path=str(ARTIFACTS / f"plan-{name}-desktop.png"))
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page, f"{name} results")
    page.screenshot(path=str(ARTIFACTS / f"results-{name}-phone.png"), full_page=True)
    page.locator("#plan-section").screenshot(path=str(ARTIFACTS / f"plan-{name}-phone.png"))
    _measured(f"results_page_height_phone_{name}", page.evaluate("document.body.scrollHeight"))


def test_a_100_program_list_is_usable_on_a_phone(page, server) -> None:
    page.set_default_timeout(PLAN_WAIT_MS)
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/results?{GUIDE_QUERY}&count=100")
    rows = page.locator("#list tbody tr")
    assert rows.count() == 100
    _no_sideways_scroll(page, "the 100-program list")
    height = page.evaluate("document.getElementById('list').getBoundingClientRect().height")
    _measured("list_height_100_programs_phone_px", round(height))
    # Before this work a row took about 850 px at this width (8 reasons, one field a line).
    assert height / 100 < 200, f"{height / 100:.0f} px per program"
    first = rows.first
    box = first.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    # The reasons are one tap away, not on the row.
    why = first.locator("details.why")
    assert not why.evaluate("d => d.open")
    why.locator("summary").click()
    assert why.evaluate("d => d.open") and why.locator("li").count() > 0
    page.locator("#list").screenshot(path=str(ARTIFACTS / "list-100-phone.png"))
    # The headings are hidden on a phone: the "Sort by" menu sorts, best first.
    page.select_option("#f-sort", "8:descending")
    chances = page.eval_on_selector_all(
        "#list tbody tr td:nth-child(8)", "cells => cells.map(c => Number(c.dataset.sort))"
    )
    assert chances == sorted(chances, reverse=True)


def test_pin_and_drop_reoptimize_and_travel_in_the_csv(page, server) -> None:
    page.set_default_timeout(PLAN_WAIT_MS)
    page.goto(f"{server}/results?{GUIDE_QUERY}")
    rows = page.locator("#list tbody tr")
    first_id = rows.first.get_attribute("id").removeprefix("row-")
    last_id = rows.last.get_attribute("id").removeprefix("row-")
    rows.first.locator("input[name=exclude]").check()
    rows.last.locator("input[name=pin]").check()
    page.click("#shortlist-go")
    page.wait_for_url("**/results?**exclude=**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["pin"] == [last_id] and query["exclude"] == [first_id]
    ids = [
        r.removeprefix("row-")
        for r in page.eval_on_selector_all("#list tbody tr", "rows => rows.map(r => r.id)")
    ]
    assert first_id not in ids and last_id in ids
    assert page.locator(f"#row-{last_id} input[name=pin]").is_checked()
    assert page.locator("fieldset.excluded input:checked").count() == 1
    share = page.input_value("#share")
    assert f"pin={last_id}" in share and f"exclude={first_id}" in share
    with page.expect_download() as download:
        page.click("#dl-csv")
    text = download.value.path().read_text(encoding="utf-8-sig")
    choices = {r["Program ID"]: r["Your choice"] for r in csv.DictReader(io.StringIO(text))}
    assert choices[last_id] == "pinned by you" and choices[first_id] == "excluded by you"


def test_tab_stops_to_submit_and_the_focus_ring(page, server) -> None:
    page.goto(server + "/")

    def tabs_to_submit() -> int:
        page.evaluate("document.activeElement && document.activeElement.blur()")
        for n in range(1, 400):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "go":
                return n
        raise AssertionError("Submit never took focus")

    closed = tabs_to_submit()
    _measured("tab_stops_to_submit", closed)
    assert closed <= 40  # 46-57 before this work
    for details in page.query_selector_all("details"):
        details.evaluate("d => d.open = true")
    every_section_open = tabs_to_submit()
    _measured("tab_stops_to_submit_all_sections_open", every_section_open)
    assert every_section_open <= 90  # 125-182 before (a box per state, twice)
    # The focus ring stands out at 3:1 or more against the page (WCAG 1.4.11).
    ratio = page.evaluate(
        """() => {
      const go = document.getElementById('go'); go.focus();
      const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
      const lum = c => { const [r, g, b] = c.map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const ring = lum(rgb(getComputedStyle(go).outlineColor));
      const page = lum(rgb(getComputedStyle(document.body).backgroundColor));
      return (Math.max(ring, page) + 0.05) / (Math.min(ring, page) + 0.05);
    }"""
    )
    assert ratio >= 3, ratio


def test_a_map_dot_leads_to_its_row_even_when_the_filters_hide_it(page, server) -> None:
    page.set_default_timeout(PLAN_WAIT_MS)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server}/results?{GUIDE_QUERY}")
    dot = page.locator("#map a").first
    row_id = dot.get_attribute("href").removeprefix("#")
    page.fill("#f-search", "no program is called this")
    assert page.locator(f"#{row_id}").is_hidden()
    dot.dispatch_event("click")  # a dot is small and may sit under another: click it as a user
    page.wait_for_function(f"location.hash === '#{row_id}'")
    assert page.locator(f"#{row_id}").is_visible()
    assert page.input_value("#f-search") == ""
    assert page.evaluate(f"document.getElementById('{row_id}').matches(':target')")
    # the same dot again, once the filters hide its row anew (the address does not change)
    page.fill("#f-search", "no program is called this")
    dot.dispatch_event("click")
    assert page.locator(f"#{row_id}").is_visible()
    # On a phone the facts keep their short labels (written once in the style sheet).
    page.set_viewport_size(PHONE)
    labels = page.eval_on_selector_all(
        f"#{row_id} td",
        "cells => cells.map(c => getComputedStyle(c, '::before').content)",
    )
    short = ("IMG residents", "invited", "visas", "interview", "signal", "fee")
    assert labels[4:10] == [f'"{label} "' for label in short]
    assert all(label in ("none", "normal") for label in labels[:4] + labels[10:])


def test_the_map_takes_no_tab_stop_and_tiers_have_shapes(page, server) -> None:
    page.set_default_timeout(PLAN_WAIT_MS)
    page.goto(f"{server}/results?{GUIDE_QUERY}")
    page.focus("#curve-h + figure figcaption a")
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('#map')")
    assert not inside, "a map dot took a Tab stop"
    shapes = page.eval_on_selector_all(
        ".legend svg > *", "els => els.map(e => e.tagName + ':' + e.getAttribute('class'))"
    )
    assert len({s.split(":")[0] for s in shapes}) == 3, shapes  # triangle, circle, square
    badge = page.locator("#list tbody tr .badge[class*=tier-]").first
    assert badge.inner_text().strip()[-5:] in ("reach", "arget", "ikely")


@pytest.mark.parametrize("name", ["guide-sample", "us-img-fm"])
def test_chart_labels_cross_no_line(page, server, name: str) -> None:
    page.set_default_timeout(PLAN_WAIT_MS)
    page.goto(f"{server}/results?{_query(name)}")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert not _label_overlaps(page), viewport


def _label_overlaps(page) -> list[str]:
    """Labels of the "where you stand" charts that cross a dotted line or each other."""
    return page.evaluate(
        """() => {
      const out = [];
      for (const svg of document.querySelectorAll('svg.standing')) {
        const lines = [...svg.querySelectorAll('line.mark')].map(l => l.getBoundingClientRect());
        const labels = [...svg.querySelectorAll('text.mark-label, text.you-label')]
          .map(t => [t.textContent, t.getBoundingClientRect()]);
        for (const [text, box] of labels) {
          for (const line of lines)
            if (line.left > box.left + 1 && line.left < box.right - 1
                && line.top < box.bottom && line.bottom > box.top) out.push(text);
          for (const [other, b] of labels)
            if (other !== text && box.left < b.right && b.left < box.right
                && box.top < b.bottom && b.top < box.bottom) out.push(text + ' / ' + other);
        }
      }
      return out;
    }"""
    )


def test_catalog_state_by_name_and_a_bad_filter_in_place(page, server) -> None:
    page.goto(server + "/programs")
    page.fill("#state", "Texas")
    page.select_option("#specialty", "Internal Medicine")
    page.select_option("#sort", "nonus_img_interview_rate")
    page.click("button:has-text('Search')")
    page.wait_for_selector("#catalog-table")
    states = page.eval_on_selector_all(
        "#catalog-table tbody td[data-label=Place]", "cells => cells.map(c => c.innerText)"
    )
    assert states and all(s.endswith(", TX") for s in states)
    head = page.locator("#catalog-table th[aria-sort=descending]")
    assert "Non-US IMGs invited" in head.inner_text()
    page.fill("#state", "Texass")
    page.fill("#min_positions", "abc")
    page.click("button:has-text('Search')")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#state") == "Texass" and page.input_value("#min_positions") == "abc"
    assert "Texas" in page.inner_text("#err-state")
    page.screenshot(path=str(ARTIFACTS / "catalog-bad-filter-desktop.png"), full_page=True)


def test_program_page_shows_2026_evidence_and_edit_reopens_sections(page, server) -> None:
    page.goto(server + "/programs/1401200932C")
    evidence = page.inner_text("#evidence")
    assert "Invited 0% of 2,872 non-US IMG applicants" in evidence
    assert "AAMC Residency Explorer, 2026 cycle" in evidence
    page.set_default_timeout(PLAN_WAIT_MS)
    page.goto(f"{server}/results?{_query('strong-img')}")
    page.click("text=Edit your profile")
    page.wait_for_selector("form.profile")
    opened = page.eval_on_selector_all(
        "details.more[open] > summary", "els => els.map(e => e.innerText)"
    )
    assert any("Research, languages, places" in s for s in opened), opened
