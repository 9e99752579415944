"""The web faces' input rules: plain errors naming the field, and the same rule on every face."""

from __future__ import annotations

import re

import pytest

from smartpick.core.lists.fees import fee_seasons
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.validation import field_bounds
from smartpick.core.rules.season import match_year_range


def test_whatif_visa_none_prices_no_visa_need(client, guide_query) -> None:
    r = client.get("/api/whatif?" + guide_query + "&set=visa%3Dnone")
    assert r.status_code == 200, r.text
    assert r.json()["changes_text"] == "no visa needed"


US_IMG = (
    "specialties=Family+Medicine&applicant_type=us_img&step1=pass&step2ck=230"
    "&graduation_year=2024&match_year=2027"
)


def test_a_us_citizen_img_needing_a_visa_is_rejected_on_every_face(client) -> None:
    api = client.get("/api/results?" + US_IMG + "&visa=j1")
    assert api.status_code == 422
    assert api.json()["error"]["problems"][0]["field"] == "visa"
    page = client.get("/results?" + US_IMG + "&visa=h1b")
    assert page.status_code == 422 and "needs no visa to train" in page.text
    whatif = client.get("/api/whatif?" + US_IMG + "&visa=none&set=visa%3Dj1")
    assert whatif.status_code == 422 and "applicant type" in whatif.text
    md = client.get("/api/results?" + US_IMG.replace("us_img", "us_md") + "&visa=either")
    assert md.status_code == 422 and "H-1B" in md.json()["error"]["message"]


GUIDE_BASE = (
    "specialties=Internal+Medicine&visa=j1&step1=score&step1_score=209&step2ck=224"
    "&match_year=2028&graduation_year=2026"
)
SIX_MORE = "".join(
    f"&specialties={s}"
    for s in (
        "Family+Medicine",
        "Psychiatry",
        "Neurology",
        "Pediatrics",
        "Pathology",
        "Dermatology",
    )
)
RAW_WORDS = ("Input should", "String should", "tuple should", "Value error", "Field required", "^")


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ("&budget_usd=-10", "budget_usd", "a number from 0 to 100000; got '-10'"),
        ("&budget_usd=NaN", "budget_usd", "a number from 0 to 100000"),
        ("&budget_usd=238.5x", "budget_usd", "a number from 0 to 100000"),
        ("&step2ck=224.7", "step2ck", "a whole number from 1 to 300; got '224.7'"),
        ("&step2ck=true", "step2ck", "a whole number from 1 to 300"),
        ("&step2ck_date=2020-13", "step2ck_date", "YYYY-MM"),
        ("&name=" + "x" * 90, "name", "text up to 80 characters"),
        (SIX_MORE, "specialties", "choose 1 to 6; got 7"),
    ],
)
def test_api_errors_are_plain_words_with_the_range(client, extra, field, words) -> None:
    r = client.get("/api/results?" + GUIDE_BASE + extra)
    assert r.status_code == 422
    error = r.json()["error"]
    assert words in error["message"] and error["problems"][0]["field"] == field
    assert not any(raw in error["message"] for raw in RAW_WORDS), error["message"]


def test_missing_fields_and_catalog_filters_are_plain_words(client) -> None:
    missing = client.get("/api/results?visa=j1").json()["error"]["message"]
    assert "graduation_year: is required: enter a whole number from 1950" in missing
    assert "Field required" not in missing
    nan = client.get("/api/programs?min_non_us_img_pct=nan").json()["error"]["message"]
    assert nan == "min_non_us_img_pct: must be a number from 0 to 100; got 'nan'"


def test_the_form_says_how_many_specialties_in_words(client) -> None:
    page = client.get("/results?" + GUIDE_BASE + SIX_MORE)
    assert page.status_code == 422
    assert "Specialties you will apply to: choose 1 to 6; got 7" in page.text
    assert "tuple should" not in page.text


def test_the_match_years_are_one_range_on_every_face(client) -> None:
    first, last = match_year_range()
    assert first == fee_seasons("residency")[0]  # the first season with known fees
    assert field_bounds(ApplicantProfile.model_fields["match_year"]) == (first, last)
    form = client.get("/api/form").json()
    field = next(f for g in form["groups"] for f in g["fields"] if f["name"] == "match_year")
    assert (field["minimum"], field["maximum"]) == (first, last)
    for year in (first - 1, last + 1, 2100):
        words = f"from {first} to {last}; got {year}"
        check = client.get(f"/form/check/match_year?match_year={year}")
        assert words in check.text
        page = client.get(
            "/results?" + GUIDE_BASE.replace("2028", str(year)) + "&graduation_year=2018"
        )
        assert page.status_code == 422 and words in page.text and 'name="match_year"' in page.text
    assert 'role="alert"' not in client.get(f"/form/check/match_year?match_year={last}").text


@pytest.mark.parametrize("block", ["0", "9", "99", "x"])
def test_a_usce_block_outside_the_form_is_an_error_not_dropped(client, block) -> None:
    extra = f"&usce-{block}-months=3&usce-{block}-kind=hands_on"
    page = client.get("/results?" + GUIDE_BASE + extra)
    assert page.status_code == 422 and "the blocks are numbered 1 to 8" in page.text
    api = client.get("/api/results?" + GUIDE_BASE + extra)
    assert api.status_code == 422 and f"names block {block}" in api.json()["error"]["message"]


def test_a_repeated_catalog_filter_is_an_error_on_page_and_api(client) -> None:
    api = client.get("/api/programs?state=NY&state=TX")
    assert api.status_code == 422
    assert api.json()["error"]["message"] == "state: given 2 times; give one value"
    page = client.get("/programs?state=NY&state=TX")
    assert page.status_code == 422 and "State: given 2 times; give one value." in page.text


def test_a_program_pinned_many_times_is_pinned_once_on_every_face(client) -> None:
    first = client.get("/api/programs?specialty=Internal+Medicine").json()["programs"][0]
    pins = f"&pin={first['program_id']}" * 101
    assert client.get("/results?" + GUIDE_BASE + pins).status_code == 200
    api = client.get("/api/results?" + GUIDE_BASE + pins)
    assert api.status_code == 200, api.text


def test_one_application_is_said_in_the_singular(client) -> None:
    page = client.get("/results?" + GUIDE_BASE + "&count=1").text
    assert "at most 1 application;" in page and "limits the list to 1 program;" in page
    assert "Your 1 program, best-placed first" in page
    assert not re.search(r"(?<![\d,.])1 (applications|programs)\b", page)


def test_a_blank_parameter_is_documented_as_not_given(client) -> None:
    """A blank value counts as not given (an untouched form field), and the API's schema says so
    for each optional parameter and each list's items; a fuzzer found `step2ck_attempts=`
    accepted while the schema allowed only a number."""
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/results"]["get"]["parameters"]}
    blank = {"type": "string", "pattern": r"^\s*$", "description": "Empty: not given."}
    for name in ("step2ck_attempts", "step3", "visa", "name"):
        assert blank in params[name]["anyOf"], name
    for name in ("specialties", "preferred_states", "pin"):
        assert blank in params[name]["items"]["anyOf"], name
    base = "/api/results?specialties=Pediatrics&graduation_year=2025"
    same = client.get(base + "&step2ck_attempts=&step3=%20").json()
    assert same["profile"] == client.get(base).json()["profile"]
