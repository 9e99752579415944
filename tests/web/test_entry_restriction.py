"""A US entry restriction on the applicant's nationality is said, in the same words, with the
chance on every face: the results page, the plan's summary, `smartpick recommend` and a what-if
(review: Iran and Afghanistan showed a normal chance and list and never said it)."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from smartpick.cli import app
from smartpick.core.profile import load_profile
from smartpick.core.rules.policy import entry_condition
from smartpick.export.tables import list_xlsx
from smartpick.service.whatif import whatif

AVERAGE = Path(__file__).resolve().parents[2] / "examples" / "profiles" / "average-img.toml"
# average-img as bench/load.py sends it, a citizen of Iran (fully restricted: J-1 and H-1B)
IRAN = (
    "specialties=Internal+Medicine&visa=either&step1=pass&step2ck=238&step3=225"
    "&match_year=2027&graduation_year=2024&us_letters=2&us_letters_in_specialty=2"
    "&citizenship=IR"
)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _iran():
    return load_profile(AVERAGE).model_copy(update={"citizenship": "IR"})


def test_the_restriction_is_said_with_the_chance_on_every_face(client, catalog) -> None:
    words = entry_condition(_iran())
    assert words is not None
    assert "Iran" in words and "4 June 2025" in words and "Source: https://" in words
    assert "hold only if the restriction is lifted" in words and "0%" in words
    page = client.get("/results?" + IRAN)
    assert page.status_code == 200, page.text
    notice = re.search(r'id="entry-restriction".*?</div>', page.text, re.S)
    assert notice is not None and words in _text(notice.group(0))
    # before the chance itself
    assert page.text.index('id="entry-restriction"') < page.text.index('id="stat-pmatch"')
    plan = client.get("/api/plan?" + IRAN).json()["plan"]
    assert words in plan["summary"]
    assert any(f["id"] == "entry_restriction" for f in plan["red_flags"])
    api = client.get("/api/results?" + IRAN).json()["recommendation"]
    assert api["entry_condition"] == words


def test_the_cli_summary_and_a_whatif_say_it(catalog, tmp_path) -> None:
    words = entry_condition(_iran())
    assert words is not None
    iran = tmp_path / "iran.toml"
    iran.write_text('citizenship = "IR"\n' + AVERAGE.read_text(encoding="utf-8"), encoding="utf-8")
    out = CliRunner().invoke(app, ["recommend", "-p", str(iran), "--count", "20"])
    assert out.exit_code == 0, out.output
    chance = out.output.index("Your chance of matching with this list")
    assert out.output.index(words) == out.output.index("\n", chance) + 1  # the next line
    assert whatif(load_profile(AVERAGE), {"citizenship": "IR"}, catalog=catalog).price.note == words


def test_the_workbook_says_it_beside_the_chance(catalog) -> None:
    """The XLSX summary gives the restriction right after the chance it qualifies, and has no
    such row without one."""
    from smartpick.service.listing import export_document
    from smartpick.service.recommend import recommend

    def summary(profile) -> list[str]:
        doc = export_document(recommend(profile, count=20, catalog=catalog), catalog)
        book = openpyxl.load_workbook(io.BytesIO(list_xlsx(doc)))
        return [str(row[0]) for row in book["Summary"].iter_rows(values_only=True) if row[0]]

    labels = summary(_iran())
    at = labels.index("US entry restriction")
    assert labels[at - 1] == "Chance of matching, high (%)"
    assert "US entry restriction" not in summary(load_profile(AVERAGE))


def test_no_sentence_without_a_restriction_or_when_the_h1b_stays_open() -> None:
    base = load_profile(AVERAGE)
    assert entry_condition(base) is None
    assert entry_condition(base.model_copy(update={"visa": "none", "citizenship": "IR"})) is None
    # a partial restriction (J visas only) leaves an H-1B applicant's route open
    assert entry_condition(base.model_copy(update={"visa": "h1b", "citizenship": "CU"})) is None
    partial = entry_condition(base.model_copy(update={"visa": "either", "citizenship": "CU"}))
    assert partial is not None and "H-1B is not listed" in partial
    only_j1 = entry_condition(base.model_copy(update={"visa": "j1", "citizenship": "CU"}))
    assert only_j1 is not None and "0%" in only_j1
