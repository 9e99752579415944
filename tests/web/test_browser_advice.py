"""Browser tests of what the user reads (issue 12): Debian's Chromium against a real server.

The guide sample's default list and why it is that long, one "your chance" number with the
others labelled, tier definitions, a failing or mistyped Step 2 CK, red flags that say what is
unknown, the H-1B payment and the J-1 what-if, a US IMG not compared with non-US IMGs, a 2028
graduate, and a USCE institution matched by name and place. (Screenshots of the six reference
profiles' results and plan at desktop and phone width: tests/web/test_browser_faces.py.)
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from smartpick.core.lists.tiers import TIERS
from smartpick.core.specialties import SPECIALTIES
from smartpick.testing import REFERENCE_NAMES, reference_profile
from smartpick.web.form_values import profile_query
from smartpick.web.profile_form import build_form_spec

from .conftest import ARTIFACTS, open_plan

pytestmark = pytest.mark.browser

SPEC = build_form_spec([s.name for s in SPECIALTIES])
PLAN_TIMEOUT_MS = 120_000  # the plan re-runs the model and the list for every priced step


def _query(profile) -> str:
    return urlencode(profile_query(profile, SPEC))


def _with(name: str, **changes) -> str:
    base = reference_profile(name)
    return _query(type(base).model_validate({**base.model_dump(), **changes}))


def _results_and_plan(page, server, query: str):
    page.goto(f"{server}/results?{query}")
    open_plan(page, PLAN_TIMEOUT_MS)
    return page.inner_text("#summary"), page.inner_text("#plan-body")


def test_guide_sample_default_list_follows_the_value_rule(page, server) -> None:
    page.goto(f"{server}/results?{_query(reference_profile('guide-sample'))}")
    applications = int(page.inner_text("#stat-applications .big"))
    how = page.inner_text("#how-many")
    assert applications >= 60, how
    assert f"That gives {applications} programs" in how
    assert "60-120" in how and "percentage point" in how and "$66,691" in how
    summary = page.inner_text("#summary")
    assert "Your chance of matching with this list" in summary
    assert "A typical non-US IMG with Step 2 CK 224" in summary
    assert "Published match rate, non-US IMGs in Internal Medicine" in summary
    tiers = page.inner_text("#tier-defs")
    for word in ("reach", "target", "likely", "2.9%"):
        assert word in tiers
    counts = page.inner_text("#stat-applications .range")
    nonzero = [int(n) for n in re.findall(r"(\d+) (?:reach|target|likely)", counts) if int(n)]
    assert len(nonzero) > 1, counts  # a low-score list shows a mix


def test_a_mistyped_step2ck_is_refused_with_its_range(page, server) -> None:
    page.goto(f"{server}/?{_query(reference_profile('guide-sample'))}")
    page.fill("#step2ck", "2a4b")
    page.click("#go")
    page.wait_for_selector("#error-summary")
    assert "Step 2 CK score" in page.inner_text("#error-summary")
    assert page.get_attribute("#step2ck", "aria-invalid") == "true"
    assert page.input_value("#step2ck") == "2a4b"  # kept as typed, never read as 24


def test_a_failing_step2ck_says_ecfmg_needs_a_pass_and_plans_the_retake(
    page,
    server,
) -> None:
    summary, plan = _results_and_plan(page, server, _with("guide-sample", step2ck=200))
    notice = page.inner_text("#empty-list")
    assert "Pass Step 2 CK first" in notice and "ECFMG certification" in notice
    assert "218" in notice
    assert "Retake and pass Step 2 CK" in plan
    page.screenshot(path=str(ARTIFACTS / "advice-step2ck-200-desktop.png"), full_page=True)


def test_red_flags_say_what_is_unknown(page, server) -> None:
    _, plan = _results_and_plan(page, server, _query(reference_profile("low-score-late")))
    flag = page.inner_text("#flag-long_since_graduation")
    assert "No source states a graduation-year limit" in flag and "3-5 years" in flag
    assert "Shuts 0" not in plan and "shuts 0" not in plan
    assert "under 2% of the applicants who had ever failed Step 1" in plan


def test_h1b_applicant_sees_the_payment_and_the_j1_whatif(page, server) -> None:
    _, plan = _results_and_plan(page, server, _query(reference_profile("strong-img")))
    assert "$100,000" in plan and "21 September 2025" in plan
    step = page.inner_text("#step-j1_option")
    assert "also accepting a J-1" in step and "percentage points" in step


def test_a_us_img_sees_no_non_us_img_percentile(page, server) -> None:
    summary, plan = _results_and_plan(page, server, _query(reference_profile("us-img-fm")))
    # The only mentions: figures said to be for non-US IMGs only, and the model's method note
    # (where a program publishes no US IMG rate, its non-US IMG rate is moved by a measured gap).
    said = summary.replace("its 2026 report on non-US IMGs", "").replace(
        "the non-US IMG rate moved by", ""
    )
    assert "non-US IMG" not in said
    assert page.locator("svg.standing").count() == 0
    assert page.locator("#percentile").count() == 0
    assert "US-citizen IMG" in page.inner_text("#percentile-note")


def test_a_2028_graduate_can_plan(page, server) -> None:
    summary, plan = _results_and_plan(
        page, server, _with("guide-sample", match_year=2028, graduation_year=2028)
    )
    assert "2028 Match season" in summary
    assert "2028 Match" in plan


def test_a_usce_institution_is_matched_by_name_and_place(page, server) -> None:
    query = _with(
        "guide-sample",
        usce=[
            {"months": 2, "kind": "hands_on", "institution": "Saint Vincent Hospital, Worcester"}
        ],
    )
    page.goto(f"{server}/results?{query}")
    text = page.inner_text("#institutions")
    assert "St Vincent Hospital Program" in text and "Worcester, MA" in text


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_each_reference_list_shows_a_tier_mix_and_says_what_tiers_mean(
    page, server, name: str
) -> None:
    # The list only: the plan panel gets an empty answer instead of a plan run.
    page.route("**/results/plan?*", lambda route: route.fulfill(body="", content_type="text/html"))
    page.goto(f"{server}/results?{_query(reference_profile(name))}")
    counts = page.inner_text("#stat-applications .range")
    said = {tier: int(n) for n, tier in re.findall(r"(\d+) (reach|target|likely)", counts)}
    assert sum(1 for n in said.values() if n) > 1, (name, counts)
    rows = {t: page.locator(f"#list tbody tr[data-tier={t}]").count() for t in TIERS}
    assert rows == said  # the counts are the rows' own tiers
    assert page.is_visible("#tier-defs")
    definitions = page.inner_text("#tier-defs")
    assert all(t in definitions for t in TIERS) and "2026" in definitions


def test_a_citizen_of_a_restricted_country_sees_the_entry_restriction(page, server) -> None:
    page.goto(f"{server}/?{_query(reference_profile('psych-img'))}")
    page.fill("#citizenship", "Iran")
    page.click("#go")
    open_plan(page, PLAN_TIMEOUT_MS)
    assert "citizenship=IR" in page.input_value("#share")  # kept as its code in the link
    flag = page.inner_text("#flag-entry_restriction")
    assert "Iran" in flag and "Proclamation of 4 June 2025" in flag
    assert "effective 9 June 2025" in flag and "check the current rule" in flag
