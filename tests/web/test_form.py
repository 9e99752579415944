"""The profile form: defaults, inline errors naming the field and range, and the profile it builds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from smartpick.core.profile import ApplicantProfile
from smartpick.core.specialties import SPECIALTIES
from smartpick.testing import REFERENCE_NAMES, reference_profile
from smartpick.web.form_fields import all_fields
from smartpick.web.form_values import _by_name, _given, form_query, parse_form, to_profile
from smartpick.web.profile_form import build_form_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import PROFILES  # noqa: E402  (a script beside the package, not in it)

SPEC = build_form_spec([s.name for s in SPECIALTIES])
PROFILE_FIELDS = tuple(ApplicantProfile.model_fields)
GUIDE = (
    "specialties=Internal+Medicine&visa=j1&step1=score&step1_score=209&step2ck=224"
    "&match_year=2028&graduation_year=2026&usce-1-months=1&usce-1-kind=observership"
    "&us_letters=1&us_letters_in_specialty=1"
)


def test_the_guide_sample_builds_the_same_profile_as_its_file() -> None:
    from smartpick.core.profile import load_profile

    parsed = parse_form(SPEC, QueryParams(GUIDE))
    profile = to_profile(SPEC, parsed)
    assert profile is not None, parsed.errors
    sample = load_profile(Path(__file__).parents[2] / "examples/profiles/guide-sample.toml")
    # the file's block names its specialty, which the form can hold too
    with_specialty = to_profile(
        SPEC, parse_form(SPEC, QueryParams(GUIDE + "&usce-1-specialty=Internal+Medicine"))
    )
    assert with_specialty == sample.model_copy(update={"name": None})


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_the_load_benchmark_sends_the_reference_applicants(name: str) -> None:
    """The web load's queries are the six example files' profiles, field for field, so the
    benchmark measures the applicants the examples and tests share."""
    parsed = parse_form(SPEC, QueryParams(PROFILES[name]))
    profile = to_profile(SPEC, parsed)
    assert profile is not None, parsed.errors
    assert profile == reference_profile(name).model_copy(update={"name": None})


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("step2ck=301", "step2ck", "1 to 300"),
        ("step2ck=abc", "step2ck", "whole number"),
        ("step2ck=2a4b", "step2ck", "1 to 300"),
        ("step2ck=2_50", "step2ck", "whole number"),
        ("step2ck=%D9%A2%D9%A5%D9%A0", "step2ck", "whole number"),
        ("usce-1-months=-1", "usce-1-months", "0 to 120"),
        ("graduation_year=2029", "graduation_year", "1950 to 2028 (the Match year)"),
        ("graduation_year=", "graduation_year", "1950 to the Match year"),
        ("step1=pass&step1_score=190", "step1_score", "Numeric score"),
        ("step2ck_date=2024-13", "step2ck_date", "YYYY-MM"),
        ("applicant_type=us_md&visa=j1", "visa", "J-1"),
        ("specialties=Cardiac+Magic", "specialties", "not in the list"),
        ("visa=l1", "visa", "J-1"),
        ("step1=score", "step1_score", "1 to 300"),
        ("us_letters=1&us_letters_in_specialty=2", "us_letters_in_specialty", "0 to 1"),
        ("match_value_usd=nan", "match_value_usd", "100 to 500000"),
    ],
)
def test_errors_name_the_field_and_the_allowed_range(query: str, field: str, words: str) -> None:
    base = dict(QueryParams(GUIDE).multi_items())
    base.pop(field, None)
    params = QueryParams(
        "&".join(f"{k}={v}" for k, v in base.items() if k not in QueryParams(query)) + "&" + query
    )
    parsed = parse_form(SPEC, params)
    if parsed.ok:
        to_profile(SPEC, parsed)
    assert field in parsed.errors, parsed.errors
    label = all_fields(SPEC)[field].named
    message = parsed.errors[field]
    # the form's label (the profile's own key never: people read the form); letters may be in
    # any specialty, not only the first one the field is about
    named = "US letters in a specialty" if field == "us_letters_in_specialty" else label
    assert message.startswith(named.split(" (")[0]), message
    assert message.split(":")[0].split(" must")[0] not in (field, *PROFILE_FIELDS)
    assert words in parsed.errors[field]


def test_a_missing_required_field_is_named() -> None:
    parsed = parse_form(SPEC, QueryParams("specialties=Internal+Medicine"))
    assert "required" in parsed.errors["graduation_year"]


@settings(max_examples=25, deadline=None)
@given(
    step2ck=st.integers(1, 300),
    months=st.integers(0, 60),
    letters=st.integers(0, 10),
    data=st.data(),
)
def test_the_query_round_trips(step2ck: int, months: int, letters: int, data) -> None:
    """A profile's query string (the shareable link) parses back to the same profile."""
    in_specialty = data.draw(st.integers(0, letters))
    query = (
        f"specialties=Family+Medicine&step2ck={step2ck}&graduation_year=2024"
        f"&usce-1-months={months}&usce-1-kind=hands_on&us_letters={letters}"
        f"&us_letters_in_specialty={in_specialty}"
    )
    first = parse_form(SPEC, QueryParams(query))
    profile = to_profile(SPEC, first)
    assert profile is not None, first.errors
    again = parse_form(SPEC, QueryParams(form_query(first.values, SPEC)))
    assert to_profile(SPEC, again) == profile


