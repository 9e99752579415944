"""The list optimizer on synthetic chance matrices: constraints, monotonicity, optimality gap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartpick.core.chances.matrix import p_match
from smartpick.core.lists.curve import objective_value
from smartpick.core.lists.fees import FeeTier, custom_schedule, fee_schedule
from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.reference import exhaustive_list
from smartpick.core.lists.tiers import tier_of, tier_scale
from smartpick.core.lists.types import ListProblem
from smartpick.errors import InvalidInput
from smartpick.testing import synthetic_chances

# Tiers compressed (3 cheap programs per specialty) so small instances feel the knapsack.
TIGHT = custom_schedule(
    (FeeTier(1, 3, "per_program", 11), FeeTier(4, None, "per_program", 30)), transcript_fee_usd=80
)
HYPOTHESIS = settings(max_examples=25, deadline=None)


def problem(
    n: int,
    seed: int,
    *,
    groups: int = 2,
    values: bool = False,
    schedule: object = TIGHT,
    **constraints: object,
) -> ListProblem:
    rng = np.random.default_rng(seed)
    names = ("IM", "FM", "Neurology")[:groups]
    fee_groups = tuple(str(g) for g in rng.choice(names, size=n))
    return ListProblem(
        chances=synthetic_chances(n, seed=seed, nodes=8, draws=4, sigma_u=1.5),
        fee_groups=fee_groups,
        fee_schedule=schedule,  # type: ignore[arg-type]
        signal_groups=fee_groups,
        signal_allowances={"IM": (1, 2), "FM": (1, 0)},
        values=tuple(rng.uniform(0.2, 1.0, size=n)) if values else None,
        horizon=min(n, 30),
        **constraints,  # type: ignore[arg-type]
    )


def allowance_respected(prob: ListProblem, selected: tuple[int, ...], levels: tuple[int, ...]):
    used: dict[tuple[str, int], int] = {}
    for i, s in zip(selected, levels, strict=True):
        if s:
            group = prob.signal_groups[i]
            assert group is not None and group in prob.signal_allowances
            used[(group, s)] = used.get((group, s), 0) + 1
    for (group, s), count in used.items():
        gold, silver = prob.signal_allowances[group]
        assert count <= (gold if s == 2 else silver)


@HYPOTHESIS
@given(st.integers(0, 10_000), st.integers(80, 600), st.booleans())
def test_never_exceeds_budget_and_signals_within_allowance(
    seed: int, budget: int, values: bool
) -> None:
    prob = problem(14, seed, budget_usd=float(budget), values=values)
    solution = optimize_list(prob)
    assert solution.stage.fee_usd <= budget
    assert sum(solution.fees_usd) + solution.transcript_fee_usd == solution.stage.fee_usd
    allowance_respected(prob, solution.stage.selected, solution.stage.signals)
    for stage in solution.stages:
        allowance_respected(prob, stage.selected, stage.signals)


@HYPOTHESIS
@given(st.integers(0, 10_000), st.integers(80, 500), st.integers(1, 200), st.booleans())
def test_raising_the_budget_never_lowers_the_objective(
    seed: int, budget: int, extra: int, values: bool
) -> None:
    low = optimize_list(problem(14, seed, budget_usd=float(budget), values=values))
    high = optimize_list(problem(14, seed, budget_usd=float(budget + extra), values=values))
    assert high.stage.objective >= low.stage.objective


@HYPOTHESIS
@given(st.integers(0, 10_000), st.integers(0, 12), st.integers(1, 5))
def test_raising_the_count_never_lowers_p_match(seed: int, count: int, extra: int) -> None:
    low = optimize_list(problem(14, seed, max_programs=count))
    high = optimize_list(problem(14, seed, max_programs=count + extra))
    assert low.stage.applications <= count
    assert high.stage.p_match[0] >= low.stage.p_match[0]


@HYPOTHESIS
@given(
    st.integers(0, 10_000),
    st.lists(st.integers(0, 13), max_size=3, unique=True),
    st.lists(st.integers(0, 13), max_size=4, unique=True),
    st.integers(150, 400),
)
def test_must_include_always_in_and_excluded_never(
    seed: int, must: list[int], excluded: list[int], budget: int
) -> None:
    excluded = [i for i in excluded if i not in must]
    prob = problem(
        14, seed, budget_usd=float(budget), must_include=tuple(must), excluded=tuple(excluded)
    )
    solution = optimize_list(prob)
    assert set(must) <= set(solution.order)
    assert not set(excluded) & set(solution.order)
    for stage in solution.stages:
        assert set(must) <= set(stage.selected)
        assert not set(excluded) & set(stage.selected)


def test_within_a_small_gap_of_the_exact_optimum() -> None:
    gaps = []
    for seed in range(12):
        prob = problem(8, seed, budget_usd=float(100 + 12 * seed), values=seed % 2 == 1)
        best, _, _ = exhaustive_list(prob)
        found = optimize_list(prob).stage.objective
        assert found <= best + 1e-12
        gaps.append(best - found)
    assert max(gaps) < 0.005  # 0.5 pp
    assert float(np.mean(gaps)) < 0.001


def test_objective_is_what_it_claims() -> None:
    prob = problem(40, 3, budget_usd=500.0)
    solution = optimize_list(prob)
    stage = solution.stage
    direct = objective_value(prob.chances, stage.selected, stage.signals)
    assert stage.objective == pytest.approx(direct, abs=1e-12)
    draws = p_match(prob.chances, list(stage.selected), list(stage.signals))
    assert stage.p_match[0] == pytest.approx(float(draws[0]))
    assert stage.p_match[1] <= stage.p_match[0] <= stage.p_match[2]


def test_preference_objective_counts_only_the_best_match() -> None:
    prob = problem(30, 5, budget_usd=400.0, values=True)
    solution = optimize_list(prob)
    stage = solution.stage
    direct = objective_value(prob.chances, stage.selected, stage.signals, prob.values)
    assert stage.objective == pytest.approx(direct, abs=1e-12)
    # E[value of the match] can never exceed P(match) times the best value
    assert stage.objective <= stage.p_match[0] * max(prob.values or (1.0,)) + 1e-12


def test_curve_and_stopping_point() -> None:
    """The list stops at the first application whose gain, valued at the value of a match, is
    below its fee; every earlier one paid for itself, and the curve runs past the stop."""
    value = 2_000.0
    prob = problem(60, 11, match_value_usd=value)
    solution = optimize_list(prob)
    stages = solution.stages
    objectives = [s.objective for s in stages]
    assert all(b >= a for a, b in zip(objectives, objectives[1:], strict=False))
    assert [s.applications for s in stages] == list(range(len(stages)))
    assert solution.binding == "match value" and solution.stop_at is not None
    fees = [b.fee_usd - a.fee_usd for a, b in zip(stages, stages[1:], strict=False)]
    gains = [s.gain for s in stages[1:]]
    k = solution.stop_at
    assert gains[k] * value < fees[k]
    assert all(g * value >= f for g, f in zip(gains[:k], fees[:k], strict=True))
    assert solution.stage.applications == k
    assert len(stages) - 1 >= min(60, math.ceil(1.25 * k))


def test_a_higher_match_value_never_gives_a_shorter_list() -> None:
    sizes = [
        optimize_list(problem(60, 11, match_value_usd=v)).stage.applications
        for v in (300.0, 2_000.0, 20_000.0, 200_000.0)
    ]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]


def test_deterministic() -> None:
    a = optimize_list(problem(50, 21, budget_usd=700.0, values=True))
    b = optimize_list(problem(50, 21, budget_usd=700.0, values=True))
    assert a == b


def test_signal_goes_where_it_helps() -> None:
    """A reach program whose gold signal multiplies its chance gets the one gold signal."""
    prob = problem(12, 2, groups=1, max_programs=12)
    cm = prob.chances
    reach = 7
    boosted = [arr.copy() for arr in cm.interview_by_signal]
    boosted[0][:, reach] *= 0.05
    boosted[1][:, reach] *= 0.05
    boosted[2][:, reach] = 0.95
    chances = type(cm)(cm.program_ids, cm.weights, tuple(boosted), cm.conversion)
    solution = optimize_list(
        ListProblem(
            chances=chances,
            fee_groups=prob.fee_groups,
            fee_schedule=fee_schedule(2026),
            signal_groups=prob.fee_groups,
            signal_allowances={"IM": (1, 0)},
            max_programs=6,
        )
    )
    assert dict(zip(solution.order, solution.signals, strict=True)).get(reach) == 2


def test_impossible_constraints_are_input_errors() -> None:
    with pytest.raises(InvalidInput, match="budget_usd"):
        optimize_list(problem(10, 1, budget_usd=100.0, must_include=(0, 1, 2, 3, 4, 5)))
    with pytest.raises(InvalidInput, match="must_include"):
        optimize_list(problem(10, 1, must_include=(2,), excluded=(2,)))
    with pytest.raises(InvalidInput, match="count"):
        optimize_list(problem(10, 1, max_programs=-1))


def test_tiers_are_anchored_on_the_typical_non_us_img_interview_rate() -> None:
    scale = tier_scale("Internal Medicine")
    typical = scale.typical.value  # 2026 non-US IMG interview rate (Residency Explorer)
    assert 0.005 < typical < 0.2 and scale.typical.year == 2026
    assert scale.target_from == pytest.approx(2 * typical)
    below, at = 0.99 * 2 * typical, 2 * typical
    assert [tier_of(p, "Internal Medicine") for p in (below, at, 0.49, 0.5, 0.9)] == [
        "reach",
        "target",
        "target",
        "likely",
        "likely",
    ]
    # a specialty without 2026 figures uses the Internal Medicine anchor
    assert tier_scale("Neurology").target_from == scale.target_from
    words = scale.definitions()
    assert set(words) == {"reach", "target", "likely"}
    assert f"{100 * typical:.1f}%" in words["reach"]


def test_a_lists_figures_read_once_are_the_matrix_ones_bit_for_bit(guide_list) -> None:
    """`list_draws` (the written list's draws, read once) equals the matrix's own functions."""
    from smartpick.core.chances.matrix import expected_interviews, interview_terms
    from smartpick.core.lists.curve import list_draws

    chances = guide_list.assessment.chances
    listed = [chances.index(item.program.id) for item in guide_list.programs]
    levels = [("none", "silver", "gold").index(item.signal) for item in guide_list.programs]
    assert any(levels) and len(listed) > 10
    shown, p_draws, i_draws = list_draws(chances, listed, levels)
    assert np.array_equal(shown, interview_terms(chances, listed, levels) @ chances.weights)
    assert np.array_equal(p_draws, p_match(chances, listed, levels))
    assert np.array_equal(i_draws, expected_interviews(chances, listed, levels))
    assert np.array_equal(p_draws, guide_list.p_match_draws)
    empty = list_draws(chances, [], [])
    assert empty[0].shape == (chances.n_draws, 0) and not empty[1].any() and not empty[2].any()


@pytest.mark.parametrize("group", ["non_us_img", "us_img", "us_md"])
@pytest.mark.parametrize("specialty", ["Internal Medicine", "Family Medicine", "Psychiatry"])
def test_each_tier_definition_credits_its_figure_to_the_specialty_it_comes_from(
    specialty: str, group: str
) -> None:
    """Only Internal Medicine and Family Medicine have 2026 interview figures: another
    specialty's definition cites the Internal Medicine figure as Internal Medicine's, and says it
    stands in; a capped cut-off is not called twice the typical rate."""
    scale = tier_scale(specialty, group)
    reach = scale.definitions()["reach"]
    own = specialty in ("Internal Medicine", "Family Medicine")
    source = specialty if own else "Internal Medicine"
    assert scale.typical_specialty == source == scale.to_dict()["typical_specialty"]
    assert f"got in {source} in 2026" in reach and f"{100 * scale.typical.value:.1f}%" in reach
    assert scale.typical.value == tier_scale(source, group).typical.value
    stands_in = f"no 2026 interview figures for {specialty}, so the Internal Medicine rate"
    assert (stands_in in reach) is not own
    assert ("about twice" in reach) is (scale.target_from == pytest.approx(2 * scale.typical.value))
