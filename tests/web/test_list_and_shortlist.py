"""The list people scan (columns, reasons behind a disclosure, shared reasons said once) and the
shortlist (pin or exclude programs, re-optimized around them, carried by the share link)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape


def _cells(html: str, row_id: str) -> str:
    return html.split(f'id="row-{row_id}"', 1)[1].split("</tr>", 1)[0]


def test_each_row_has_the_columns_people_scan_for(guide_results, guide_results_html) -> None:
    html = guide_results_html
    table = html.split('id="list"', 1)[1].split("</table>", 1)[0]
    assert "<caption>" in table
    for heading in (
        "State",
        "Setting",
        "Non-US IMG residents",
        "Non-US IMGs invited",
        "Visas",
        "Interview chance",
        "Signal",
        "Fee",
    ):
        assert f">{heading}" in table, heading
    rows = guide_results["list"]
    assert [r["program_id"] for r in rows] == [
        p["program_id"] for p in guide_results["recommendation"]["programs"]
    ]
    for row in rows:
        cells = _cells(html, row["program_id"])
        assert f"<div>{row['state']}</div>" in cells
        assert row["setting_short"] in cells
        share = row["non_us_img_residents"]
        if share is not None:
            assert f'{share["value"]:.0f}% <span class="small muted">({share["year"]})' in cells
        invited = row["nonus_img_invited"]
        if invited is not None:
            assert f'{100 * invited["rate"]:.0f}% <span class="small muted">of' in cells
        assert f"{100 * row['p_interview']['point']:.0f}%</strong>" in cells
        assert f"${row['fee_usd']}" in cells
        # Reasons are behind a disclosure, as plain sentences.
        assert '<details class="why">' in cells and "<summary>Why" in cells
        for line in row["details"]:
            assert str(escape(line)) in cells


def test_reasons_every_row_shares_are_said_once(guide_results, guide_results_html) -> None:
    rows = guide_results["list"]
    assert len(rows) >= 2
    # No sentence is repeated on every row: those are said once, above the list.
    in_every_row = set(rows[0]["details"]).intersection(*(r["details"] for r in rows[1:]))
    assert not in_every_row - {line for line in in_every_row if line.startswith("Visas: ")}
    shared = guide_results["shared_reasons"].get("Internal Medicine", [])
    table = guide_results_html.split('id="list"', 1)[1].split("</table>", 1)[0]
    for line in shared:
        assert guide_results_html.count(str(escape(line))) == 1
        assert str(escape(line)) not in table


def test_rows_use_plain_words(guide_results) -> None:
    for row in guide_results["list"]:
        text = " ".join(row["details"])
        assert "P(" not in text and " pp" not in text and "docs/" not in text


def test_the_rows_are_ascii(guide_results_html) -> None:
    """The list's rows, most of the page, are written in ASCII (other characters as references):
    the page is encoded as a copy, not character by character."""
    table = guide_results_html.split('id="list"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr ") > 100 and rows.isascii()
    assert "–" in html.unescape(rows) and "▲" in html.unescape(rows)


def test_the_tier_is_told_by_shape_and_word_not_colour_alone(guide_results_html) -> None:
    table = guide_results_html.split('id="list"', 1)[1].split("</table>", 1)[0]
    badges = re.findall(
        r'<span class="badge tier-(\w+)"><span aria-hidden="true">([^<]+)</span> (\w+)', table
    )
    assert badges and all(tier == word for tier, _, word in badges)
    # the shape as a character reference: the rows' markup is ASCII (`results_markup._ascii`)
    assert {html.unescape(shape) for tier, shape, _ in badges if tier == "reach"} == {"▲"}
    map_svg = guide_results_html.split('id="map"', 1)[1].split("</svg>", 1)[0]
    assert map_svg.count("<a ") == map_svg.count('tabindex="-1"')  # no Tab stop in the picture
    # each dot links to its program's row in the list (which links to the program's page)
    targets = re.findall(r'<a href="#(row-[^"]+)" tabindex="-1">', map_svg)
    assert targets and len(targets) == map_svg.count("<a ")
    assert all(f'id="{target}"' in table for target in targets)


def test_the_page_says_which_list_options_the_numbers_use(client, guide_query) -> None:
    page = client.get("/results?" + guide_query + "&count=20").text
    used = page.split('id="options-used"', 1)[1].split("</p>", 1)[0]
    assert "at most 20 applications" in used and "no fee budget" in used
    assert "none pinned" in used and "none excluded" in used


def _open_and_unlisted(client, programs: list[dict], listed, query: str) -> str:
    """A program the list left out that the applicant can apply to (a long default list leaves
    out mostly programs closed to this profile)."""
    return next(
        p["program_id"]
        for p in programs
        if p["program_id"] not in listed
        and client.get(f"/api/programs/{p['program_id']}?{query}").json()["applicant"]["eligible"]
    )


@pytest.fixture(scope="module")
def shortlist(client, guide_results) -> dict:
    """The guide's list with one more program pinned and its first program excluded."""
    listed = [r["program_id"] for r in guide_results["list"]]
    programs = client.get(
        "/api/programs",
        params={"specialty": "Internal Medicine", "visa": "j1", "sort": "pct_non_us_img"},
    ).json()["programs"]
    base = guide_results["share_url"].split("?", 1)[1]
    extra = _open_and_unlisted(client, programs, listed, base)
    dropped = listed[0]
    query = base + f"&pin={extra}&exclude={dropped}"
    data = client.get("/api/results?" + query).json()
    return {"extra": extra, "dropped": dropped, "query": query, "data": data}


