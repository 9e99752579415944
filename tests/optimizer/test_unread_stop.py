"""A list priced within a budget or a count, its stopping stage unread
(`ListProblem.stopping_stage` False): the chain ends at its first stage past the limits instead of
running on to the stopping stage. The list (stage, programs, signals, fees, contributions) and its
next step are those of the whole chain, whose first stages the short chain's are; the fast and
the reference chains end alike. `choose_list`, which measures no stage, chooses the same list.
"""

from __future__ import annotations

import dataclasses
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartpick.core.lists.optimizer import choose_list, optimize_list
from smartpick.core.lists.types import ListChoice, ListProblem, ListSolution, Stage
from smartpick.service.catalog import Catalog
from smartpick.testing import REFERENCE_NAMES, chosen_list, reference_problem

_TWO = ("Internal Medicine", "Family Medicine")


def _unread(problem: ListProblem) -> ListProblem:
    return dataclasses.replace(problem, whole_curve=False, stopping_stage=False)


def _fits(problem: ListProblem, stage: Stage) -> bool:
    return (problem.budget_usd is None or stage.fee_usd <= problem.budget_usd) and (
        problem.max_programs is None or stage.applications <= problem.max_programs
    )


def _first_past_the_limits(problem: ListProblem, stages: tuple[Stage, ...]) -> int:
    """The number of stages up to the first one past the limits (all: none is)."""
    fitting = [_fits(problem, stage) for stage in stages]
    return fitting.index(False) + 1 if False in fitting else len(stages)


def _same_list_shorter_chain(problem: ListProblem) -> tuple[ListSolution, ListSolution]:
    """(whole, unread) solutions, checked: the same list, the unread chain the whole one's first
    stages up to its first stage past the limits, and no stopping stage it did not reach (without
    limits the list is the stopping stage: the chain runs to it)."""
    whole = optimize_list(problem, intervals=False)
    unread = optimize_list(_unread(problem), intervals=False)
    assert chosen_list(unread) == chosen_list(whole)
    alone = choose_list(_unread(problem))  # no stage measured: the same list
    assert alone == ListChoice(**{f.name: getattr(whole, f.name) for f in fields(ListChoice)})
    assert unread.stages == whole.stages[: len(unread.stages)]
    if problem.budget_usd is None and problem.max_programs is None:  # the list is the stop
        short = optimize_list(dataclasses.replace(problem, whole_curve=False), intervals=False)
        assert unread.stages == short.stages and unread.stop_at == whole.stop_at
        return whole, unread
    assert len(unread.stages) == _first_past_the_limits(problem, whole.stages)
    reached = whole.stop_at is not None and whole.stop_at + 1 < len(unread.stages)
    assert unread.stop_at == (whole.stop_at if reached else None)
    return whole, unread


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize(
    "options",
    [
        {"budget_usd": 1200.0},
        {"count": 40},
        {"budget_usd": 3000.0, "count": 60},
        {"budget_usd": 900.0, "specialties": _TWO},  # other chains: two fee groups
    ],
    ids=["$1,200", "40", "$3,000 and 40", "IM + FM $900"],
)
def test_an_unread_stopping_stage_keeps_the_list_and_ends_the_chain_past_the_limits(
    name: str, options: dict[str, Any], catalog: Catalog
) -> None:
    problem = reference_problem(name, catalog, **options)
    _same_list_shorter_chain(problem)
    reference = optimize_list(_unread(problem), reference=True, intervals=False)
    fast = optimize_list(_unread(problem), intervals=False)
    assert [(s.selected, s.signals, s.fee_usd) for s in reference.stages] == [
        (s.selected, s.signals, s.fee_usd) for s in fast.stages
    ]
    assert (reference.order, reference.signals) == (fast.order, fast.signals)


def test_the_chain_stops_earlier_than_at_its_stopping_stage(catalog: Catalog) -> None:
    """At $1,200 the guide sample's stopping stage is past 150 applications: the chain that reads
    it runs there, the one that does not ends at the first stage past the budget."""
    problem = reference_problem("guide-sample", catalog, budget_usd=1200.0)
    whole, unread = _same_list_shorter_chain(problem)
    short = optimize_list(dataclasses.replace(problem, whole_curve=False), intervals=False)
    assert whole.stop_at is not None and whole.stop_at > 150
    assert len(unread.stages) == len(unread.order) + 2  # the empty list, the list, the next step
    assert len(short.stages) > 2 * len(unread.stages)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["guide-sample", "low-score-late"]),
    budget=st.none() | st.integers(0, 4000).map(float),
    count=st.none() | st.integers(0, 180),
)
def test_any_limits_keep_the_list(
    name: str, budget: float | None, count: int | None, catalog: Catalog
) -> None:
    problem = dataclasses.replace(
        reference_problem(name, catalog), budget_usd=budget, max_programs=count
    )
    _same_list_shorter_chain(problem)


def test_a_whole_curve_reads_its_stopping_stage(catalog: Catalog) -> None:
    problem = reference_problem("guide-sample", catalog, budget_usd=1200.0)
    with pytest.raises(ValueError, match="stopping stage"):
        optimize_list(dataclasses.replace(problem, stopping_stage=False))
