"""The web plan says what the results page says, shows what it refers to, and its links open a
profile a user could have entered (review of the plan's faces)."""

from __future__ import annotations

import re
import tomllib
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from markupsafe import escape

# The reference applicants' queries as bench/load.py sends them (reference_profiles.md).
PSYCH_IMG = (
    "specialties=Psychiatry&visa=j1&step1=pass&step2ck=241&match_year=2027"
    "&graduation_year=2023&usce-1-months=3&usce-1-kind=hands_on&usce-1-specialty=Psychiatry"
    "&us_letters=2&us_letters_in_specialty=2&posters=1&languages=Arabic"
)
STRONG_IMG = (
    "specialties=Internal+Medicine&specialties=Neurology&visa=h1b&step1=pass"
    "&step2ck=256&step3=240&match_year=2027&graduation_year=2026&usce-1-months=6"
    "&usce-1-kind=hands_on&usce-1-specialty=Internal+Medicine&us_letters=3"
    "&us_letters_in_specialty=3&publications=4&research_months=12"
    "&research_institution=a+state+university"
)
HX = {"HX-Request": "true"}


def _text(html: str) -> str:
    """A page's words, tags dropped and spaces joined."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _step(plan: dict, step_id: str) -> dict:
    return next(s for s in plan["plan"]["steps"] if s["id"] == step_id)


def test_the_usce_link_opens_a_profile_a_user_could_enter(client, guide_plan) -> None:
    """The USCE step's "See results with this step done" opened a page saying '"(what-if)"
    matched no program in the catalog', and its profile file held institution = "(what-if)".
    The added months now name no place, and the page shows the list the step priced."""
    usce = _step(guide_plan, "usce")
    link = urlsplit(usce["rerun_url"])
    params = dict(parse_qsl(link.query))
    assert params["usce-2-kind"] == "hands_on" and params["usce-2-months"] == "4"
    assert "usce-2-institution" not in params
    page = client.get("/results?" + link.query).text
    assert "what-if" not in page and "matched no program" not in page
    toml = client.get("/export/profile.toml?" + link.query).text
    assert "what-if" not in toml
    blocks = tomllib.loads(toml)["usce"]
    assert blocks[-1]["kind"] == "hands_on" and "institution" not in blocks[-1]
    totals = client.get("/api/results?" + link.query).json()["recommendation"]["totals"]
    changed = usce["price"]["changed"]
    assert totals["p_match"]["point"] == pytest.approx(changed["p_match"]["point"], abs=5e-5)
    assert totals["applications"] == changed["programs"]


def test_the_plan_shows_the_tie_programs_it_refers_to(client, guide_plan, guide_query) -> None:
    """ "a rotation at one of the 10 programs listed would also count as a tie there": the CLI and
    the PDF listed them, the web plan did not."""
    usce = _step(guide_plan, "usce")
    ties = usce["details"]["tie_programs"]
    assert any(f"one of the {len(ties)} programs listed" in a for a in usce["actions"])
    fragment = client.get("/results/plan?" + guide_query, headers=HX).text
    listed = fragment.split('aria-labelledby="ties-usce"', 1)[1].split("</ul>", 1)[0]
    assert 'id="ties-usce"' in fragment
    for tie in ties:
        assert str(escape(tie["name"])) in listed
        assert f'href="/programs/{tie["program_id"]}?' in listed


def test_the_match_rate_reads_as_on_the_results_page(client, guide_query) -> None:
    """Internal Medicine's 3392 of 6992 (48.51%): the plan read 48% (a stored 48.5 formatted
    again), the results page 49%."""
    results = _text(client.get("/results?" + guide_query).text)
    assert "Published match rate, non-US IMGs in Internal Medicine: 49%" in results
    plan = _text(client.get("/results/plan?" + guide_query, headers=HX).text)
    assert "non-US IMG match rate 49% (NRMP Charting Outcomes 2026)" in plan
    assert "match rate 48%" not in plan


def test_interview_offers_read_the_same_in_every_part_of_the_plan(client) -> None:
    """psych-img expects 7.25125 interview offers: the results page and the plan's summary read
    7.3, the step prices 7.2 (the JSON's 7.25 formatted again)."""
    results = client.get("/results?" + PSYCH_IMG).text
    big = re.search(
        r"Interview offers you can expect</span>\s*<span class=\"big\">([\d.]+)", results
    )
    assert big is not None and big.group(1) == "7.3"
    plan = _text(client.get("/results/plan?" + PSYCH_IMG, headers=HX).text)
    assert "about 7.3 interview offers" in plan
    before = re.findall(r"expected interview offers ([\d.]+) →", plan)
    assert before and set(before) == {"7.3"}


def test_a_gain_reads_the_same_in_the_summary_and_on_its_step(client) -> None:
    """strong-img's J-1 option adds 0.052539: "+5.3" in the summary, "+5.2" on the step."""
    plan = _text(client.get("/results/plan?" + STRONG_IMG, headers=HX).text)
    assert "also accepting a J-1 +5.3 percentage points" in plan.split("Where you stand", 1)[0]
    j1 = plan.split("Price also accepting a J-1", 1)[1]
    assert "(+5.3 percentage points" in j1.split("Include in my what-if", 1)[0]
    data = client.get("/api/plan?" + STRONG_IMG).json()
    assert _step(data, "j1_option")["price"]["shown"]["delta_p_match"] == "+5.3"


def test_a_red_flags_cut_reads_the_same_on_the_page_and_in_the_pdf(client) -> None:
    """low-score-late's graduation flag: the web plan shows the cut written from the exact value,
    as the PDF does (it formatted the JSON's rounded 0.505 as "50%" beside the PDF's "51%")."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from load import PROFILES

    query = PROFILES["low-score-late"]
    flags = client.get("/api/plan?" + query).json()["plan"]["red_flags"]
    cut = next(f for f in flags if f["median_interview_cut"])
    shown = cut["shown"]["median_interview_cut"]
    assert shown.endswith("%")
    page = _text(client.get("/results/plan?" + query, headers=HX).text)
    assert f"by about {shown} at a typical one" in page  # the PDF writes it with `percent` too


def test_the_plan_panels_counts_have_thousands_separators(client) -> None:
    """low-score-late applies to 1,509 programs (IM and FM): the panel said "these 1509 programs"
    and "of the 1509 programs"."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from load import PROFILES

    page = _text(client.get("/results/plan?" + PROFILES["low-score-late"], headers=HX).text)
    assert "these 1,509 programs" in page and "of the 1,509 programs" in page
    assert not re.search(r"(?<![\d,.$])\d{4,} programs", page)


def test_a_priced_sentence_ends_without_a_space_before_its_full_stop(client, guide_query) -> None:
    page = _text(client.get("/results/plan?" + guide_query, headers=HX).text)
    assert "Priced:" in page and not re.search(r"\$[\d,]+ \.", page)


def test_the_plan_panel_places_the_score_in_each_specialty(client) -> None:
    """strong-img applies to IM and Neurology: the panel's "Where you stand" places its Step 2 CK
    in IM and says Neurology's figures were not published (it said IM only)."""
    page = client.get("/results/plan?" + STRONG_IMG, headers=HX).text
    others = [_text(m) for m in re.findall(r'class="percentile-other">(.*?)</li>', page, re.S)]
    assert len(others) == 1 and "in Neurology" in others[0]
    assert page.index('id="percentile"') < page.index('class="percentile-other"')
