"""Whether a polish could change a P(match) list: an exact test that skips the polishes that would
change nothing (most of them: 95% on the reference profiles' lists).

With every preference value 1, P(match) = 1 - w.Q where Q = prod (1 - m_i) over the listed
programs, per quadrature node. Any change of a few programs multiplies Q by known factors, so the
exact gain of every swap and every signal move the polish (`core.lists.polish`) may try is a
closed form:
- swap d in at level s for c: Q (1 - m_ds) / (1 - m_c);
- p to signal level s: Q (1 - m_ps) / (1 - m_p);
- p to level s and q (holding s) to p's old level l: Q (1 - m_ps)(1 - m_ql) / ((1 - m_p)(1 - m_q)).
The polish applies a move only if the objective rises by more than its tolerance. If no move of
those it may try rises by that much (less a margin for rounding), it would leave the list as it
is, and the chain can skip it. Otherwise the polish runs as before: this test only ever skips
work, so the lists are the same as polishing (tests compare them with the reference path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from smartpick.core.lists.types import _TOL, LOCAL_SEARCH_MAX_SIZE, FloatArray, IntArray

if TYPE_CHECKING:
    from smartpick.core.lists.fast_chain import FastChain

# Closed forms and the polish's own arithmetic differ by rounding (about 1e-15 here): a move whose
# gain is within this margin of the polish's tolerance counts as one that may help.
_MARGIN = 1e-13


def polish_may_change(chain: FastChain, fee_cap: float) -> bool:
    """False only when the polish (swaps within `fee_cap`, then signal moves) would leave the
    chain's list as it is."""
    chain.refresh()
    chosen = np.flatnonzero(chain.sel)
    if not chosen.size:
        return False
    m = chain.M[chain.lev[chosen], chosen]  # (S, K): the listed programs' chances now
    wq = chain.w * chain.Q
    if chosen.size <= LOCAL_SEARCH_MAX_SIZE and _swap_may_help(chain, chosen, m, wq, fee_cap):
        return True
    return _signal_move_may_help(chain, chosen, m, wq)


def _swap_may_help(
    chain: FastChain, chosen: IntArray, m: FloatArray, wq: FloatArray, fee_cap: float
) -> bool:
    """Whether some swap the polish may try raises P(match) by more than its tolerance."""
    removable_at = np.flatnonzero(~chain.fixed[chosen])
    addable = chain.eligible & ~chain.sel
    if not removable_at.size or not addable.any():
        return False
    threshold = _TOL * max(1.0, chain.f) - _MARGIN
    removable = chosen[removable_at]
    inv = 1.0 / (1.0 - m[removable_at])  # (C, K)
    loss = (m[removable_at] * inv) @ wq  # (C,) what removing c costs
    now = chain.M @ wq  # (L, n): what adding each program at each level gains now
    # swapping d in for c gains sum_k wq_k m_dk / (1 - m_ck) - loss_c
    #   = now_d + sum_k wq_k (1 / (1 - m_ck) - 1) m_dk - loss_c <= now_d + slack_c - loss_c,
    # with the largest m of any program per node: only the pairs this bound leaves above the
    # threshold are weighed exactly
    slack = ((inv - 1.0) * wq) @ chain.largest_m
    floor = threshold + loss - slack  # (C,) no swap for c unless now_d > floor_c
    open_now = chain.levels_open()
    # d at a level open now, for any c
    s, d = np.nonzero(open_now & addable & (now > floor.min()))
    c = np.broadcast_to(np.arange(removable.size), (s.size, removable.size)).ravel()
    s, d = np.repeat(s, removable.size), np.repeat(d, removable.size)
    # or d at the signal level that c frees (same signal group), where it is not open now
    h_at = np.flatnonzero((chain.lev[removable] > 0) & (chain.sig_group[removable] >= 0))
    level = chain.lev[removable[h_at]]
    h, d_freed = np.nonzero(
        (chain.sig_group[None, :] == chain.sig_group[removable[h_at]][:, None])
        & addable
        & ~open_now[level]
        & (now[level] > floor[h_at][:, None])
    )
    c = np.concatenate([c, h_at[h]])
    s, d = np.concatenate([s, level[h]]), np.concatenate([d, d_freed])
    if not c.size:
        return False
    gain = np.einsum("pk,pk->p", chain.M[s, d] * wq, inv[c]) - loss[c]  # the polish's formula
    c = removable[c]
    fg, counts = chain.fee_group, chain.fee_counts
    new_fee = (
        chain.fee
        - chain.marginal[counts[fg[c]] - 1]
        + chain.marginal[counts[fg[d]] - (fg[d] == fg[c])]
    )
    return bool((gain[new_fee <= fee_cap] > threshold).any())


def _signal_move_may_help(
    chain: FastChain, chosen: IntArray, m: FloatArray, wq: FloatArray
) -> bool:
    """Whether some signal move the polish may try (p to a level open in its group, or p and q
    exchanging levels within a group) raises P(match) by more than its tolerance."""
    if chain.levels < 2:
        return False
    at = np.flatnonzero(chain.signalable[chosen])
    if not at.size:
        return False
    threshold = _TOL - _MARGIN
    idx = chosen[at]
    lev, group = chain.lev[idx], chain.sig_group[idx]
    keep = 1.0 - chain.M[:, idx]  # (L, J, K): 1 - m at each level
    per_keep = wq / keep[lev, np.arange(idx.size)]  # (J, K): wq / (1 - m now)
    total = wq.sum()
    # p to level s (s >= 1, open in its group): gain = sum wq - sum keep_s wq / keep_now
    moves = (lev[None, :] != np.arange(chain.levels)[:, None]) & chain.levels_open()[:, idx]
    moves[0] = False
    if moves.any() and (total - np.einsum("ljk,jk->lj", keep, per_keep)[moves]).max() > threshold:
        return True
    # q (holding s >= 1) takes p's level l and p takes s, in the same group
    q, p = np.nonzero(
        (lev[:, None] > 0) & (lev[:, None] != lev[None, :]) & (group[:, None] == group[None, :])
    )
    if not q.size:
        return False
    factor = keep[lev[q], p] * keep[lev[p], q] / (1.0 - m[at][q])  # times per_keep[p]
    return bool((total - np.einsum("ek,ek->e", factor, per_keep[p])).max() > threshold)
