"""The bound that spares most of the swap search (`core.lists.swap_kernel`) never changes a list.

`best_swap` skips the listed programs whose bound on any swap's gain does not exceed the gain
sought, and ranks a program whose m rises with the signal level by its top level's gain. On random
lists it must find the very swap the full search finds whenever that one gains more than the
floor, and no swap gaining more when it does not; on random problems the fast chain
(which screens its polishes with it) must give the lists of the general chain, which polishes on
the same schedule without screening.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.swap_kernel import (
    _MARGIN,
    _RELATIVE,
    _cannot_go_out,
    best_swap,
    rising_levels,
)
from tests.optimizer.test_optimizer import problem

HYPOTHESIS = settings(max_examples=60, deadline=None)


def _random_list(seed: int) -> tuple[tuple[object, ...], float]:
    """`best_swap`'s arguments (without the floor) for a random list, and its P(match)."""
    rng = np.random.default_rng(seed)
    levels, n, K = int(rng.integers(1, 4)), int(rng.integers(2, 40)), int(rng.integers(1, 7))
    M = rng.uniform(0.0, 0.9, size=(levels, n, K)) ** 2
    rising = rng.random(n) < 0.8  # signals raise m at most programs
    M[:, rising] = np.sort(M[:, rising], axis=0)
    w = rng.uniform(0.1, 1.0, size=K)
    w /= w.sum()
    sel = rng.random(n) < 0.4
    sig_group = rng.integers(-1, 3, size=n)
    lev = np.where(sel & (sig_group >= 0), rng.integers(0, levels, size=n), 0)
    fixed = sel & (rng.random(n) < 0.1)
    eligible = sel | (rng.random(n) < 0.8)
    fee_group = rng.integers(0, 2, size=n)
    fee_counts = np.bincount(fee_group[sel], minlength=2).astype(np.int64)
    marginal = np.cumsum(rng.integers(0, 30, size=n + 1)).astype(np.int64)
    fee = int(sum(marginal[:c].sum() for c in fee_counts))
    fee_cap = float(fee) if rng.random() < 0.7 else np.inf
    open_ = rng.random((levels, n)) < 0.5
    open_[0] = True
    Q = np.prod(np.where(sel[None, :], 1.0 - M[lev, np.arange(n)].T, 1.0), axis=1)
    pool = int(rng.integers(1, n + 1))
    args = (M, w, Q, sel, lev, fixed, eligible, sig_group, fee_group, fee_counts, marginal)
    return (*args, fee, fee_cap, pool, open_), float(1.0 - w @ Q)


@HYPOTHESIS
@given(st.integers(0, 10**6), st.floats(-0.5, 1.5))
def test_the_bound_never_hides_a_swap_that_gains_more_than_the_floor(
    seed: int, share: float
) -> None:
    args, _ = _random_list(seed)
    M = args[0]
    assert isinstance(M, np.ndarray)
    rising = rising_levels(M, np.empty(M.shape[1], dtype=np.bool_))
    # every listed program searched, every level weighed: the search without bound or shortcut
    full = best_swap(*args, -np.inf, np.zeros(M.shape[1], dtype=np.bool_))
    floor = max(full[0], 1e-12) * share  # near the best gain, where the bound matters
    bounded = best_swap(*args, floor, rising)
    if full[1] >= 0 and full[0] > floor:
        assert bounded == full
    else:
        assert bounded[1] < 0 or bounded[0] <= floor


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(20, 90), st.sampled_from([None, 150.0, 400.0]))
def test_screened_polishes_give_the_general_chains_lists(
    seed: int, n: int, budget: float | None
) -> None:
    prob = problem(n, seed, budget_usd=budget)
    fast = optimize_list(prob, polish=False, intervals=False)
    general = optimize_list(prob, polish=False, reference=True, intervals=False)
    assert [(s.selected, s.signals, s.fee_usd) for s in fast.stages] == [
        (s.selected, s.signals, s.fee_usd) for s in general.stages
    ]
    assert (fast.order, fast.signals) == (general.order, general.signals)


@HYPOTHESIS
@given(st.integers(0, 10**6), st.floats(-4.0, 4.0), st.sampled_from([1e-9, 1e-3, 1.0]))
def test_the_bound_without_divisions_rules_out_only_what_the_exact_bound_does(
    seed: int, share: float, scale: float
) -> None:
    """`_cannot_go_out` (the bound with every 1 / (1 - m) at 1) says a program cannot go out
    only where `best_swap`'s exact bound (with the divisions) does not search it either: checked
    with the gain sought around the cheap bound itself, and with m small enough (`scale`) that
    the two bounds nearly meet."""
    rng = np.random.default_rng(seed)
    levels, n, K = 3, 4, int(rng.integers(1, 17))
    M = scale * rng.uniform(0.0, 0.995, size=(levels, n, K)) ** rng.uniform(0.5, 3.0)
    wq = rng.uniform(0.0, 1.0, size=K) * rng.uniform(0.0, 1.0, size=K)
    env_open = rng.uniform(0.0, 0.9989, size=K)
    env_at = rng.uniform(0.0, 0.9995, size=(levels, 2, K))
    for held, c, h in ((0, 1, -1), (1, 2, 0), (2, 3, 1)):
        freed = held > 0 and h >= 0
        top = float(rng.uniform(0.0, 0.02)) * scale
        m = M[held, c]
        u = np.maximum(env_open, env_at[held, h]) if freed else env_open
        x = m * wq
        cheap, spread = float(np.sum(x * (1.0 - u))), float(np.sum(x * (1.0 + u)))
        floor = top - cheap + share * (_MARGIN + _RELATIVE * (top + spread))
        inv = 1.0 / (1.0 - m)
        loss, mixed = float(np.sum(m * inv * wq)), float(np.sum(u * wq * m * inv))
        exact = top + mixed - loss  # `best_swap`'s bound on any swap taking c out
        searched = exact > floor - _MARGIN - _RELATIVE * (abs(top) + mixed + loss)
        ruled_out = _cannot_go_out(M, wq, held, c, h, freed, top, env_open, env_at, floor)
        if ruled_out:
            assert not searched
        # the test is the exact bound's with both margins doubled: it rules out past twice them
        if (u < 0.999).all() and abs(share - 2.0) > 0.01:
            assert ruled_out == (share > 2.0)
