"""The optimality bound (core/lists/bound.py): above every list, exact as a MILP on instances small
enough to enumerate, and above the shipped list on real instances, within issue 13's 0.3 pp."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from smartpick.core.lists.bound import lp_bound, milp_bound
from smartpick.core.lists.curve import objective_value
from smartpick.core.lists.fees import FeeTier, custom_schedule
from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.reference import exhaustive_list
from smartpick.core.lists.types import ListProblem
from smartpick.service.catalog import Catalog
from smartpick.testing import optimizer_calls, reference_profile, synthetic_chances

# The solver's feasibility tolerance (1e-7 per row) can put its optimum a hair below a list.
SOLVER_SLACK = 1e-6
# A flat first tier (like ERAS 2024's $99 for up to 10): a fee schedule that is not convex.
FLAT_FIRST = custom_schedule(
    (
        FeeTier(1, 3, "flat", 50),
        FeeTier(4, 5, "per_program", 10),
        FeeTier(6, None, "per_program", 40),
    ),
    transcript_fee_usd=20,
)
CHEAP_THEN_DEAR = custom_schedule(
    (FeeTier(1, 3, "per_program", 11), FeeTier(4, None, "per_program", 30)), transcript_fee_usd=80
)


def small_problem(seed: int) -> ListProblem:
    """Nine programs, two specialties, signals; a count, a budget, preferences, must-include and
    excluded programs and a non-convex fee schedule, in turn."""
    rng = np.random.default_rng(seed)
    n = 9
    groups = tuple(str(g) for g in rng.choice(["IM", "FM"], size=n))
    kind = seed % 4
    options: dict[str, object] = {}
    if kind == 0:
        options["max_programs"] = int(rng.integers(2, 6))
    else:
        options["budget_usd"] = float(rng.integers(110, 260))
    if kind == 2:
        options["values"] = tuple(float(v) for v in rng.choice([0.0, 0.4, 0.7, 1.0], size=n))
    if kind in (1, 3):
        options["must_include"] = (int(rng.integers(0, n)),)
        options["excluded"] = (int((options["must_include"][0] + 1) % n),)  # type: ignore[index]
    return ListProblem(
        chances=synthetic_chances(n, seed=seed, nodes=8, draws=1, sigma_u=1.5),
        fee_groups=groups,
        fee_schedule=FLAT_FIRST if kind == 3 else CHEAP_THEN_DEAR,
        signal_groups=groups,
        signal_allowances={"IM": (1, 2), "FM": (1, 0)},
        horizon=n,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("seed", range(16))
def test_lp_bounds_and_milp_finds_the_exact_optimum_on_small_instances(seed: int) -> None:
    problem = small_problem(seed)
    best, _, _ = exhaustive_list(problem)
    lp = lp_bound(problem)
    milp = milp_bound(problem, time_limit=30)
    assert lp.bound >= best - SOLVER_SLACK
    assert milp.proven and milp.list_objective == pytest.approx(best, abs=1e-7)
    assert lp.bound >= milp.bound - SOLVER_SLACK >= best - 2 * SOLVER_SLACK
    # The MILP's list is a real list: its objective is recomputed from its programs and levels.
    recomputed = objective_value(problem.chances, milp.selected, milp.signals, problem.values)
    assert recomputed == pytest.approx(milp.list_objective, abs=1e-12)
    assert set(problem.must_include) <= set(milp.selected)
    assert not set(problem.excluded) & set(milp.selected)


def test_a_budget_below_the_transcript_fee_bounds_at_zero() -> None:
    problem = small_problem(1)
    poor = replace(problem, budget_usd=50.0, must_include=())
    assert lp_bound(poor).bound == 0.0 == optimize_list(poor).stage.objective


def test_tighter_limits_never_raise_the_bound() -> None:
    problem = small_problem(5)
    bounds = [lp_bound(replace(problem, budget_usd=b)).bound for b in (120.0, 160.0, 200.0, 260.0)]
    assert bounds == sorted(bounds)


@pytest.mark.parametrize(
    ("name", "budget", "specialties"),
    [
        ("psych-img", 1000, ("Psychiatry",)),
        ("strong-img", 1500, ("Internal Medicine", "Neurology")),
        ("guide-sample", 1000, ("Internal Medicine",)),
    ],
)
def test_the_lp_bound_is_above_the_shipped_list_within_the_target(
    catalog: Catalog, name: str, budget: int, specialties: tuple[str, ...]
) -> None:
    """Real instances (the whole catalog of the specialties, signals, 2026 fees). The gap is an
    upper bound on how far the shipped list is from the best list: issue 13 wants <= 0.3 pp."""
    from smartpick.service.recommend import recommend

    with optimizer_calls() as seen:
        recommend(
            reference_profile(name), budget_usd=budget, specialties=specialties, catalog=catalog
        )
    problem, shipped, _ = seen[-1]
    assert problem.fee_schedule.season == 2026 and problem.size > 100
    bound = lp_bound(problem)
    gap = bound.bound - shipped.stage.objective
    assert -SOLVER_SLACK <= gap <= 0.003, (bound.bound, shipped.stage.objective)
