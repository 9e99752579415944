"""A list that is priced, not shown (`whole_curve=False`, `recommend(curve=False)`): the chain
stops one stage past the list's limits and its stopping stage instead of running on to the
horizon. The list, its signals, fees, contributions, next step and stopping stage are those of the
whole curve, whose first stages the short curve is; the fast and the reference chains agree.
"""

from __future__ import annotations

import dataclasses

import pytest

from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.types import ListProblem, ListSolution
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, optimizer_calls, reference_profile


def _problem(name: str, catalog: Catalog, options: dict[str, float]) -> ListProblem:
    count = options.get("count")
    with optimizer_calls() as calls:
        recommend(
            reference_profile(name),
            catalog=catalog,
            budget_usd=options.get("budget_usd"),
            count=None if count is None else int(count),
        )
    return calls[0][0]


def _chosen(solution: ListSolution) -> tuple[object, ...]:
    return (
        solution.stage,
        solution.next_stage,
        solution.stop_at,
        solution.order,
        solution.signals,
        solution.fees_usd,
        solution.contributions,
        solution.binding,
    )


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize(
    "options", [{}, {"budget_usd": 1200.0}, {"count": 40}], ids=["volume", "$1,200", "40"]
)
def test_a_short_curve_keeps_the_list_and_its_next_step(
    name: str, options: dict[str, float], catalog: Catalog
) -> None:
    problem = _problem(name, catalog, options)
    whole = optimize_list(problem, intervals=False)
    lean_problem = dataclasses.replace(problem, whole_curve=False)
    short = optimize_list(lean_problem, intervals=False)
    assert _chosen(short) == _chosen(whole)
    assert short.stages == whole.stages[: len(short.stages)]
    if whole.stop_at is None:  # every program was worth its fee: no stage could stop it early
        assert short.stages == whole.stages
    else:  # one stage past the chosen list and past the stopping stage, not later
        last = max(whole.stages.index(whole.stage), whole.stop_at)
        assert len(short.stages) == last + 2
        assert len(short.stages) < len(whole.stages)
    reference = optimize_list(lean_problem, reference=True, intervals=False)
    assert [(s.selected, s.signals, s.fee_usd) for s in reference.stages] == [
        (s.selected, s.signals, s.fee_usd) for s in short.stages
    ]
    assert (reference.order, reference.signals, reference.stop_at) == (
        short.order,
        short.signals,
        short.stop_at,
    )


@pytest.mark.parametrize("budget", [None, 1200.0])
def test_recommend_without_the_whole_curve_differs_only_in_its_curve(
    budget: float | None, catalog: Catalog
) -> None:
    profile = reference_profile("guide-sample")
    whole = recommend(profile, budget_usd=budget, catalog=catalog, intervals=False)
    short = recommend(profile, budget_usd=budget, catalog=catalog, intervals=False, curve=False)
    a, b = whole.to_dict(), short.to_dict()
    assert b["curve"] == a["curve"][: len(b["curve"])]
    assert len(b["curve"]) < len(a["curve"])
    assert {k: v for k, v in a.items() if k != "curve"} == {
        k: v for k, v in b.items() if k != "curve"
    }
    assert (short.p_match_draws == whole.p_match_draws).all()
