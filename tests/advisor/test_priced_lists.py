"""Lists that are priced but never shown are run for less.

A plan shows one list in full (the baseline, with its curve); every what-if list only gives its
P(match) per draw, fees and programs to a price. By default such a list is a
`recommend.price_list` (no rows, curve or notes), which must give the numbers of the full
`Recommendation` of the same list, bit for bit; a given recommender (a spy) is asked for it with
`pricing.LEAN_OPTIONS`, which must reach the priced lists and never the shown one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from smartpick.testing import reference_profile
from tests.advisor.advisor_helpers import TODAY, RecordingRecommender


def _lean_spy(monkeypatch: Any) -> tuple[list[bool], Any]:
    """A recommender recording, per call, whether it was asked for a lean list."""
    from smartpick.service import pricing
    from smartpick.service.recommend import recommend

    monkeypatch.setattr(pricing, "LEAN_OPTIONS", {"lean_marker": True})
    lean: list[bool] = []

    def spy(profile: Any, **options: Any) -> Any:
        lean.append(options.pop("lean_marker", False))
        return recommend(profile, **options)

    return lean, spy


def test_the_plan_asks_for_its_shown_list_in_full_and_every_priced_one_lean(
    catalog, monkeypatch
) -> None:
    from smartpick.service.advise import advise

    lean, spy = _lean_spy(monkeypatch)
    plan = advise(reference_profile("guide-sample"), catalog=catalog, today=TODAY, recommender=spy)
    assert lean[0] is False  # the baseline: the plan shows it with its curve
    assert len(lean) >= 10 and all(lean[1:]), lean
    assert plan.curve and all(point.p_match.low <= point.p_match.high for point in plan.curve)


def test_a_whatif_shows_no_list_so_both_of_its_lists_are_lean(catalog, monkeypatch) -> None:
    from smartpick.service.whatif import whatif

    lean, spy = _lean_spy(monkeypatch)
    result = whatif(
        reference_profile("guide-sample"), {"step3": 234}, catalog=catalog, recommender=spy
    )
    assert lean == [True, True] and result.runs == 2


_TWO = ("Internal Medicine", "Family Medicine")


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("guide-sample", {}),
        ("guide-sample", {"budget_usd": 1200}),
        ("guide-sample", {"count": 40, "budget_usd": None}),
        ("low-score-late", {"match_value_usd": 20000}),
        ("strong-img", {"must_include": ("0107-IM-C",), "exclude": ()}),
        ("us-img-fm", {"budget_usd": 800}),
        ("average-img", {}),
        ("psych-img", {"budget_usd": 2000}),
        # limits with other chains (two fee groups), a tight budget, pinned programs and a count
        ("guide-sample", {"budget_usd": 900, "specialties": _TWO}),
        ("average-img", {"budget_usd": 500}),
        ("strong-img", {"must_include": ("0107-IM-C",), "count": 30, "budget_usd": None}),
        ("low-score-late", {"count": 140, "budget_usd": 3000, "match_value_usd": 20000}),
    ],
)
def test_a_priced_list_has_the_numbers_of_the_full_list(
    catalog, name: str, options: dict[str, Any]
) -> None:
    from smartpick.service.recommend import price_list, recommend

    profile, options = reference_profile(name), dict(options)
    if "specialties" in options:  # `price_list` reads the specialties from the profile
        profile = profile.model_copy(update={"specialties": tuple(options.pop("specialties"))})
    if "must_include" in options:  # a listed program of the applicant's first specialty
        first = recommend(profile, catalog=catalog).programs[-1].program.id
        options = {**options, "must_include": (first,)}
    full = recommend(profile, catalog=catalog, **options)
    priced = price_list(profile, catalog=catalog, **options)
    assert priced.programs == tuple(row.program for row in full.programs)
    assert np.array_equal(priced.p_match_draws, full.p_match_draws)
    assert np.array_equal(priced.expected_interviews_draws, full.expected_interviews_draws)
    assert priced.total_fees_usd == full.total_fees_usd
    assert priced.assessment.chances is not None
    assert priced.assessment.interview_points(profile.specialties[0]) == (
        full.assessment.interview_points(profile.specialties[0])
    )


def test_a_priced_list_within_limits_stops_its_chain_past_them(catalog: Any) -> None:
    """Its stopping stage unread, a priced list with a budget is posed so that its chain ends
    just past the budget (the shown list runs on to the stopping stage), to the same list."""
    from smartpick.core.lists.optimizer import optimize_list
    from smartpick.service.recommend import _pose

    profile = reference_profile("guide-sample")
    shown = _pose(profile, catalog=catalog, budget_usd=1200, curve=False).problem
    priced = _pose(profile, catalog=catalog, budget_usd=1200, curve=False, stopping_stage=False)
    full, short = (optimize_list(p, intervals=False) for p in (shown, priced.problem))
    assert short.order == full.order
    assert len(short.order) + 2 == len(short.stages)  # the empty list, the list, the next step
    assert len(full.stages) > 2 * len(short.stages)


def test_a_priced_list_measures_no_stage_of_its_chain(catalog: Any, monkeypatch: Any) -> None:
    """Nobody reads a priced list's curve: `price_list` computes no P(match) of its stages."""
    from smartpick.core.lists import optimizer
    from smartpick.service.recommend import price_list, recommend

    profile = reference_profile("guide-sample")
    full = recommend(profile, catalog=catalog, budget_usd=1200)

    def unread(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a priced list measured its stages")

    monkeypatch.setattr(optimizer, "curve_stages", unread)
    priced = price_list(profile, catalog=catalog, budget_usd=1200)
    assert priced.programs == tuple(row.program for row in full.programs)
    assert np.array_equal(priced.p_match_draws, full.p_match_draws)


@pytest.mark.parametrize("name", ["guide-sample", "low-score-late"])
def test_a_plan_priced_on_lean_lists_is_the_plan_priced_on_full_ones(catalog, name) -> None:
    """Every step, flag and price of the default plan (priced lists run as `price_list`) equals
    the plan whose lists are all whole `Recommendation`s (a spy's)."""
    from smartpick.service.advise import advise

    profile = reference_profile(name)
    lean = advise(profile, catalog=catalog, today=TODAY)
    spy = RecordingRecommender()
    full = advise(profile, catalog=catalog, today=TODAY, recommender=spy)
    assert len(spy.calls) >= 8
    assert lean.to_dict() == full.to_dict()
    assert lean == full


def test_a_whatif_on_lean_lists_is_the_whatif_on_full_ones(catalog) -> None:
    from smartpick.service.whatif import whatif

    profile = reference_profile("guide-sample")
    changes = {"step3": 240, "usce_months": 4}
    lean = whatif(profile, changes, catalog=catalog)
    full = whatif(profile, changes, catalog=catalog, recommender=RecordingRecommender())
    assert lean.to_dict() == full.to_dict()
    assert lean.added or lean.removed  # the lists differ, so the comparison reads the programs


@pytest.mark.parametrize("name", ["guide-sample", "us-img-fm"])
def test_a_plan_without_its_list_is_the_plan_with_it_less_the_list(
    catalog, monkeypatch, name: str
) -> None:
    """The plan panel shows no list: `advise(with_list=False)` asks for the baseline list without
    its curve's intervals and returns every step, price, flag and word of the whole plan, with
    the list and its curve left out."""
    from smartpick.service.advise import advise
    from smartpick.service.recommend import recommend

    asked: list[dict[str, Any]] = []

    def spy(profile: Any, **options: Any) -> Any:
        asked.append(options)
        return recommend(profile, **options)

    profile = reference_profile(name)
    whole = advise(profile, catalog=catalog, today=TODAY)
    alone = advise(profile, catalog=catalog, today=TODAY, recommender=spy, with_list=False)
    assert asked[0].get("intervals") is False
    assert whole.recommended and whole.curve
    assert alone.recommended == () and alone.curve == ()
    expected = whole.to_dict() | {"recommended": [], "curve": []}
    assert alone.to_dict() == expected
