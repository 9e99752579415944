"""The test of whether a signal move may help (`polish_kernel.signal_move_may_help`) answers as
weighing every move exactly would: its bound on the exchanges only spares their arithmetic.

Each state is a random list with its signals placed at random (most gain from a move, often an
exchange only: most signal levels are used up) or where they gain most (few gain from any); the
answer is compared with every single move and every exchange weighed exactly in numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

from smartpick.core.lists.polish_kernel import _levels_open, signal_move_may_help

_THRESHOLD = 1e-12 - 1e-13  # the polish's tolerance less the margin, as the kernel has them


def _state(seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    levels, n, K = 3, int(rng.integers(8, 60)), 16
    base = rng.uniform(0.0, 0.4, (n, K)) * np.linspace(0.2, 1.0, K)  # larger at higher nodes
    lift = rng.uniform(0.5, 2.0, (levels, n, 1)) ** np.arange(levels)[:, None, None]
    M = np.ascontiguousarray(np.minimum(base[None] * lift, 0.95))
    sel = rng.random(n) < 0.6
    signalable = rng.random(n) < 0.9
    sig_group = rng.integers(0, 2, n).astype(np.int64)
    lev = np.where(sel & signalable, rng.integers(0, levels, n), 0).astype(np.int64)
    if seed % 2:  # signals where they gain most, as the chain places them: few moves help
        lev[:] = 0
        for group in range(2):
            mine = np.flatnonzero(sel & signalable & (sig_group == group))
            ranked = mine[np.argsort(-(M[2, mine] - M[0, mine]).sum(axis=1), kind="stable")]
            lev[ranked[:2]], lev[ranked[2:5]] = 2, 1
    used = np.zeros((2, levels), dtype=np.int64)
    for p in np.flatnonzero(sel & (lev > 0)):
        used[sig_group[p], lev[p]] += 1
    allow = used + (rng.random((2, levels)) < 0.3) * (seed % 2 == 0)  # exchanges matter
    w = rng.dirichlet(np.ones(K))
    Q = np.prod(np.where(sel[:, None], 1.0 - M[lev, np.arange(n)], 1.0), axis=0)
    open_ = np.empty((levels, n), dtype=np.bool_)
    _levels_open(allow, used, sig_group, signalable, open_)
    return M, w * Q, sel, lev, sig_group, signalable, open_


def _best_move(M, wq, sel, lev, sig_group, signalable, open_) -> float:  # type: ignore[no-untyped-def]
    """The largest gain of any single move or exchange, each weighed exactly."""
    levels = M.shape[0]
    listed = [p for p in np.flatnonzero(sel & signalable)]
    factor = {  # r: what moving p to level s multiplies Q by
        (p, s): (1.0 - M[s, p]) / (1.0 - M[lev[p], p]) for p in listed for s in range(levels)
    }
    gains = [
        float(wq.sum() - factor[p, s] @ wq)
        for p in listed
        for s in range(1, levels)
        if s != lev[p] and open_[s, p]
    ]
    gains += [
        float(wq.sum() - (factor[p, lev[q]] * factor[q, lev[p]]) @ wq)
        for q in listed
        for p in listed
        if lev[q] > 0 and lev[p] != lev[q] and sig_group[p] == sig_group[q]
    ]
    return max(gains, default=-np.inf)


def test_it_answers_as_weighing_every_move_exactly() -> None:
    answers = {True: 0, False: 0}
    for seed in range(400):
        state = _state(seed)
        best = _best_move(*state)
        if abs(best - _THRESHOLD) < 1e-10:
            continue  # rounding may go either way this close to the tolerance
        says = signal_move_may_help(*state)
        assert says == (best > _THRESHOLD), (seed, best)
        answers[says] += 1
    assert min(answers.values()) >= 25, answers  # both answers are exercised


@pytest.mark.parametrize("seed", range(20))
def test_an_exchange_alone_is_found(seed: int) -> None:
    # A list whose only signal sits on its weakest program, with no level left open: only an
    # exchange helps.
    M, wq, sel, lev, sig_group, signalable, open_ = _state(seed)
    sel[:] = signalable[:] = True
    sig_group[:] = 0
    lev[:] = 0
    weakest = int(np.argmin(M[2].sum(axis=1)))
    lev[weakest] = 2
    open_[1:] = False
    assert signal_move_may_help(M, wq, sel, lev, sig_group, signalable, open_)
