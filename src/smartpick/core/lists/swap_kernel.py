"""The best swap of a P(match) list compiled (numba), with a bound that spares most of its search.

With every preference value 1, P(match) = 1 - w.Q where Q is the product of (1 - m) over the
listed programs at each quadrature node. Swapping d in at level s for c multiplies Q by
(1 - m_ds) / (1 - m_c), so the swap gains

    g(d, c, s) = sum_k m_dsk w_k Q_k / (1 - m_ck) - loss_c,   loss_c = sum_k m_ck w_k Q_k / (1 - m_ck).

Since 1 / (1 - m_ck) = 1 + m_ck / (1 - m_ck), the first sum is d's gain now plus
sum_k m_dsk w_k Q_k m_ck / (1 - m_ck); with G the largest gain now and U_k the largest m at node k
over the programs of the pool (and levels) that may come in for c,

    g(d, c, s) <= G + sum_k U_k w_k Q_k m_ck / (1 - m_ck) - loss_c   for every d and s.

A listed program whose bound does not exceed the gain sought cannot go out in any swap that gains
more: `best_swap` searches the others only (on real lists, few or none).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from smartpick.core.lists.kernel_cache import use_cache_named_after_sources

use_cache_named_after_sources()

# sums over the nodes may be reordered (vectorised): that moves them by rounding only, which the
# tie rule and the margin absorb; no assumption about infinities or NaN (the code compares with inf)
_SUMS = {"reassoc", "contract"}
# the bound and the exact gains round differently: a listed program is searched unless its bound
# is below the gain sought by this much (absolute) and this fraction of the terms' size
_MARGIN = 1e-13
_RELATIVE = 1e-12
_U_SAFE = 0.999  # `_cannot_go_out` is used only below this largest chance at a node


# Every kernel here compiles with error_model="numpy": a division is the plain IEEE one, without
# numba's test for a zero divisor (no divisor here can be zero): no branch, and loops over nodes
# may vectorize; the same bits (bench/same_outputs.py). `_gain` is called in the innermost loops.
@njit(cache=True, error_model="numpy", fastmath=_SUMS, inline="always")
def _gain(M, wq, s, p):  # type: ignore[no-untyped-def]
    """What adding p at level s gains now: sum_k m_psk w_k Q_k."""
    g = 0.0
    for k in range(M.shape[2]):
        g += M[s, p, k] * wq[k]
    return g


@njit(cache=True, error_model="numpy")
def rising_levels(M, out):  # type: ignore[no-untyped-def]
    """out[p]: m_p does not fall from one signal level to the next at any node, so p's gain now
    is largest at the top level (sums of larger non-negative terms in the same order round no
    lower)."""
    levels, n, K = M.shape
    for p in range(n):
        out[p] = True
        for s in range(1, levels):
            for k in range(K):
                if M[s, p, k] < M[s - 1, p, k]:
                    out[p] = False
    return out


@njit(cache=True, error_model="numpy", fastmath=_SUMS, inline="always")
def _cannot_go_out(M, wq, held, c, h, freed, top, env_open, env_at, floor):  # type: ignore[no-untyped-def]
    """Whether `best_swap`'s bound for taking c out is surely below the gain sought, found
    without its divisions. With x_k = w_k Q_k m_ck >= 0 and 1 / (1 - m_ck) >= 1, the bound's
    test (`top - sum_k x_k (1 - U_k) / (1 - m_ck)` against `floor` less the margins, the
    relative one on `|top| + sum_k x_k (1 + U_k) / (1 - m_ck)`) fails whenever it fails with
    every 1 / (1 - m_ck) at 1 and both margins doubled (the doubling covers both tests'
    rounding), as long as each U_k leaves (1 - U_k) - 2 _RELATIVE (1 + U_k) positive."""
    low = spread = 0.0
    safe = True
    for k in range(M.shape[2]):
        u = max(env_open[k], env_at[held, h, k]) if freed else env_open[k]
        x = M[held, c, k] * wq[k]
        low += x * (1.0 - u)
        spread += x * (1.0 + u)
        safe &= u < _U_SAFE
    slack = 2.0 * (_MARGIN + _RELATIVE * (abs(top) + spread))
    return safe and top - low + slack < floor


# fmt: off
@njit(cache=True, error_model="numpy", fastmath=_SUMS)
def best_swap(  # type: ignore[no-untyped-def]
    M, w, Q, sel, lev, fixed, eligible, sig_group, fee_group, fee_counts, marginal, fee, fee_cap,
    pool, open_, floor, rising,
):
# fmt: on
    """The best swap (d in at a level open to it, or freed by c in its signal group; c out) whose
    fees stay within `fee_cap` and that gains more than `floor`: (gain, d, c, level), d = -1 if
    none (a swap gaining at most `floor` may be returned too). The programs to swap in are the
    `pool` with the largest gain now at any level (ties to the lowest position); `rising`: as
    `rising_levels` makes it."""
    levels, n, K = M.shape
    out_c, add = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    C = A = 0
    for p in range(n):
        if sel[p] and not fixed[p]:
            out_c[C] = p
            C += 1
        elif eligible[p] and not sel[p]:
            add[A] = p
            A += 1
    best, bd, bc, bs = 0.0, -1, -1, 0
    if C == 0 or A == 0:
        return best, bd, bc, bs
    wq = w * Q
    now = np.full(A, -np.inf)
    for i in range(A):
        if rising[add[i]]:  # the top level's gain is the largest
            now[i] = _gain(M, wq, levels - 1, add[i])
            continue
        for s in range(levels):
            now[i] = max(now[i], _gain(M, wq, s, add[i]))
    kth, ties = -np.inf, A
    if pool < A:
        kth = np.partition(now, A - pool)[A - pool]
        ties = pool
        for i in range(A):
            if now[i] > kth:
                ties -= 1
    members = np.empty(A, dtype=np.int64)  # the pool's programs, in position order
    P, left = 0, ties
    for i in range(A):
        if now[i] < kth or (now[i] == kth and left <= 0):
            continue
        if now[i] == kth:
            left -= 1
        members[P] = add[i]
        P += 1
    # the bound's G and U over the pool: at the levels open to each program, and per level and
    # signal group (a level the program going out frees)
    groups = max(sig_group.max(), 0) + 1
    top_open, top_at = -np.inf, np.full((levels, groups), -np.inf)
    env_open, env_at = np.zeros(K), np.zeros((levels, groups, K))
    for i in range(P):
        d, h = members[i], sig_group[members[i]]
        for s in range(levels):
            g = _gain(M, wq, s, d)
            if open_[s, d]:
                top_open = max(top_open, g)
                for k in range(K):
                    env_open[k] = max(env_open[k], M[s, d, k])
            if h >= 0:
                top_at[s, h] = max(top_at[s, h], g)
                for k in range(K):
                    env_at[s, h, k] = max(env_at[s, h, k], M[s, d, k])
    inv = np.empty((C, K))
    loss = np.zeros(C)
    search = np.zeros(C, dtype=np.bool_)
    for j in range(C):
        c, held = out_c[j], lev[out_c[j]]
        h = sig_group[c]
        freed = held > 0 and h >= 0
        top = max(top_open, top_at[held, h]) if freed else top_open
        if _cannot_go_out(M, wq, held, c, h, freed, top, env_open, env_at, floor):
            continue  # search[j] stays False, as the exact bound below would leave it
        for k in range(K):
            m = M[held, c, k]
            inv[j, k] = 1.0 / (1.0 - m)
            loss[j] += m * inv[j, k] * wq[k]
        mixed = 0.0  # sum_k U_k w_k Q_k m_ck / (1 - m_ck)
        for k in range(K):
            u = max(env_open[k], env_at[held, h, k]) if freed else env_open[k]
            mixed += u * wq[k] * M[held, c, k] * inv[j, k]
        size = abs(top) + mixed + loss[j]
        search[j] = top + mixed - loss[j] > floor - _MARGIN - _RELATIVE * size
    if not search.any():
        return best, bd, bc, bs
    for s in range(levels):
        top, top_d, top_c = -np.inf, -1, -1
        for i in range(P):
            d = members[i]
            for j in range(C):
                if not search[j]:
                    continue
                c = out_c[j]
                freed = lev[c] == s and s > 0 and sig_group[d] == sig_group[c] and sig_group[d] >= 0
                if not (open_[s, d] or freed):
                    continue
                same = 1 if fee_group[d] == fee_group[c] else 0
                paid = (
                    fee
                    - marginal[fee_counts[fee_group[c]] - 1]
                    + marginal[fee_counts[fee_group[d]] - same]
                )
                if paid > fee_cap:
                    continue
                g = -loss[j]  # Q becomes Q (1 - m_ds) / (1 - m_c)
                for k in range(K):
                    g += M[s, d, k] * wq[k] * inv[j, k]
                if g > top:
                    top, top_d, top_c = g, d, c
        if top > best:
            best, bd, bc, bs = top, top_d, top_c, s
    return best, bd, bc, bs
