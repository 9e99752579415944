"""A list that is priced, not shown (`whole_curve=False`, `recommend(curve=False)`): the chain
stops one stage past the list's limits and its stopping stage instead of running on to the
horizon. The list, its signals, fees, contributions, next step and stopping stage are those of the
whole curve, whose first stages the short curve is; the fast and the reference chains agree.

A count alone is passed at its own stage (no program may follow), so the chain runs one stage
further, to the list's next step, even when the stopping stage came before the count (the short
chain) or the count is past the horizon (the whole curve): `types.chain_end`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.types import DEFAULT_HORIZON, ListProblem, ListSolution
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, chosen_list, reference_problem, reference_profile

_TWO = ("Internal Medicine", "Family Medicine")
# a match worth $20,000: the stopping stage comes before a count of 100 for most profiles
_EARLY_STOP = 20_000.0
_LIMITS: dict[str, dict[str, Any]] = {
    "volume": {},
    "$1,200": {"budget_usd": 1200.0},
    "40": {"count": 40},
    "100": {"count": 100},
    "100 past the stop": {"count": 100, "match_value_usd": _EARLY_STOP},
    "$3,000 and 60": {"budget_usd": 3000.0, "count": 60},
    "IM+FM $900": {"budget_usd": 900.0, "specialties": _TWO},
    "IM+FM 80": {"count": 80, "match_value_usd": _EARLY_STOP, "specialties": _TWO},
}


def _whole_and_short(problem: ListProblem) -> tuple[ListSolution, ListSolution]:
    """(whole, short) solutions, checked: the same list, next step, stopping stage and binding,
    the short chain the whole one's first stages, at least to one stage past the chosen list and
    the stopping stage (exactly there when a single limit or none is given)."""
    whole = optimize_list(problem, intervals=False)
    short = optimize_list(dataclasses.replace(problem, whole_curve=False), intervals=False)
    assert (*chosen_list(short), short.stop_at) == (*chosen_list(whole), whole.stop_at)
    assert short.stages == whole.stages[: len(short.stages)]
    if whole.stop_at is None:  # every program was worth its fee: no stage could stop it early
        assert short.stages == whole.stages
        return whole, short
    # the curve's stage of the chosen list's size (the list may be another chain's, IM + FM)
    chosen = [s.applications for s in whole.stages].index(whole.stage.applications)
    last = max(chosen, whole.stop_at)
    if problem.budget_usd is None or problem.max_programs is None:
        assert len(short.stages) == min(last + 2, len(whole.stages))
    else:  # with both, the chain ends past both: the stage past the budget may be past the count
        assert len(short.stages) >= min(last + 2, len(whole.stages))
    return whole, short


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize("options", list(_LIMITS.values()), ids=list(_LIMITS))
def test_a_short_curve_keeps_the_list_and_its_next_step(
    name: str, options: dict[str, Any], catalog: Catalog
) -> None:
    problem = reference_problem(name, catalog, **options)
    whole, short = _whole_and_short(problem)
    if whole.stop_at is not None:
        assert len(short.stages) < len(whole.stages)
    lean_problem = dataclasses.replace(problem, whole_curve=False)
    reference = optimize_list(lean_problem, reference=True, intervals=False)
    assert [(s.selected, s.signals, s.fee_usd) for s in reference.stages] == [
        (s.selected, s.signals, s.fee_usd) for s in short.stages
    ]
    assert (reference.order, reference.signals, reference.stop_at, reference.binding) == (
        short.order,
        short.signals,
        short.stop_at,
        short.binding,
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(REFERENCE_NAMES),
    budget=st.none() | st.integers(0, 4000).map(float),
    count=st.none() | st.integers(0, 220),
    value=st.sampled_from([5_000.0, _EARLY_STOP, 66_691.0, 500_000.0]),
)
def test_any_limits_and_match_value_keep_the_list_and_its_next_step(
    name: str, budget: float | None, count: int | None, value: float, catalog: Catalog
) -> None:
    problem = dataclasses.replace(
        reference_problem(name, catalog),
        budget_usd=budget,
        max_programs=count,
        match_value_usd=value,
    )
    _whole_and_short(problem)


def test_a_count_after_the_stopping_stage_keeps_its_next_step(catalog: Catalog) -> None:
    """The colleague's case: US IMG in Family Medicine, 100 programs, the stop at 68: the short
    chain ended at the count's own stage and lost the next step (binding "candidates")."""
    problem = reference_problem("us-img-fm", catalog, count=100)
    whole, short = _whole_and_short(problem)
    assert whole.stop_at is not None and whole.stage.applications == 100
    assert whole.stages[whole.stop_at].applications < 100
    assert short.binding == "count" and short.next_stage is not None
    assert short.next_stage.applications == 101 and short.next_gain is not None


@pytest.mark.parametrize("count", [DEFAULT_HORIZON, DEFAULT_HORIZON + 50])
def test_a_count_past_the_horizon_keeps_its_next_step(count: int, catalog: Catalog) -> None:
    """The whole curve ended at the count's own stage when the count was past both the horizon
    and a quarter past the stopping stage: it runs one stage further, to the next step."""
    problem = reference_problem("us-img-fm", catalog, count=count)
    whole, _ = _whole_and_short(problem)
    assert whole.stop_at is not None and 1.25 * whole.stop_at < count
    assert whole.binding == "count" and whole.stage.applications == count
    assert whole.next_stage is not None and len(whole.stages) == count + 2


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize("options", list(_LIMITS.values()), ids=list(_LIMITS))
def test_recommend_without_the_whole_curve_differs_only_in_its_curve(
    name: str, options: dict[str, Any], catalog: Catalog
) -> None:
    profile = reference_profile(name)
    if "specialties" in options:
        options = dict(options)
        profile = profile.model_copy(update={"specialties": options.pop("specialties")})
    whole = recommend(profile, catalog=catalog, **options)
    short = recommend(profile, catalog=catalog, curve=False, **options)
    a, b = whole.to_dict(), short.to_dict()
    assert b["curve"] == a["curve"][: len(b["curve"])]  # shorter unless it ran out of programs
    assert {k: v for k, v in a.items() if k != "curve"} == {
        k: v for k, v in b.items() if k != "curve"
    }
    assert (short.p_match_draws == whole.p_match_draws).all()
