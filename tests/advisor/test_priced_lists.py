"""Lists that are priced but never shown ask `recommend` for less (`pricing.LEAN_OPTIONS`).

A plan shows one list in full (the baseline, with its curve); every what-if list only gives its
P(match) per draw, fees and programs to a price. The lean options must reach the priced lists
and never the shown one.
"""

from __future__ import annotations

from typing import Any

from smartpick.testing import reference_profile
from tests.advisor.advisor_helpers import TODAY


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
