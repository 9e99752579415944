"""A list for a season already under way says so on the results page and in the CLI summary, in
the plan's words for an opened season; the fee note does not call that season's schedule
unpublished."""

from __future__ import annotations

import datetime as dt
import html
import re

from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.core.rules.season import Season
from smartpick.testing import EXAMPLES

from .test_group_words import _query

OPENED = "The ERAS season for the 2027 Match opened in June 2026 and is under way"


def test_the_under_way_note_follows_the_seasons_dates() -> None:
    season = Season(2027)
    assert season.under_way_note(dt.date(2026, 5, 31)) is None
    early = season.under_way_note(dt.date(2026, 7, 1)) or ""
    assert early.startswith(OPENED) and "start reviewing applications in late September" in early
    late = season.under_way_note(dt.date(2026, 12, 3)) or ""
    assert late.startswith(OPENED + ": programs began reviewing applications in late September")
    assert "The 2028 Match is the next season you can enter from its start." in late


def test_the_results_page_warns_of_a_season_under_way(client) -> None:
    page = " ".join(
        html.unescape(
            re.sub(
                r"<[^>]+>",
                " ",
                client.get("/results?" + _query("average-img", match_year=2027)).text,
            )
        ).split()
    )
    assert OPENED in page
    assert "the 2027 schedule is not out yet" not in page
    assert (
        "(the ERAS season for the 2027 Match opened in June 2026, but its schedule is not in "
        in page
    )


def test_the_cli_summary_warns_of_a_season_under_way(tmp_path) -> None:
    text = (EXAMPLES / "average-img.toml").read_text()
    path = tmp_path / "p.toml"
    path.write_text(text.replace("match_year = 2028", "match_year = 2027"))
    out = " ".join(CliRunner().invoke(app, ["recommend", "-p", str(path)]).output.split())
    assert OPENED in out and "not out yet" not in out
