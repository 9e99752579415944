"""The profile file keeps the page's list options: `/export/profile.toml` writes the number of
applications, the value of a match, pins and exclusions in a `[list]` table that
`smartpick recommend` and the web page's "open a profile" read back (the file used to drop them:
guide-sample at a $200,000 match value gave 428 programs on the page and 170 from the file)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.core.profile import read_profile_file
from smartpick.errors import InvalidInput

from .test_group_words import _query

runner = CliRunner()


def _page_count(client, query: str) -> int:
    doc = client.get(f"/api/results?{query}").json()
    return int(doc["recommendation"]["totals"]["applications"])


def _cli_count(*args: str) -> int:
    out = runner.invoke(app, ["recommend", *args, "-f", "json"])
    assert out.exit_code == 0, out.output
    return int(json.loads(out.output)["totals"]["applications"])


def test_the_exported_file_gives_the_pages_list_on_the_cli(client, tmp_path) -> None:
    query = _query("guide-sample", match_value_usd=200000)
    text = client.get(f"/export/profile.toml?{query}").text
    assert "[list]" in text and "match_value_usd = 200000" in text
    path = tmp_path / "profile.toml"
    path.write_text(text)
    bare = tmp_path / "bare.toml"
    bare.write_text(text.split("\n[list]\n")[0])
    # the file's table acts as the page's option would, and as the command's own option does
    # (compared within the CLI: other tests may have changed the session's catalog)
    from_file = _cli_count("-p", str(path))
    assert from_file == _cli_count("-p", str(bare), "--match-value", "200000")
    assert from_file != _cli_count("-p", str(bare))
    assert abs(from_file - _page_count(client, query)) <= 1
    # the command's own option overrides the file's
    assert _cli_count("-p", str(path), "--count", "20") == 20


def test_count_pins_and_exclusions_round_trip_through_the_web(client) -> None:
    base = _query("strong-img")
    ids = [p["program_id"] for p in client.get(f"/api/results?{base}").json()["list"][:3]]
    query = _query("strong-img", count=40, pin=ids[0], exclude=ids[1:3])
    text = client.get(f"/export/profile.toml?{query}").text
    _, options = read_profile_file(text.encode(), "profile.toml")
    assert options == {"count": 40, "pin": [ids[0]], "exclude": ids[1:3]}
    r = client.post(
        "/profile/open",
        files={"profile_file": ("profile.toml", text.encode(), "application/toml")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    again = parse_qsl(urlsplit(r.headers["location"]).query)
    assert ("count", "40") in again and ("pin", ids[0]) in again
    assert {v for k, v in again if k == "exclude"} == set(ids[1:3])
    as_json = client.get(f"/export/profile.json?{query}").json()
    assert as_json["list"] == options


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ("[list]\nbudget = 3\n", "unknown list option 'budget'"),
        ('[list]\ncount = "ten"\n', "'count' that is not a number"),
        ('[list]\npin = "x"\n', "'pin' that is not a list of program ids"),
        ("list = 3\n", "not a table of list options"),
    ],
)
def test_a_bad_list_table_names_the_problem(table: str, said: str) -> None:
    text = 'specialties = ["Internal Medicine"]\nmatch_year = 2028\ngraduation_year = 2025\n'
    with pytest.raises(InvalidInput, match=said):
        read_profile_file((text + table).encode(), "p.toml")
