"""Hostile input never gives a server error, and every rejection names the field it is about.

Hypothesis throws non-finite and enormous numbers, odd Unicode digits, control characters and long
text at every query parameter of the profile form and every what-if key (web and core), and odd or
deep profile files at the web upload and the CLI. Schemathesis runs the what-if API with such
values in `set=`. The counts are printed at the end of the run (tests/fuzz/conftest.py).
"""

from __future__ import annotations

import atexit
import itertools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from typer.testing import CliRunner

from smartpick.cli import app as cli
from smartpick.core.profile.whatif import WHATIF_KEYS, apply_changes, parse_value
from smartpick.core.specialties import SPECIALTIES
from smartpick.errors import SmartPickError
from smartpick.testing import reference_profile
from smartpick.web import WebSettings, create_app
from smartpick.web.form_fields import all_fields
from smartpick.web.profile_form import build_form_spec
from smartpick.web.security import LOOPBACK_HOSTS
from tests.fuzz.conftest import record

SPEC = build_form_spec([s.name for s in SPECIALTIES])
FIELDS = sorted(all_fields(SPEC))
GUIDE = {
    "specialties": "Internal Medicine",
    "visa": "j1",
    "step1": "score",
    "step1_score": "209",
    "step2ck": "224",
    "match_year": "2028",
    "graduation_year": "2026",
    "usce-1-months": "1",
    "usce-1-kind": "observership",
    "us_letters": "1",
    "us_letters_in_specialty": "1",
}
HOSTILE = [
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    "1e309",
    "-1",
    "1e3",
    "0x10",
    "2_50",
    "+250",
    " 250 ",
    "²",
    "①",
    "٢٥٠",
    "２５０",
    "2a4b",
    "9" * 30,
    "9" * 4301,
    "\x00",
    "\u200b",
    "a\nb",
    "<script>alert(1)</script>",
    "x" * 5000,
    "",
    "Internal Medicine",
    "hands_on",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers(-(10**40), 10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
FAST = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    store = tmp_path_factory.mktemp("fuzz") / "user.sqlite"
    return TestClient(create_app(WebSettings(user_store=store)), base_url="http://127.0.0.1")


# pydantic's own words: an error message says what is allowed in plain words instead.
RAW_LIBRARY_TEXT = (
    "Input should",
    "should have at",
    "Value error",
    "Field required",
    "should match",
)


def _names_the_field(response: Any, *names: str) -> bool:
    text = response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        error = response.json()["error"]
        fields = [p.get("field") or "" for p in error["problems"]]
        text = error["message"] + " " + " ".join(fields)
    labels = [all_fields(SPEC)[n].label for n in names if n in all_fields(SPEC)]
    return any(n in text for n in (*names, *labels))


@FAST
@given(name=st.sampled_from(FIELDS), value=hostile)
def test_every_form_parameter_on_the_cheap_pages(client: TestClient, name: str, value: str) -> None:
    query = urlencode({**GUIDE, name: value})
    for path in ("/?", f"/form/check/{name}?"):
        response = client.get(path + query)
        record("form pages", response.status_code)
        assert response.status_code < 500, (path, name, value[:40], response.text[:300])


@settings(max_examples=120, deadline=None, suppress_health_check=FAST.suppress_health_check)
@given(name=st.sampled_from(FIELDS), value=st.sampled_from(HOSTILE[:24]))
def test_every_form_parameter_on_the_results_api(client: TestClient, name: str, value: str) -> None:
    response = client.get("/api/results?" + urlencode({**GUIDE, name: value}))
    record("/api/results", response.status_code)
    assert response.status_code < 500, (name, value[:40], response.text[:300])
    if response.status_code == 422:
        assert _names_the_field(response, name), (name, value[:40], response.text[:300])
        assert not any(raw in response.text for raw in RAW_LIBRARY_TEXT), response.text[:300]


@FAST
@given(key=st.sampled_from(sorted(WHATIF_KEYS)), value=hostile)
def test_every_whatif_key_in_the_core(key: str, value: str) -> None:
    """CLI and web read `key=value` with the same functions: errors name the key."""
    profile = reference_profile("guide-sample")
    try:
        apply_changes(profile, {key: parse_value(key, value)})
        record("what-if (core)", 200)
    except SmartPickError as err:
        record("what-if (core)", err.status)
        assert err.status < 500
        assert key in err.message or (err.field or "") in (key, "set") or err.field, err.message


@settings(max_examples=60, deadline=None, suppress_health_check=FAST.suppress_health_check)
@given(key=st.sampled_from(sorted(WHATIF_KEYS)), value=st.sampled_from(HOSTILE[:20]))
def test_every_whatif_key_on_the_api(client: TestClient, key: str, value: str) -> None:
    params = [*GUIDE.items(), ("set", f"{key}={value}")]
    response = client.get("/api/whatif?" + urlencode(params))
    record("/api/whatif", response.status_code)
    assert response.status_code < 500, (key, value[:40], response.text[:300])
    if response.status_code == 422:
        assert _names_the_field(response, key, "set"), (key, value[:40], response.text[:300])


ODD_FILES: list[tuple[str, bytes]] = [
    ("deep.json", b"[" * 20_000 + b"]" * 20_000),
    ("deep.toml", b"a = " + b"[" * 20_000 + b"]" * 20_000),
    ("deep_tables.toml", b"a = " + b"{b = " * 5_000 + b"1" + b"}" * 5_000),
    (
        "bigint.toml",
        b"graduation_year = 2024\nspecialties = ['Internal Medicine']\nstep2ck = " + b"9" * 5000,
    ),
    ("bigint.json", b'{"graduation_year": 2024, "step2ck": ' + b"9" * 5000 + b"}"),
    ("spec_int.json", b'{"graduation_year": 2024, "specialties": 5}'),
    (
        "lang_null.json",
        b'{"graduation_year": 2024, "specialties": ["Internal Medicine"], "languages": null}',
    ),
    (
        "states_null.json",
        b'{"graduation_year": 2024, "specialties": ["Internal Medicine"], "preferred_states": null, "ties_states": 5, "preferred_regions": 5}',
    ),
    ("latin1.toml", "name = 'Jos\u00e9'\n".encode("latin-1")),
    ("utf16.json", '{"graduation_year": 2024}'.encode("utf-16")),
    ("bom.json", b'\xef\xbb\xbf{"graduation_year": 2024, "specialties": ["Internal Medicine"]}'),
    ("list.json", b"[1, 2, 3]"),
    ("string.json", b'"hello"'),
    ("empty.toml", b""),
    (
        "nan.json",
        b'{"graduation_year": 2024, "specialties": ["Internal Medicine"], "budget_usd": NaN}',
    ),
    (
        "inf.toml",
        b"graduation_year = 2024\nspecialties = ['Internal Medicine']\nbudget_usd = inf\n",
    ),
    (
        "datetime.toml",
        b"graduation_year = 1979-05-27T07:32:00Z\nspecialties = ['Internal Medicine']\n",
    ),
    (
        "dup.json",
        b'{"graduation_year": 2024, "graduation_year": 2025, "specialties": ["Internal Medicine"]}',
    ),
    (
        "usce_str.json",
        b'{"graduation_year": 2024, "specialties": ["Internal Medicine"], "usce": "many"}',
    ),
    (
        "usce_many.json",
        json.dumps(
            {
                "graduation_year": 2024,
                "specialties": ["Internal Medicine"],
                "usce": [{"months": 1, "kind": "hands_on"}] * 300,
            }
        ).encode(),
    ),
    (
        "letters.json",
        b'{"graduation_year": 2024, "specialties": ["Internal Medicine"], "us_letters_by_specialty": {"Nope": 1}}',
    ),
    (
        "control.json",
        b'{"graduation_year": 2024, "specialties": ["Internal Medicine"], "name": "a\\u0000b"}',
    ),
]


@pytest.mark.parametrize(("name", "content"), ODD_FILES, ids=[n for n, _ in ODD_FILES])
def test_odd_profile_files_are_refused_by_web_and_cli(
    client: TestClient, tmp_path: Path, name: str, content: bytes
) -> None:
    response = client.post(
        "/profile/open",
        files={"profile_file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )
    record("profile upload", response.status_code)
    assert response.status_code < 500, (name, response.text[:300])
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["profile", "check", str(path)])
    record(
        "profile check (CLI)", 500 if result.exception and result.exit_code not in (0, 2) else 200
    )
    assert result.exit_code in (0, 2), (name, result.output[-300:], result.exception)
    if result.exit_code == 2:
        assert result.output.startswith("error: ") and "Traceback" not in result.output
    if response.status_code == 303:
        assert result.exit_code == 0  # the web and the CLI read a file the same way


@settings(max_examples=200, deadline=None, suppress_health_check=FAST.suppress_health_check)
@given(
    data=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=30,
    ),
    base=st.booleans(),
)
def test_random_json_profiles_never_crash(client: TestClient, data: Any, base: bool) -> None:
    if base and isinstance(data, dict):
        data = {"graduation_year": 2024, "specialties": ["Internal Medicine"], **data}
    content = json.dumps(data).encode()
    response = client.post(
        "/profile/open",
        files={"profile_file": ("p.json", content, "application/json")},
        follow_redirects=False,
    )
    record("profile upload", response.status_code)
    assert response.status_code < 500, (content[:200], response.text[:300])
    assert not any(raw in response.text for raw in RAW_LIBRARY_TEXT), response.text[:300]


_store = Path(__file__).parent  # never written: schemathesis' app reads the bundled catalog only
_fuzz_only = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
)
_NON_FINITE = itertools.cycle(
    itertools.product(
        ("add_posters", "usce_months", "budget_usd", "count", "step3", "research_months"),
        ("inf", "nan", "-inf", "1e309", "9" * 4301, "²", "٢"),
    )
)


def _schema() -> Any:
    folder = Path(tempfile.mkdtemp(prefix="smartpick-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    # schemathesis's in-process client sends `Host: testserver`; the app answers to listed hosts.
    hosts = (*LOOPBACK_HOSTS, "testserver")
    app = create_app(WebSettings(user_store=folder / "user.sqlite", allowed_hosts=hosts))
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=_fuzz_only).include(
        path_regex="^/api/whatif$"
    )


@_schema().parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_whatif_with_non_finite_values_in_set(case: Any) -> None:
    key, value = next(_NON_FINITE)
    case.query = {**(case.query or {}), "set": [f"{key}={value}"]}
    response = case.call()
    record("schemathesis /api/whatif", response.status_code)
    assert response.status_code < 500, (case.query, response.text[:300])
