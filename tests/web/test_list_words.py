"""The results page's words about the list, checked on the reference applicants: tier
definitions credit each figure to its own specialty, signals are named as each specialty has
them, the chart and the map say what they show, and errors name fields by the form's labels."""

from __future__ import annotations

import html
import re
import sys
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import PROFILES  # noqa: E402  (a script beside the package, not in it)

from smartpick.core.rules.season import match_year_range  # noqa: E402


@cache
def _page(client, name: str) -> str:
    r = client.get("/results?" + PROFILES[name])
    assert r.status_code == 200, r.text[:300]
    return r.text


def _text(markup: str) -> str:
    """The page's text, tags dropped and spaces joined."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_tier_definitions_credit_the_internal_medicine_figure_to_internal_medicine(client):
    text = _text(_page(client, "psych-img"))
    assert "what typical non-US IMGs got in Internal Medicine in 2026 (2.9%" in text
    assert "no 2026 interview figures for Psychiatry, so the Internal Medicine rate" in text
    assert "got in Psychiatry in 2026" not in text


def test_signals_are_named_as_each_specialty_has_them(client):
    """Family Medicine has one kind of signal (a "signal"); Internal Medicine gold and silver."""
    page = _page(client, "low-score-late")
    text = _text(page)
    assert "Signals in Family Medicine: 5 of 5 used, chosen together with the list" in text
    assert "Signals in Internal Medicine: 3 of 3 gold and 12 of 12 silver used" in text
    assert "of 5 gold" not in text
    filter_menu = page.split('id="f-signal"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="(\w+)"', filter_menu) == ["gold", "silver", "signal", "none"]
    rows = re.findall(r'<tr data-tier="\w+" data-signal="(\w+)".*?</tr>', page, re.S)
    assert {"gold", "silver", "signal", "none"} == set(rows)
    for row in re.findall(r'<tr data-tier="\w+" data-signal="signal".*?</tr>', page, re.S):
        assert "Family Medicine" in row and "A signal raises your interview chance" in row
        assert ">gold<" not in row and "gold signal" not in row
    only_fm = _page(client, "us-img-fm").split('id="f-signal"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="(\w+)"', only_fm) == ["signal", "none"]


def test_a_family_medicine_program_page_offers_one_signal(client):
    query = PROFILES["us-img-fm"]
    first = client.get("/api/results?" + query).json()["list"][0]
    assert first["specialty"] == "Family Medicine" and first["signal_name"] == "signal"
    text = _text(client.get(f"/programs/{first['program_id']}?{query}").text)
    assert re.search(r"; with a signal \d+%\. Chance of matching here", text), text[:600]
    assert "silver" not in text.split("Chance of matching here", 1)[0]


def test_the_curve_and_the_map_say_what_they_show(client):
    page = _page(client, "guide-sample")
    desc = _text(page.split('<desc id="curve-desc">', 1)[1].split("</desc>", 1)[0])
    assert re.search(r"SmartPick's list stops at \d+ applications: a \d+% chance of matching", desc)
    assert "stop at" not in desc
    title = html.unescape(page.split('<title id="map-title">', 1)[1].split("</title>", 1)[0])
    drawn = client.get("/api/results?" + PROFILES["guide-sample"]).json()["map"]
    placed, unplaced = len(drawn["on_map"]), len(drawn["not_on_map"])
    listed = len(re.findall(r'<tr data-tier="', page))
    assert unplaced and placed + unplaced == listed
    assert title.startswith(
        f"Map of {placed} of the {listed} programs of your list by tier ({unplaced} are not "
        "drawn: see below)"
    )


def test_form_errors_name_fields_by_their_labels_with_the_same_range(client):
    guide = PROFILES["guide-sample"]
    cases = {
        guide.replace("graduation_year=2026", "graduation_year=2030"): (
            "Medical school graduation year: 2030 is after the Match year; allowed 1950 to 2028"
        ),
        guide.replace("graduation_year=2026", "graduation_year="): (
            "Medical school graduation year is required: enter a whole number from 1950 to the "
            "Match year."
        ),
        guide.replace("us_letters_in_specialty=1", "us_letters_in_specialty=3"): (
            "US letters in a specialty: 3 letters in Internal Medicine is out of range; allowed "
            "0 to 1 (your US letters in all)"
        ),
    }
    for query, said in cases.items():
        r = client.get("/results?" + query)
        text = _text(r.text)
        assert r.status_code == 422 and said in text, text[:800]
        assert "graduation_year" not in text.split("Please fix", 1)[1].split("Back to")[0]
        assert "us_letters" not in text


def test_an_unknown_program_page_says_program_id_in_words(client):
    text = _text(client.get("/programs/XYZ").text)
    assert "Program ID: no program 'XYZ' in the catalog." in text and "program_id" not in text
    api = client.get("/api/programs/XYZ").json()["error"]  # the API names its own parameter
    assert api["problems"] == [{"field": "program_id", "message": api["message"]}]


def test_a_match_year_without_fees_is_named_as_the_form_names_it(client):
    """A Match year before the first fee schedule: the form's own range rejects it, naming the
    form's field and the years allowed, not the fee table's internal 'season'."""
    first, last = match_year_range()
    query = PROFILES["guide-sample"].replace("match_year=2028", "match_year=2020")
    query = query.replace("graduation_year=2026", "graduation_year=2018")
    r = client.get("/results?" + query)
    text = _text(r.text)
    assert r.status_code == 422 and 'name="graduation_year"' in r.text  # the form again
    assert f"Match you apply to must be a whole number from {first} to {last}; got 2020" in text
    assert "season:" not in text
