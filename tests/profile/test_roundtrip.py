"""A profile crosses every boundary unchanged: the web form (the share link), TOML and JSON files,
the web upload and the CLI. Hypothesis draws profiles with every field set or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from starlette.datastructures import QueryParams
from typer.testing import CliRunner

from smartpick.cli import app as cli
from smartpick.core.geography import REGIONS, STATES
from smartpick.core.profile import (
    ApplicantProfile,
    load_profile,
    profile_from_dict,
    profile_json,
    profile_toml,
    read_profile,
)
from smartpick.core.specialties import SPECIALTIES
from smartpick.errors import InvalidInput
from smartpick.testing import EXAMPLES, REFERENCE_NAMES, full_profile, possible_visa
from smartpick.web import WebSettings, create_app
from smartpick.web.form_values import parse_form, profile_query, to_profile
from smartpick.web.profile_form import build_form_spec

SPEC = build_form_spec([s.name for s in SPECIALTIES])
NAMES = [s.name for s in SPECIALTIES]
TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters=";"),
    max_size=40,
)
AMOUNT = st.integers(0, 12_000).map(lambda n: n / 100)  # hundredths, as the profile keeps them


def _date(match_year: int) -> st.SearchStrategy[str | None]:
    return st.one_of(
        st.none(),
        st.builds(
            lambda y, m: f"{y}-{m:02d}", st.integers(2005, match_year - 1), st.integers(1, 12)
        ),
    )


@st.composite
def profiles(draw: st.DrawFn) -> ApplicantProfile:
    """Any valid profile (a drawn mapping that the model rejects is skipped)."""
    match_year = draw(st.integers(2024, 2032))
    specialties = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    letters = draw(st.integers(0, 20))
    by_specialty = draw(st.dictionaries(st.sampled_from(NAMES), st.integers(0, 4), max_size=3))
    exams: dict[str, Any] = {}
    for exam in ("step2ck", "step3"):
        score = draw(st.one_of(st.none(), st.integers(1, 300)))
        exams[exam] = score
        if score is not None:
            exams[f"{exam}_attempts"] = draw(st.integers(1, 6))
            exams[f"{exam}_date"] = draw(_date(match_year))
    applicant_type = draw(st.sampled_from(["non_us_img", "us_img", "us_md", "us_do"]))
    data = {
        "name": draw(st.one_of(st.none(), TEXT)),
        "applicant_type": applicant_type,
        "visa": possible_visa(
            applicant_type, draw(st.sampled_from(["none", "j1", "h1b", "either"]))
        ),
        "step1": draw(
            st.one_of(st.none(), st.integers(1, 300), st.sampled_from(["pass", "fail_then_pass"]))
        ),
        "step1_attempts": draw(st.integers(1, 6)),
        "step1_date": draw(_date(match_year)),
        **exams,
        "match_year": match_year,
        "graduation_year": draw(st.integers(1990, match_year)),
        "usce": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "months": AMOUNT,
                        "kind": st.sampled_from(["hands_on", "observership"]),
                        "institution": st.one_of(st.none(), TEXT.map(lambda t: t + ", Chicago")),
                        "program_id": st.one_of(
                            st.none(), st.from_regex(r"[0-9A-Z]{4,12}", fullmatch=True)
                        ),
                        "state": st.one_of(st.none(), st.sampled_from(STATES)),
                        "specialty": st.one_of(st.none(), st.sampled_from(NAMES)),
                    }
                ),
                max_size=8,
            )
        ),
        "us_letters": letters,
        "us_letters_by_specialty": by_specialty,
        "abstracts": draw(st.integers(0, 500)),
        "posters": draw(st.integers(0, 500)),
        "publications": draw(st.integers(0, 500)),
        "research_months": draw(AMOUNT),
        "research_institution": draw(st.one_of(st.none(), TEXT)),
        "languages": draw(
            st.lists(st.from_regex(r"[a-z][a-z ]{0,20}[a-z]", fullmatch=True), max_size=8)
        ),
        "specialties": specialties,
        "preferred_states": draw(st.lists(st.sampled_from(STATES), max_size=5)),
        "preferred_regions": draw(st.lists(st.sampled_from(REGIONS), max_size=4)),
        "ties_states": draw(st.lists(st.sampled_from(STATES), max_size=3)),
        "connections": draw(
            st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {
                            "program_id": st.from_regex(r"\d{10}[A-Z]?", fullmatch=True),
                            "kind": st.sampled_from(["rotation", "alumni", "faculty", "other"]),
                        }
                    ),
                    st.fixed_dictionaries(
                        {
                            "institution": TEXT.filter(lambda t: t.strip() and ":" not in t),
                            "kind": st.sampled_from(["rotation", "alumni", "faculty", "other"]),
                        }
                    ),
                ),
                max_size=3,
            )
        ),
        "budget_usd": draw(st.one_of(st.none(), AMOUNT.map(lambda a: a * 8))),
    }
    try:
        return profile_from_dict(data)
    except InvalidInput:
        assume(False)
        raise


def _via_form(profile: ApplicantProfile) -> ApplicantProfile | None:
    parsed = parse_form(SPEC, QueryParams(urlencode(profile_query(profile, SPEC))))
    rebuilt = to_profile(SPEC, parsed)
    assert parsed.ok, parsed.errors
    return rebuilt


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles())
def test_a_profile_round_trips_through_form_and_files(profile: ApplicantProfile) -> None:
    assert _via_form(profile) == profile  # the form, i.e. the share link
    assert read_profile(profile_toml(profile).encode(), "p.toml") == profile
    assert read_profile(profile_json(profile).encode(), "p.json") == profile


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = tmp_path_factory.mktemp("roundtrip") / "user.sqlite"
    return TestClient(create_app(WebSettings(user_store=store)), base_url="http://127.0.0.1")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(profile=profiles())
def test_a_profile_round_trips_through_upload_share_link_and_cli(
    profile: ApplicantProfile, client: TestClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # web upload -> results address (the share link) -> the page's own profile download
    opened = client.post(
        "/profile/open",
        files={"profile_file": ("p.toml", profile_toml(profile).encode(), "application/toml")},
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text
    query = urlsplit(opened.headers["location"]).query
    saved = client.get("/export/profile.json?" + query)
    assert saved.status_code == 200, saved.text
    assert read_profile(saved.content, "profile.json") == profile
    # the CLI reads the downloaded file to the same profile
    path = tmp_path_factory.mktemp("cli") / "profile.json"
    path.write_bytes(saved.content)
    checked = CliRunner().invoke(cli, ["profile", "check", str(path)])
    assert checked.exit_code == 0, checked.output
    shown = json.loads(checked.stdout)
    shown.pop("derived")
    assert profile_from_dict(shown) == profile == load_profile(path)


def test_the_full_profile_sets_every_field() -> None:
    profile = full_profile()
    unset = [name for name, value in profile if value in (None, (), {}, 0, 0.0)]
    assert not unset, unset
    assert len(profile.usce) > 1 and any("," in (e.institution or "") for e in profile.usce)
    assert _via_form(profile) == profile


@pytest.mark.slow
@pytest.mark.parametrize("name", [*REFERENCE_NAMES, "full-profile"])
def test_web_upload_and_cli_give_the_same_chances(
    name: str, client: TestClient, tmp_path: Path
) -> None:
    """D12: the same file gives the same P(match) on the web page and in the CLI."""
    if name == "full-profile":
        path = tmp_path / "full.toml"
        path.write_text(profile_toml(full_profile()), encoding="utf-8")
    else:
        path = EXAMPLES / f"{name}.toml"
    opened = client.post(
        "/profile/open",
        files={"profile_file": (path.name, path.read_bytes(), "application/toml")},
        follow_redirects=False,
    )
    query = urlsplit(opened.headers["location"]).query
    web = client.get("/api/results?" + query).json()["recommendation"]
    result = CliRunner().invoke(cli, ["recommend", "--profile", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    cli_doc = json.loads(result.stdout)
    assert web["totals"]["p_match"] == cli_doc["totals"]["p_match"]
    assert [p["program_id"] for p in web["programs"]] == [
        p["program_id"] for p in cli_doc["programs"]
    ]
