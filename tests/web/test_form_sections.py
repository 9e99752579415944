"""The profile form: optional sections open when they hold values ("Edit your profile"),
fewer fields in the way of Submit, states typed by name or code."""

from __future__ import annotations

import re

from smartpick.core.profile import load_profile
from smartpick.core.specialties import SPECIALTIES
from smartpick.web.form_values import parse_form, profile_query, to_profile
from smartpick.web.profile_form import build_form_spec

from .conftest import EXAMPLES

SPEC = build_form_spec([s.name for s in SPECIALTIES])


def _open_summaries(html: str) -> list[str]:
    return re.findall(r"<details class=\"more[^\"]*\" open>\s*<summary>([^<]+)</summary>", html)


def test_a_first_visit_shows_every_optional_section_closed(client) -> None:
    page = client.get("/").text
    assert _open_summaries(page) == []
    assert '<details class="more-choices" open>' not in page


def test_edit_your_profile_reopens_the_sections_that_hold_values(client, guide_query) -> None:
    page = client.get("/?" + guide_query + "&posters=2&languages=Spanish&step1_date=2019-05").text
    opened = _open_summaries(page)
    assert "Research, languages, places (optional)" in opened
    assert "Exam dates and other attempts (optional)" in opened
    assert 'value="Spanish"' in page and 'value="2019-05"' in page


def test_a_chosen_specialty_outside_the_common_six_is_shown(client, guide_query) -> None:
    query = guide_query.replace("specialties=Internal+Medicine", "specialties=Dermatology")
    page = client.get("/?" + query).text
    assert '<details class="more-choices" open>' in page
    assert re.search(r'value="Dermatology" checked', page)


def test_the_results_edit_link_keeps_every_profile_file_value(client) -> None:
    profile = load_profile(EXAMPLES / "strong-img.toml")  # research months, publications
    results = client.get("/api/results", params=profile_query(profile, SPEC)).json()
    edit = client.get(results["links"]["edit"]).text
    assert "Research, languages, places (optional)" in _open_summaries(edit)
    rebuilt = to_profile(SPEC, parse_form(SPEC, dict(_form_values(edit))))
    assert rebuilt == profile


def _form_values(html: str) -> list[tuple[str, list[str]]]:
    """What the browser would submit from the form page (text inputs, selects, checkboxes)."""
    form = html.split('<form class="profile"', 1)[1].split("</form>", 1)[0]
    out: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="text"[^>]*name="([^"]+)"\s+value="([^"]*)"', form):
        out.setdefault(name, []).append(value)
    for name, value in re.findall(r'name="([^"]+)" value="([^"]*)" checked', form):
        out.setdefault(name, []).append(value)
    for name, body in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        first = re.search(r'<option value="([^"]*)"', body)
        out.setdefault(name, []).append((chosen or first).group(1) if (chosen or first) else "")
    return list(out.items())


def test_states_take_names_or_codes_separated_by_commas() -> None:
    parsed = parse_form(
        SPEC,
        {
            "specialties": ["Internal Medicine"],
            "graduation_year": "2024",
            "preferred_states": ["Ohio, mi; New York"],
            "ties_states": ["TX", "Texas"],
        },
    )
    profile = to_profile(SPEC, parsed)
    assert profile is not None, parsed.errors
    assert profile.preferred_states == ("OH", "MI", "NY") and profile.ties_states == ("TX",)
    bad = parse_form(
        SPEC,
        {"specialties": ["Internal Medicine"], "graduation_year": "2024", "ties_states": "Texass"},
    )
    assert "Texass" in bad.errors["ties_states"] and "Texas" in bad.errors["ties_states"]