def test_form_page_has_labels_for_every_input(client) -> None:
    import re

    html = client.get("/").text
    ids = re.findall(r'<(?:input|select)[^>]*\sid="([^"]+)"', html)
    assert ids
    for input_id in ids:
        assert f'for="{input_id}"' in html, input_id
    assert 'aria-describedby="hint-step2ck err-step2ck"' in html


def test_form_twin_describes_every_field(client) -> None:
    data = client.get("/api/form").json()
    names = {f["name"] for g in data["groups"] for f in g["fields"]}
    assert names == set(all_fields(SPEC))
    specialties = next(f for g in data["groups"] for f in g["fields"] if f["name"] == "specialties")
    assert "Internal Medicine" in [c["value"] for c in specialties["choices"]]
    # the default season (the 2028 Match from November 2026) uses the latest published fees
    assert data["fees"]["season"] == 2026 and data["fees"]["tiers"][0]["fee_usd"] == 11
    assert "latest published" in data["fees"]["note"] or data["defaults"]["match_year"] == 2026


def test_shared_link_refills_the_form(client) -> None:
    html = client.get("/?" + GUIDE).text
    assert 'id="step2ck" name="step2ck"\n         value="224"' in html or 'value="224"' in html
    assert '<option value="j1" selected>' in html


def test_submitting_bad_values_shows_the_form_with_errors(client) -> None:
    r = client.get("/results?specialties=Internal+Medicine&step2ck=400&graduation_year=2024")
    assert r.status_code == 422
    assert 'id="error-summary"' in r.text and 'role="alert"' in r.text
    assert "Step 2 CK score must be a whole number from 1 to 300; got 400" in r.text
    assert 'aria-invalid="true"' in r.text


def test_a_usce_blocks_error_names_its_block(client) -> None:
    """With several blocks, "Months must be..." alone does not say which block is wrong."""
    query = GUIDE + "&usce-2-months=200&usce-2-kind=hands_on"
    r = client.get("/results?" + query)
    assert r.status_code == 422
    words = "US clinical experience, block 2: months must be a number from 0 to 120; got"
    assert words in r.text
    assert "Months must be" not in r.text


def test_live_check_and_fee_note(client) -> None:
    r = client.get("/form/check/step2ck", params={"step2ck": "0"})
    assert 'role="alert"' in r.text and "1 to 300" in r.text
    ok = client.get("/form/check/step2ck", params={"step2ck": "230"})
    assert "hidden" in ok.text
    fee = client.get(
        "/form/check/budget_usd",
        params=[("budget_usd", "1000"), ("specialties", "Internal Medicine")],
    )
    # ERAS 2026: $11 each for 1-30, $30 from the 31st, plus the $80 transcript fee:
    # 80 + 330 + 19 * 30 = 980 <= 1000 < 1010.
    assert "pays for up to 49 applications ($980 in fees)" in fee.text
    assert client.get("/form/check/nope").status_code == 404


_names = st.sampled_from([*all_fields(SPEC), "usce_months", "other"])


@given(st.lists(st.tuples(_names, st.text(max_size=6)), max_size=30))
def test_a_query_read_by_name_once_gives_each_fields_values(pairs: list[tuple[str, str]]) -> None:
    params = QueryParams(pairs)
    grouped = _by_name(params)
    for name in [*all_fields(SPEC), "usce_months", "other"]:
        assert _given(grouped, name) == _given(params, name)
