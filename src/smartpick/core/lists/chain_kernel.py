"""The fast chain's stages compiled (numba): add the best program, polish the stage if the
schedule says so and a polish may change it, record it, apply the stopping rule; again, until the
chain ends or a polish changed the list (the caller then records the whole list).

A stage whose polish changed the list is recorded whole (its programs and levels, in `snaps`)
and the stages go on; only when `snaps` has no room left does `grow` return, for the caller to
record that stage from the list itself and call again.

The chain is a sequential loop of small steps (about 200 stages, each weighing 3 x 657 candidates
at 16 quadrature nodes); in numpy each step costs a dozen calls of a few microseconds, compiled
it costs about as much as the arithmetic. The candidates' keys (gain bounds per dollar) are
kept in a tournament tree (`key_tree`), so a stage weighs only the few that may be the best.
The rules are those of `core.lists.optimizer` (`_run_chain`), `core.lists.chain` (`best_add`,
`put`, `levels_open`) and the polish test of
`docs/optimizer.md`: with every preference value 1, P(match) = 1 - w.Q with Q the product of
(1 - m) over the listed programs, so the exact gain of every swap and signal move the polish
(`core.lists.polish_kernel`) may try is a closed form. A polish is skipped only when none of them
raises P(match) by more than the polish's tolerance (less a margin for rounding), or, at the stages
the schedule polishes only when a signal move may help, when no signal move does; the swaps' search
bounds each listed program's swaps first (`core.lists.swap_kernel`). Tests compare
the lists with the general chain's (`optimize_list(problem, reference=True)`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from smartpick.core.lists import key_tree
from smartpick.core.lists.kernel_cache import use_cache_named_after_sources
from smartpick.core.lists.polish_kernel import (
    NOT_SEARCHED,
    _levels_open,
    polish_from,
    refresh_q,
    signal_move_may_help,
)
from smartpick.core.lists.swap_kernel import _gain, best_swap, rising_levels

use_cache_named_after_sources()

# state[]: the chain's integers, read and written by `grow`
FEE, SIZE, STAGE, STOP_AT, CURVE_END = 0, 1, 2, 3, 4
# limits[]: the problem's integers (END_FLOOR and CURVE_PAST: `types.chain_end_terms`;
# PAST_LIMITS_END: 1 when `types.ends_past_limits`)
(
    MAX_PROGRAMS,
    END_FLOOR,
    POLISH_UP_TO,
    POLISH_EVERY,
    LOCAL_SEARCH_MAX,
    TRANSCRIPT,
    SWAP_POOL,
    PAST_LIMITS_END,
) = range(8)
# reals[]: F_NOW (written), the budget for programs (inf: none), and the rule's reals
F_NOW, PROGRAM_BUDGET, FEE_POWER, MATCH_VALUE, CURVE_PAST = 0, 1, 2, 3, 4
# what `grow` returns after its records
ENDED, POLISHED = 0, 1
NOT_WHOLE = -1  # out_at[r] of a stage recorded as its program added (not as a whole list)

_TOL = 1e-12  # as core.lists.types
_TIE = 1e-12
_FEE_FLOOR_USD = 1.0


# Every kernel here compiles with error_model="numpy": a division is the plain IEEE one, without
# numba's test for a zero divisor (no divisor here can be zero): no branch, and loops over nodes
# may vectorize; the same bits (bench/same_outputs.py).
@njit(cache=True, error_model="numpy", fastmath={"nnan", "nsz"})
def _largest(values, m):  # type: ignore[no-untyped-def]
    """The largest of values[:m], -inf for none: a maximum does not depend on the order it is
    taken in, so the loop is vectorised (the keys are never NaN: a gain over a fee of $1 or
    more, inf or -inf; see `_best_add`)."""
    top = -np.inf
    for i in range(m):
        v = values[i]
        top = v if v > top else top
    return top


@njit(cache=True, error_model="numpy")
def _best_add(M, wq, n_levels, denom, bound, key, weighed, tree, at):  # type: ignore[no-untyped-def]
    """(position, level) of the largest gain per dollar, ties to the lowest level then position;
    (-1, -1) when nothing adds anything.

    `bound[s, p]` is a gain computed at an earlier Q of this run, or inf: adding programs only
    lowers Q, so it bounds the gain now (rounding is monotone too). Only the candidates whose
    bound per dollar reaches the best ratio found so far are weighed. `key[s, p]` is that bound
    per dollar, `bound[s, p] / denom[p]`, for a candidate that may still be added (open at level
    s, eligible, not listed, bound above the tolerance) and -inf for any other: `_keys` makes it,
    and this function and the chain keep it, and `tree` and `at` (`key_tree`) over it. The
    candidates are weighed from the largest key down, until the largest left cannot reach the
    best ratio: every candidate whose gain now is within the tie of the best is weighed, so the
    choice is the one a weighing of every candidate makes. `weighed` holds the candidates
    weighed (s * n + p)."""
    n = M.shape[1]
    if tree[1] == np.inf:  # bounds unknown (a run's first stage): every candidate is weighed
        choice = _best_add_weighing_all(M, wq, n_levels, denom, bound, key, weighed)
        key_tree.build(key.ravel(), tree, at)
        return choice
    best = -np.inf
    count = 0
    while tree[1] != -np.inf and not tree[1] < best - _TIE * abs(best):
        top = at[1]
        s, p = top // n, top % n
        g = _gain(M, wq, s, p)
        bound[s, p] = g
        key[s, p] = g / denom[p] if g > _TOL else -np.inf
        key_tree.put(tree, at, top, -np.inf)  # out while the others are weighed
        if g > _TOL:
            best = max(best, key[s, p])
            weighed[count] = top
            count += 1
    for i in range(count):
        key_tree.put(tree, at, weighed[i], key[weighed[i] // n, weighed[i] % n])
    return _first_in_tie(key, weighed, count, best)


@njit(cache=True, error_model="numpy")
def _best_add_weighing_all(M, wq, n_levels, denom, bound, key, weighed):  # type: ignore[no-untyped-def]
    """`_best_add` by a scan of every key (the bounds may be inf: every candidate is weighed)."""
    n = M.shape[1]
    flat = key.ravel()  # levels by positions, as the loops below read them
    top = _largest(flat, n_levels * n)
    if top == -np.inf:
        return -1, -1
    at = 0
    while flat[at] != top:  # the first at its value, as a strict "greater than" scan keeps
        at += 1
    top_s, top_p = at // n, at % n
    best = -np.inf
    count = 0
    g = _gain(M, wq, top_s, top_p)  # the most promising candidate first, then the others
    bound[top_s, top_p] = g
    key[top_s, top_p] = g / denom[top_p] if g > _TOL else -np.inf
    if g > _TOL:
        best = key[top_s, top_p]
        weighed[count] = top_s * n + top_p
        count += 1
    for s in range(n_levels):
        for p in range(n):
            r = key[s, p]
            if r == -np.inf or (s == top_s and p == top_p):
                continue
            if r < best - _TIE * abs(best):
                continue  # its ratio cannot reach the best
            g = _gain(M, wq, s, p)
            bound[s, p] = g
            key[s, p] = g / denom[p] if g > _TOL else -np.inf
            if g > _TOL:
                best = max(best, key[s, p])
                weighed[count] = s * n + p
                count += 1
    return _first_in_tie(key, weighed, count, best)


@njit(cache=True, error_model="numpy")
def _first_in_tie(key, weighed, count, best):  # type: ignore[no-untyped-def]
    """(position, level) of the lowest (level, position) weighed within the tie of the best;
    (-1, -1) when nothing was."""
    if best == -np.inf:
        return -1, -1
    n = key.shape[1]
    floor = best - _TIE * abs(best)
    first = -1
    for i in range(count):
        at = weighed[i]
        if key[at // n, at % n] >= floor and (first < 0 or at < first):
            first = at
    return (first % n, first // n) if first >= 0 else (-1, -1)


@njit(cache=True, error_model="numpy")
def _keys(open_, eligible, sel, denom, bound, key):  # type: ignore[no-untyped-def]
    """`key` for `_best_add` from scratch."""
    levels, n = key.shape
    for s in range(levels):
        for p in range(n):
            if open_[s, p] and eligible[p] and not sel[p] and bound[s, p] > _TOL:
                key[s, p] = bound[s, p] / denom[p]
            else:
                key[s, p] = -np.inf


@njit(cache=True, error_model="numpy")
def _snap(sel, lev, snaps, at):  # type: ignore[no-untyped-def]
    """Write the list (its size, positions ascending, their levels) to snaps[at:]; returns
    where the next one goes."""
    size = 0
    for p in range(sel.size):
        if sel[p]:
            snaps[at + 1 + size] = p
            size += 1
    snaps[at] = size
    for j in range(size):
        snaps[at + 1 + size + j] = lev[snaps[at + 1 + j]]
    return at + 1 + 2 * size


_C1 = {"float": "float64[::1]", "int": "int64[::1]", "bool": "boolean[::1]"}
# Compiled when this module is imported (or read from numba's cache next to it), so no request
# waits for the compiler; the caller passes writable C-contiguous arrays of exactly these types.
_GROW_SIGNATURE = (
    "UniTuple(int64, 2)(float64[:, :, ::1], {float}, {bool}, {bool}, {int}, {bool}, int64[:, ::1],"
    " {int}, {int}, {bool}, {int}, int64[:, ::1], {int}, {float}, {int}, {int}, {float},"
    " {int}, {int}, {float}, {int}, {int}, {int})"
).format(**_C1)


@njit(_GROW_SIGNATURE, cache=True, error_model="numpy")
def grow(  # type: ignore[no-untyped-def]
    M,
    w,
    eligible,
    fixed,
    sig_group,
    signalable,
    allow,
    fee_group,
    marginal,
    sel,
    lev,
    used,
    fee_counts,
    Q,
    state,
    limits,
    reals,
    out_p,
    out_s,
    out_f,
    out_fee,
    out_at,
    snaps,
):
    """Run the chain's stages from the current list (see the module's docstring). Each stage's
    added position, level, P(match) and fees for the programs go to out_p, out_s, out_f, out_fee.
    A stage whose polish changed the list (not only its program) is recorded whole: out_at[r]
    is where `snaps` holds its size, then its positions (ascending), then their levels; for the
    others out_at[r] is NOT_WHOLE. Returns (records, ENDED or POLISHED); with POLISHED, the last
    stage was changed by its polish and `snaps` had no room for it: the caller records the
    whole list (the chain's own) and calls again."""
    levels, n, K = M.shape
    open_ = np.empty((levels, n), dtype=np.bool_)
    bound = np.empty((levels, n))  # see `_best_add`
    bound[:] = np.inf
    key = np.empty((levels, n))  # see `_best_add`
    weighed = np.empty(levels * n, dtype=np.int64)
    leaves = key_tree.leaves_for(levels * n)
    tree, at = np.empty(2 * leaves), np.zeros(2 * leaves, dtype=np.int64)  # over `key`
    keys_stale = True  # `open_` or the fees changed since `key` was made
    rising = rising_levels(M, np.empty(n, dtype=np.bool_))  # see `best_swap`
    denom = np.empty(n)
    group_denom = np.empty(fee_counts.size)
    denom_was = np.full(fee_counts.size, np.nan)  # the group_denom that denom holds
    wq = np.empty(K)
    q_now = np.empty(K)
    has_budget = reals[PROGRAM_BUDGET] < np.inf
    max_programs = limits[MAX_PROGRAMS]
    no_limit = not has_budget and max_programs < 0
    records = 0
    snapped = 0  # the entries of `snaps` written
    stale, n_levels = True, levels
    while True:
        fee, size = state[FEE], state[SIZE]
        fee_before = fee
        past_budget = not has_budget or fee > reals[PROGRAM_BUDGET]
        past_count = max_programs < 0 or size >= max_programs
        if past_budget and past_count:
            if reals[FEE_POWER] != 1.0:
                return records, ENDED  # the other chains only offer lists within the limits
            if not limits[PAST_LIMITS_END] and state[STOP_AT] >= 0 and size >= state[CURVE_END]:
                return records, ENDED
        if no_limit:
            within = state[STOP_AT] < 0
        else:
            within = (not has_budget or fee <= reals[PROGRAM_BUDGET]) and (
                max_programs < 0 or size <= max_programs
            )
            if limits[PAST_LIMITS_END] and size and not within:
                return records, ENDED  # the first stage past the limits (the empty list fits them)
        if stale:  # the signals used changed since `open_` was made
            n_levels = _levels_open(allow, used, sig_group, signalable, open_)
            stale, keys_stale = False, True
        for g in range(fee_counts.size):
            paid = max(float(marginal[fee_counts[g]]), _FEE_FLOOR_USD)
            group_denom[g] = paid ** reals[FEE_POWER]
            if group_denom[g] != denom_was[g]:  # a new fee tier, or the first stage (NaN)
                denom_was[g] = group_denom[g]
                keys_stale = True
        if keys_stale:
            for p in range(n):
                denom[p] = group_denom[fee_group[p]]
            _keys(open_, eligible, sel, denom, bound, key)
            key_tree.build(key.ravel(), tree, at)
            keys_stale = False
        for k in range(K):
            wq[k] = w[k] * Q[k]
        p, s = _best_add(M, wq, n_levels, denom, bound, key, weighed, tree, at)
        if p < 0:
            return records, ENDED
        # put
        sel[p] = True
        lev[p] = s
        key[:, p] = -np.inf  # listed
        for level in range(levels):
            key_tree.put(tree, at, level * n + p, -np.inf)
        if s > 0:
            g = sig_group[p]
            used[g, s] += 1
            # the open levels (and so the keys) change only when the group's allowance at this
            # level runs out, not at every signal placed
            stale = stale or g < 0 or used[g, s] >= allow[g, s]
        fee += marginal[fee_counts[fee_group[p]]]
        fee_counts[fee_group[p]] += 1
        state[FEE] = fee
        f_before = reals[F_NOW]
        for k in range(K):
            Q[k] *= 1.0 - M[s, p, k]
        f = 1.0
        for k in range(K):
            f -= Q[k] * w[k]
        reals[F_NOW] = f
        out_p[records], out_s[records], out_f[records], out_fee[records] = p, s, f, fee
        out_at[records] = NOT_WHOLE
        records += 1
        room = max_programs < 0 or size + 1 < max_programs
        if room and has_budget:
            cheapest = marginal[fee_counts[0]]
            for g in range(1, fee_counts.size):
                cheapest = min(cheapest, marginal[fee_counts[g]])
            room = fee + cheapest <= reals[PROGRAM_BUDGET]
        # without limits, the stages up to POLISH_UP_TO between the POLISH_EVERY-th ones are
        # polished only when a signal move may help (`optimizer._run_chain`)
        swaps_too = (size + 1) % limits[POLISH_EVERY] == 0 or not room
        polish_now = within and (swaps_too or (no_limit and size + 1 <= limits[POLISH_UP_TO]))
        polished = False
        if polish_now:
            fee_cap = float(fee) if reals[FEE_POWER] > 0 else np.inf
            # the polish's first swap, searched as the polish would (Q recomputed as it does)
            f_now = refresh_q(M, w, sel, lev, q_now)
            for k in range(K):
                wq[k] = w[k] * q_now[k]
            if stale:
                n_levels = _levels_open(allow, used, sig_group, signalable, open_)
                stale, keys_stale = False, True
            may, found = False, NOT_SEARCHED
            if swaps_too and size + 1 <= limits[LOCAL_SEARCH_MAX]:
                floor = _TOL * max(1.0, f_now)
                found = best_swap(
                    M, w, q_now, sel, lev, fixed, eligible, sig_group, fee_group, fee_counts,
                    marginal, fee, fee_cap, limits[SWAP_POOL], open_, floor, rising,
                )  # fmt: skip
                may = found[1] >= 0 and found[0] > floor
            if may or signal_move_may_help(M, wq, sel, lev, sig_group, signalable, open_):
                before_sel, before_lev = sel.copy(), lev.copy()
                # the polish's first swap is the one just searched (its Q and open levels are
                # these: `polish_from` recomputes Q as `refresh_q` did here)
                f, fee = polish_from(
                    M, w, Q, f, sel, lev, fixed, eligible, sig_group, signalable, allow, used,
                    fee_group, fee_counts, marginal, fee, fee_cap, limits[SWAP_POOL],
                    limits[LOCAL_SEARCH_MAX], rising, found,
                )  # fmt: skip
                polished = not (np.array_equal(sel, before_sel) and np.array_equal(lev, before_lev))
                state[FEE], reals[F_NOW] = fee, f
                out_f[records - 1], out_fee[records - 1] = f, fee
                if polished:
                    bound[:] = np.inf  # Q may have risen: earlier gains no longer bound
        # the stopping rule: the first stage whose gain does not pay for its fee
        added_fee = fee - fee_before
        if size == 0:  # the first program brings the transcript fee
            added_fee += limits[TRANSCRIPT]
        if state[STOP_AT] < 0 and not (f - f_before) * reals[MATCH_VALUE] >= added_fee:
            state[STOP_AT] = state[STAGE]
            # `types.chain_end`
            state[CURVE_END] = max(limits[END_FLOOR], math.ceil(reals[CURVE_PAST] * size), size + 1)
        state[STAGE] += 1
        state[SIZE] = size + 1
        if polished:
            if snapped + 2 * (size + 1) + 1 > snaps.size:
                return records, POLISHED
            out_at[records - 1] = snapped
            snapped = _snap(sel, lev, snaps, snapped)
            # on as a new run of `grow` would start: the open levels and every key made again
            # (the gains' bounds were reset by the polish)
            stale, keys_stale = True, True
