"""A missing Step 2 CK is one rule on every face: never a better chance than a low pass, and the
plan's baseline is the page's (the real catalog, model and optimizer)."""

from __future__ import annotations

import pytest

from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.certification import assumed_step2ck
from smartpick.service.advise import advise
from smartpick.service.recommend import recommend
from smartpick.testing import reference_profile
from tests.advisor.advisor_helpers import TODAY


def _with_step2ck(profile: ApplicantProfile, score: int | None) -> ApplicantProfile:
    return ApplicantProfile.model_validate(profile.model_dump() | {"step2ck": score})


@pytest.mark.parametrize("name", ["guide-sample", "average-img", "low-score-late"])
def test_leaving_step2ck_out_never_beats_a_low_passing_score(name: str, catalog) -> None:
    profile = reference_profile(name)
    low = assumed_step2ck(profile)  # the lowest passing score: a real, low, passing score
    missing = recommend(_with_step2ck(profile, None), catalog=catalog).p_match.point
    with_low = recommend(_with_step2ck(profile, low), catalog=catalog).p_match.point
    with_better = recommend(_with_step2ck(profile, low + 6), catalog=catalog).p_match.point
    assert missing <= with_low + 1e-9, (name, missing, with_low)
    assert missing < with_better, (name, missing, with_better)


def test_the_plans_step2ck_step_starts_from_the_pages_chance(catalog) -> None:
    profile = _with_step2ck(reference_profile("guide-sample"), None)
    page = recommend(profile, catalog=catalog).p_match.point
    plan = advise(profile, catalog=catalog, today=TODAY)
    assert plan.baseline.p_match.point == pytest.approx(page, abs=1e-9)
    step = next(s for s in plan.steps if s.id == "step2ck")
    assert step.price is not None, step.price_error
    assert step.price.baseline.p_match.point == pytest.approx(page, abs=1e-9)
    assert step.price.delta_p_match.point > 0  # scoring above the pass mark helps
    assert plan.whole_plan is not None
    assert plan.whole_plan.baseline.p_match.point == pytest.approx(page, abs=1e-9)
