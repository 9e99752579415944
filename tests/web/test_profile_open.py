"""Opening a saved profile file: every reference profile becomes a results address."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.datastructures import QueryParams

from smartpick.core.profile import load_profile
from smartpick.core.specialties import SPECIALTIES
from smartpick.web.form_values import parse_form, to_profile
from smartpick.web.profile_form import build_form_spec

PROFILES = sorted((Path(__file__).parents[2] / "examples" / "profiles").glob("*.toml"))
SPEC = build_form_spec([s.name for s in SPECIALTIES])


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_a_profile_file_opens_as_its_results_address(client, path: Path) -> None:
    r = client.post(
        "/profile/open",
        files={"profile_file": (path.name, path.read_bytes(), "application/toml")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    location = urlsplit(r.headers["location"])
    assert location.path == "/results"
    rebuilt = to_profile(SPEC, parse_form(SPEC, QueryParams(location.query)))
    assert rebuilt == load_profile(path)  # every field, nothing dropped


def test_a_bad_profile_file_names_the_problem(client) -> None:
    r = client.post(
        "/profile/open",
        files={"profile_file": ("p.toml", b"step2ck = 999\n", "application/toml")},
    )
    assert r.status_code == 422
    assert "step2ck" in r.text and "<html" in r.text
    # Said once, on the form page next to the file field, without the field's name twice.
    assert r.text.count("from 1 to 300; got 999") == 1 and "profile_file:" not in r.text
    assert 'id="err-profile_file"' in r.text and 'id="go"' in r.text
    r = client.post(
        "/profile/open", files={"profile_file": ("p.toml", b"\xff\xfe", "application/toml")}
    )
    assert r.status_code == 422 and "not UTF-8" in r.text


def test_a_huge_file_is_refused_before_it_is_read(client) -> None:
    big = b"# padding\n" * 10_000
    r = client.post("/profile/open", files={"profile_file": ("p.toml", big, "application/toml")})
    assert r.status_code == 413
