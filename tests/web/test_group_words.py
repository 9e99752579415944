"""Words fitted to the applicant's group and list: a US MD, DO or US-citizen IMG is not told
what the guide says to non-US IMGs; a budget that takes the list past the value rule says so;
several specialties each get their comparison figures."""

from __future__ import annotations

import html
import io
import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import PLAN_PATH, PROFILES  # noqa: E402  (a script beside the package, not in it)

SIX = [
    "Internal Medicine",
    "Family Medicine",
    "Pediatrics",
    "Psychiatry",
    "Neurology",
    "Pathology",
]


def _text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _query(name: str, **changes: object) -> str:
    """A reference profile's query with some fields replaced (a list value: the field repeated)."""
    pairs = [(k, v) for k, v in parse_qsl(PROFILES[name]) if k not in changes]
    for k, v in changes.items():
        pairs += [(k, str(x)) for x in (v if isinstance(v, list) else [v])]
    return urlencode(pairs)


def _plan(client, query: str) -> str:
    r = client.get(f"{PLAN_PATH}?{query}", headers={"HX-Request": "true"})
    assert r.status_code == 200
    return _text(r.text)


@pytest.mark.parametrize(
    ("name", "group", "letters"),
    [
        ("psych-img", "us_md", "Explain politely that strong detailed letters are crucial."),
        ("guide-sample", "us_do", "Explain politely that strong detailed letters are crucial."),
        (
            "low-score-late",
            "us_img",
            "Explain politely that as an IMG, strong detailed letters are crucial.",
        ),
    ],
)
def test_us_applicants_get_their_own_groups_words(client, name, group, letters) -> None:
    plan = _plan(client, _query(name, applicant_type=group, visa="none"))
    assert letters in plan
    assert "non-US citizen IMG, strong" not in plan
    # a figure about non-US IMGs says whose it is; IMGs' application counts are not a US MD's
    assert "matched and unmatched non-US IMGs report" not in plan
    if "percentage points: matched and unmatched" in plan:
        assert "(the only group whose research figures are in SmartPick's data)" in plan
    if group in ("us_md", "us_do"):
        assert "IMGs sent about" not in plan
        assert "SmartPick's data have no count of the applications US" in plan


def test_a_budget_past_the_value_rule_says_what_the_extra_programs_buy(client) -> None:
    query = _query("average-img", budget_usd=10000)
    page = _text(client.get(f"/results?{query}").text)
    said = (
        "Your budget lets the list go past where one more program is worth its fee: programs "
        "228-349 add 4.0 percentage points for $3,660 ($904 a point). Set a lower budget, or "
        "leave it blank to stop at 227."
    )
    assert said in page and "hard limit" not in page
    assert said in _plan(client, query)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/export/list.xlsx?{query}").content))
    cells = " ".join(
        str(v) for row in book["Summary"].iter_rows(values_only=True) for v in row if v
    )
    assert said in " ".join(cells.split())


def test_each_specialty_gets_its_comparison_figures(client) -> None:
    page = _text(client.get("/results?" + _query("average-img", specialties=SIX)).text)
    for specialty in SIX:
        assert f"A typical non-US IMG with Step 2 CK 238 in {specialty}:" in page
        assert f"Published match rate, non-US IMGs in {specialty}:" in page
    assert "in 2026 IMGs sent about 94 Internal Medicine applications each and 46 Family " in page
    assert (
        "SmartPick's data have no such count for Pediatrics, Psychiatry, Neurology or Pathology"
        in page
    )


def test_the_plan_names_the_list_its_chance_is_about(client) -> None:
    """strong-img with 40 applications: the page's list has 40 programs, the plan prices the
    list SmartPick chooses by itself (122); the plan's labelled chance says which it is."""
    query = _query("strong-img", count=40)
    page = _text(client.get(f"/results?{query}").text)
    assert "Your chance of matching with this list" in page
    plan = _plan(client, query)
    assert "Your chance of matching with this list" not in plan
    said = re.search(
        r"Your chance of matching with the list SmartPick chooses by itself: .*? with "
        r"(\d+) programs",
        plan,
    )
    assert said is not None and said.group(1) != "40"
