"""The polish of a P(match) list compiled (numba): swaps and signal moves, and the exact test of
whether a polish could change a list.

With every preference value 1, P(match) = 1 - w.Q where Q is the product of (1 - m) over the
listed programs at each quadrature node. A change of a few programs multiplies Q by known
factors, so every move's gain is a closed form:
- swap d in at level s for c: Q (1 - m_ds) / (1 - m_c);
- p to signal level s: Q (1 - m_ps) / (1 - m_p);
- p to level s and q (holding s) to p's old level l: Q (1 - m_ps)(1 - m_ql) / ((1 - m_p)(1 - m_q)).
The polish (`polish`) follows `core.lists.polish` (which keeps the rules for preference values):
swaps within the stage's fees among the 64 programs that gain most now (`core.lists.swap_kernel`),
then signal moves ranked by their gain and checked exactly, for up to 3 rounds. The chain
(`core.lists.chain_kernel`) also uses these closed forms to skip the polishes that could not
change a list (`best_swap`, `signal_move_may_help`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from smartpick.core.lists.kernel_cache import use_cache_named_after_sources
from smartpick.core.lists.swap_kernel import _SUMS, best_swap, rising_levels

use_cache_named_after_sources()

_TOL = 1e-12  # as core.lists.types
_TIE = 1e-12
_MAX_SWAPS = 8  # as core.lists.types: swaps per round, rounds, signal moves checked per round
_ROUNDS = 3
_SIGNAL_TRIES = 6
_EXCHANGE_SLACK = 1e-3
# closed forms and the polish's own arithmetic differ by rounding (about 1e-15 here): a move whose
# gain is within this margin of the polish's tolerance counts as one that may help
_MARGIN = 1e-13


# Every kernel here compiles with error_model="numpy": a division is the plain IEEE one, without
# numba's test for a zero divisor (no divisor here can be zero): no branch, and loops over nodes
# may vectorize; the same bits (bench/same_outputs.py).
@njit(cache=True, error_model="numpy")
def _levels_open(allow, used, sig_group, signalable, out):  # type: ignore[no-untyped-def]
    """out[l, p]: may p take level l given the allowance left in its group; the number of levels
    worth weighing (1 once every signal is used)."""
    levels, n = out.shape
    any_signal = False
    for p in range(n):
        out[0, p] = True
        g = sig_group[p]
        for s in range(1, levels):
            ok = signalable[p] and allow[max(g, 0), s] - used[max(g, 0), s] > 0
            out[s, p] = ok
            any_signal = any_signal or ok
    return levels if any_signal else 1


@njit(cache=True, error_model="numpy")
def refresh_q(M, w, sel, lev, Q):  # type: ignore[no-untyped-def]
    """Q = the product of (1 - m) over the listed programs (in position order); returns w.Q's
    complement, P(match)."""
    n, K = M.shape[1], M.shape[2]
    q = np.ones(K)  # a product of its own: kept in registers, where Q might alias M
    for p in range(n):
        if sel[p]:
            s = lev[p]
            for k in range(K):
                q[k] *= 1.0 - M[s, p, k]
    f = 1.0
    for k in range(K):
        Q[k] = q[k]
        f -= q[k] * w[k]
    return f


@njit(cache=True, error_model="numpy", fastmath=_SUMS)
def signal_move_may_help(M, wq, sel, lev, sig_group, signalable, open_):  # type: ignore[no-untyped-def]
    """Whether moving p to a level open in its group, or p and q exchanging levels in the same
    group, raises P(match) by more than the polish's tolerance.

    A move of p alone to level s multiplies Q by r = (1 - m_ps) / (1 - m_p) and gains
    G = sum_k wq_k (1 - r_k). An exchange multiplies Q by r_p r_q, so with x = 1 - r it gains
    G_p + G_q - sum_k wq_k x_pk x_qk <= G_p + G_q + sqrt(S_p S_q), S = sum_k wq_k x_k^2
    (Cauchy-Schwarz): the exchanges this bound rules out by a margin far above rounding are
    not weighed (on real lists, nearly all)."""
    levels, n, K = M.shape
    if levels < 2:
        return False
    threshold = _TOL - _MARGIN
    total = 0.0
    for k in range(K):
        total += wq[k]
    listed = np.empty(n, dtype=np.int64)  # the listed programs that may take a signal
    J = 0
    for p in range(n):
        if sel[p] and signalable[p]:
            listed[J] = p
            J += 1
    inv = np.empty((J, K))  # 1 / (1 - m) at each one's level now
    for j in range(J):
        p, held = listed[j], lev[listed[j]]  # read once: the loop over the nodes is vectorised
        for k in range(K):
            inv[j, k] = 1.0 / (1.0 - M[held, p, k])
    # G and S of each one's move to each signal level, and of a signalled one's to each level
    gain, square = np.zeros((J, levels)), np.zeros((J, levels))
    for j in range(J):
        p = listed[j]
        for s in range(0 if lev[p] else 1, levels):
            if s == lev[p]:
                continue
            kept = spread = 0.0
            for k in range(K):
                r = (1.0 - M[s, p, k]) * inv[j, k]
                kept += r * wq[k]
                spread += (1.0 - r) * (1.0 - r) * wq[k]
            gain[j, s], square[j, s] = total - kept, spread
            if s and open_[s, p] and total - kept > threshold:
                return True
    for i in range(J):
        q = listed[i]
        if lev[q] == 0:
            continue
        for j in range(J):
            p = listed[j]
            if lev[p] == lev[q] or sig_group[p] != sig_group[q]:
                continue
            b, a = lev[q], lev[p]  # p takes q's level, q takes p's
            cross = np.sqrt(square[j, b] * square[i, a])
            if gain[j, b] + gain[i, a] + cross < threshold - _MARGIN:
                continue
            kept = 0.0
            for k in range(K):
                kept += (1.0 - M[b, p, k]) * (1.0 - M[a, q, k]) * inv[i, k] * inv[j, k] * wq[k]
            if total - kept > threshold:
                return True
    return False


@njit(cache=True, error_model="numpy")
def _move(sel, lev, used, sig_group, fee_group, fee_counts, marginal, fee, p, level):  # type: ignore[no-untyped-def]
    """Put p in the list at `level` (level -1: take it out); returns the new fee."""
    if lev[p] > 0 and sel[p]:
        used[sig_group[p], lev[p]] -= 1
    if sel[p]:
        fee_counts[fee_group[p]] -= 1
        fee -= marginal[fee_counts[fee_group[p]]]
    sel[p] = level >= 0
    lev[p] = max(level, 0)
    if level >= 0:
        if level > 0:
            used[sig_group[p], level] += 1
        fee += marginal[fee_counts[fee_group[p]]]
        fee_counts[fee_group[p]] += 1
    return fee


# fmt: off
@njit(cache=True, error_model="numpy")
def _swap_pass(  # type: ignore[no-untyped-def]
    M, w, Q, f, sel, lev, fixed, eligible, sig_group, signalable, allow, used, fee_group,
    fee_counts, marginal, fee, fee_cap, pool, open_, rising, found,
):
# fmt: on
    """Apply the best swap (`best_swap`) if it raises P(match); returns (applied, P(match),
    fee). `found`: that best swap (gain, d, c, level) when the caller searched it already on
    this list (d = -2: not searched)."""
    floor = _TOL * max(1.0, f)
    best, bd, bc, bs = found
    if bd == -2:
        _levels_open(allow, used, sig_group, signalable, open_)
        best, bd, bc, bs = best_swap(
            M, w, Q, sel, lev, fixed, eligible, sig_group, fee_group, fee_counts, marginal, fee,
            fee_cap, pool, open_, floor, rising,
        )  # fmt: skip
    if bd < 0 or best <= floor:
        return False, f, fee
    old = lev[bc]
    new_fee = _move(sel, lev, used, sig_group, fee_group, fee_counts, marginal, fee, bc, -1)
    new_fee = _move(sel, lev, used, sig_group, fee_group, fee_counts, marginal, new_fee, bd, bs)
    trial = np.empty(M.shape[2])
    f_new = refresh_q(M, w, sel, lev, trial)
    if f_new <= f + _TOL or new_fee > fee_cap:  # not better after all: undo
        _move(sel, lev, used, sig_group, fee_group, fee_counts, marginal, new_fee, bd, -1)
        _move(sel, lev, used, sig_group, fee_group, fee_counts, marginal, fee, bc, old)
        return False, f, fee
    Q[:] = trial
    return True, f_new, new_fee


@njit(cache=True, error_model="numpy")
def _before(g, p, q, s, g2, p2, q2, s2):  # type: ignore[no-untyped-def]
    """Whether move (g, p, q, s) comes before (g2, p2, q2, s2): larger gain, then positions."""
    if g != g2:
        return g > g2
    if p != p2:
        return p < p2
    if q != q2:
        return q < q2
    return s < s2


@njit(cache=True, error_model="numpy", fastmath=_SUMS)
def _signal_round(M, w, Q, f, sel, lev, sig_group, signalable, allow, used, open_):  # type: ignore[no-untyped-def]
    """One round of signal moves: rank every upgrade or move to an open level and every exchange
    within a group by its gain, check the best `_SIGNAL_TRIES` exactly in that order, apply the
    first that raises P(match); returns (applied, P(match))."""
    levels, n, K = M.shape
    idx = np.empty(n, dtype=np.int64)
    J = 0
    for p in range(n):
        if sel[p] and signalable[p]:
            idx[J] = p
            J += 1
    if J == 0:
        return False, f
    # change[l, j]: what putting idx[j] at level l gains, the others unchanged (exact)
    change = np.empty((levels, J))
    for j in range(J):
        p = idx[j]
        for s in range(levels):
            g = 0.0
            for k in range(K):
                m = M[lev[p], p, k]
                g += (M[s, p, k] - m) * (Q[k] / (1.0 - m)) * w[k]
            change[s, j] = g
    _levels_open(allow, used, sig_group, signalable, open_)
    size = (levels - 1) * (_SIGNAL_TRIES + J)
    gain = np.empty(size)
    mp, mq, ms = np.empty(size, np.int64), np.empty(size, np.int64), np.empty(size, np.int64)
    count = 0
    up = np.empty(J)
    for s in range(1, levels):
        for j in range(J):
            up[j] = change[s, j] if lev[idx[j]] != s else -np.inf
        taken = np.zeros(J, dtype=np.bool_)
        for _ in range(_SIGNAL_TRIES):  # upgrades or moves to s, best first (ties: position)
            top, tj = -np.inf, -1
            for j in range(J):
                if not taken[j] and open_[s, idx[j]] and up[j] > top:
                    top, tj = up[j], j
            if tj < 0 or top <= _TOL:
                break
            taken[tj] = True
            gain[count], mp[count], mq[count], ms[count] = top, idx[tj], -1, s
            count += 1
        for h in range(J):  # a holder of s takes a candidate's level, the candidate takes s
            if lev[idx[h]] != s:
                continue
            top, tj = -np.inf, -1
            for j in range(J):
                if sig_group[idx[j]] == sig_group[idx[h]]:
                    g = up[j] + change[lev[idx[j]], h]
                    if g > top:
                        top, tj = g, j
            if tj >= 0 and top > -_EXCHANGE_SLACK:
                gain[count], mp[count], mq[count], ms[count] = top, idx[tj], idx[h], s
                count += 1
    tried = np.zeros(count, dtype=np.bool_)
    trial = np.empty(K)
    for _ in range(min(count, _SIGNAL_TRIES)):
        t = -1  # the next move by (-gain, p, q, level)
        for u in range(count):
            if tried[u]:
                continue
            if t < 0 or _before(gain[u], mp[u], mq[u], ms[u], gain[t], mp[t], mq[t], ms[t]):
                t = u
        tried[t] = True
        p, q, s = mp[t], mq[t], ms[t]
        old = lev[p]
        lev[p] = s
        if q >= 0:
            lev[q] = old
        f_new = refresh_q(M, w, sel, lev, trial)
        if f_new > f + _TOL:
            used[sig_group[p], s] += 1
            if old > 0:
                used[sig_group[p], old] -= 1
            if q >= 0:
                used[sig_group[q], s] -= 1
                if old > 0:
                    used[sig_group[q], old] += 1
            Q[:] = trial
            return True, f_new
        lev[p] = old
        if q >= 0:
            lev[q] = s
    return False, f


@njit(cache=True, error_model="numpy")
def _improve_signals(M, w, Q, f, sel, lev, sig_group, signalable, allow, used):  # type: ignore[no-untyped-def]
    """`improve_signals` with Q and f already those of the list."""
    levels, n = M.shape[0], M.shape[1]
    if levels < 2 or not signalable.any():
        return False, f
    open_ = np.empty((levels, n), dtype=np.bool_)
    changed = False
    for _ in range(4 * allow[:, 1:].sum() + 4):
        applied, f = _signal_round(M, w, Q, f, sel, lev, sig_group, signalable, allow, used, open_)
        if not applied:
            break
        changed = True
    return changed, f


_C1 = {"float": "float64[::1]", "int": "int64[::1]", "bool": "boolean[::1]"}
# compiled when this module is imported (or read from the cache), so no request waits for the
# compiler; callers pass writable C-contiguous arrays of exactly these types
_LIST = "float64[:, :, ::1], {float}, {float}, float64, {bool}, {int}".format(**_C1)
_SIGNALS = "{int}, {bool}, int64[:, ::1], int64[:, ::1]".format(**_C1)


@njit(f"Tuple((boolean, float64))({_LIST}, {_SIGNALS})", cache=True, error_model="numpy")
def improve_signals(M, w, Q, f, sel, lev, sig_group, signalable, allow, used):  # type: ignore[no-untyped-def]
    """Upgrade, move or exchange signals while P(match) rises; returns (changed, P(match)). Q is
    recomputed first and follows the list."""
    f = refresh_q(M, w, sel, lev, Q)
    return _improve_signals(M, w, Q, f, sel, lev, sig_group, signalable, allow, used)


NOT_SEARCHED = (0.0, -2, -1, 0)  # `polish_from`'s `found` when no swap was searched yet


# fmt: off
@njit(cache=True, error_model="numpy")
def polish_from(  # type: ignore[no-untyped-def]
    M, w, Q, f, sel, lev, fixed, eligible, sig_group, signalable, allow, used, fee_group,
    fee_counts, marginal, fee, fee_cap, pool, local_search_max, rising, found,
):
# fmt: on
    """`polish` with `rising` (`rising_levels` of M) given, and `found`: the best swap of the
    list as it is, (gain, d, c, level) from `best_swap` with this polish's arguments (its
    `floor` from the recomputed P(match)), or `NOT_SEARCHED`; a caller that searched it already
    spares the polish the same search."""
    open_ = np.empty((M.shape[0], M.shape[1]), dtype=np.bool_)
    f = refresh_q(M, w, sel, lev, Q)
    for _ in range(_ROUNDS):
        swapped = 0
        if sel.sum() <= local_search_max:
            while swapped < _MAX_SWAPS:
                applied, f, fee = _swap_pass(
                    M, w, Q, f, sel, lev, fixed, eligible, sig_group, signalable, allow, used,
                    fee_group, fee_counts, marginal, fee, fee_cap, pool, open_, rising, found,
                )  # fmt: skip
                found = NOT_SEARCHED  # the list may have changed: search again
                if not applied:
                    break
                swapped += 1
        found = NOT_SEARCHED
        moved, f = _improve_signals(M, w, Q, f, sel, lev, sig_group, signalable, allow, used)
        if not moved and not swapped:
            break
    return f, fee


# fmt: off
@njit(
    f"Tuple((float64, int64))({_LIST}, {{bool}}, {{bool}}, {_SIGNALS}, {{int}}, {{int}}, {{int}},"
    " int64, float64, int64, int64)".format(**_C1),
    cache=True, error_model="numpy",
)
def polish(  # type: ignore[no-untyped-def]
    M, w, Q, f, sel, lev, fixed, eligible, sig_group, signalable, allow, used, fee_group,
    fee_counts, marginal, fee, fee_cap, pool, local_search_max,
):
# fmt: on
    """Swaps within `fee_cap`, then signal moves, again while either still improves the list
    (as `core.lists.polish.polish`); returns (P(match), fee). Q is recomputed first (so every
    chain polishing the same list decides alike) and follows the list."""
    rising = rising_levels(M, np.empty(M.shape[1], dtype=np.bool_))
    return polish_from(
        M, w, Q, f, sel, lev, fixed, eligible, sig_group, signalable, allow, used, fee_group,
        fee_counts, marginal, fee, fee_cap, pool, local_search_max, rising, NOT_SEARCHED,
    )  # fmt: skip