def test_pinning_and_excluding_reoptimizes_around_the_choice(shortlist) -> None:
    rows = shortlist["data"]["list"]
    ids = [r["program_id"] for r in rows]
    assert shortlist["extra"] in ids and shortlist["dropped"] not in ids
    assert next(r for r in rows if r["program_id"] == shortlist["extra"])["pinned"] is True
    pinned_row = next(r for r in rows if r["program_id"] == shortlist["extra"])
    assert pinned_row["details"][0].startswith("You pinned it")
    constraints = shortlist["data"]["recommendation"]["constraints"]
    assert constraints["must_include"] == [shortlist["extra"]]
    assert constraints["exclude"] == [shortlist["dropped"]]


def test_the_choice_travels_in_the_share_link_and_the_edit_link(client, shortlist) -> None:
    share = parse_qs(urlsplit(shortlist["data"]["share_url"]).query)
    assert share["pin"] == [shortlist["extra"]] and share["exclude"] == [shortlist["dropped"]]
    again = client.get("/api" + shortlist["data"]["share_url"]).json()
    assert [r["program_id"] for r in again["list"]] == [
        r["program_id"] for r in shortlist["data"]["list"]
    ]
    page = client.get("/results?" + shortlist["query"]).text
    excluded = page.split('class="excluded"', 1)[1].split("</fieldset>", 1)[0]
    assert f'name="exclude" value="{shortlist["dropped"]}" checked' in excluded
    pinned = _cells(page, shortlist["extra"])
    assert f'name="pin" value="{shortlist["extra"]}" checked' in pinned
    # The shortlist form carries the profile, not the old choices (the boxes carry those).
    form = page.split('id="shortlist"', 1)[1].split("</form>", 1)[0]
    assert 'name="pin"' not in form and 'name="step2ck" value="224"' in form
    edit = client.get(shortlist["data"]["links"]["edit"]).text
    assert f'name="pin" value="{shortlist["extra"]}" checked' in edit


def test_a_pin_that_cannot_be_honoured_is_shown_on_the_form(client, guide_query) -> None:
    unknown = client.get("/results?" + guide_query + "&pin=1499999999C")
    assert unknown.status_code == 422 and "Programs you pinned" in unknown.text
    both = client.get("/results?" + guide_query + "&pin=1401200932C&exclude=1401200932C")
    assert both.status_code == 422 and "both pinned and excluded" in both.text
    bad = client.get("/api/results?" + guide_query + "&pin=<script>")
    assert bad.status_code == 422
    # A program that states it sponsors no H-1B cannot be pinned by an applicant needing one.
    no_h1b = client.get(
        "/api/programs", params={"specialty": "Internal Medicine", "visa": "j1"}
    ).json()["programs"]
    pid = next(p["program_id"] for p in no_h1b if p["visa_h1b"] == "no")
    h1b = client.get("/results?" + guide_query.replace("visa=j1", "visa=h1b") + f"&pin={pid}")
    assert h1b.status_code == 422 and "cannot be in your list" in h1b.text


def test_a_program_page_pins_or_excludes_it(client, guide_results, guide_query) -> None:
    listed = {r["program_id"] for r in guide_results["list"]}
    programs = client.get(
        "/api/programs", params={"specialty": "Internal Medicine", "visa": "j1"}
    ).json()["programs"]
    pid = _open_and_unlisted(client, programs, listed, guide_query)
    twin = client.get(f"/api/programs/{pid}?{guide_query}").json()
    links = twin["applicant"]["shortlist"]
    assert links["state"] is None and f"pin={pid}" in links["pin"]
    pinned = client.get("/api" + links["pin"]).json()
    assert pid in [r["program_id"] for r in pinned["list"]]
    page = client.get(f"/programs/{pid}?{guide_query}&pin={pid}").text
    actions = page.split('id="shortlist-actions"', 1)[1].split("</div>", 1)[0]
    assert "You pinned it." in actions and "Pin it to my list" not in actions
    assert "Keep it off my list" in actions and "Let SmartPick decide" in actions
