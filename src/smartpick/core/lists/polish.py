"""Swaps and signal moves: the polish of one stage of the chain (`core.lists.chain`) when the
programs have preference values (P(match) lists are polished by the same rules compiled, in
closed form: `core.lists.polish_kernel`).

A swap takes one program out and another in without raising the stage's fees; a signal move
upgrades a program, or moves or exchanges a signal, where it adds more. Estimates pick the moves
to try; each is kept only if the exact objective rises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from smartpick.core.cancellation import checkpoint
from smartpick.core.lists.types import (
    _EXCHANGE_SLACK,
    _MAX_SWAPS_PER_STAGE,
    _POLISH_ROUNDS,
    _SIGNAL_TRIES,
    _SWAP_POOL,
    _TOL,
    LOCAL_SEARCH_MAX_SIZE,
    FloatArray,
    IntArray,
)

if TYPE_CHECKING:
    from smartpick.core.lists.chain import _Chain


def _top(values: FloatArray, k: int) -> IntArray:
    """Indices (ascending) of the k largest values, ties to the lowest index: the first k of a
    stable sort, without sorting everything."""
    kth = np.partition(values, values.size - k)[values.size - k]
    above = np.flatnonzero(values > kth)
    ties = np.flatnonzero(values == kth)[: k - above.size]
    return np.sort(np.concatenate([above, ties]))


def swap_pass(chain: _Chain, fee_cap: float) -> bool:
    """Apply the best improving swap (one out, one in) within the fee cap; True if applied.

    Programs to swap in are drawn from the `_SWAP_POOL` with the largest gain now (at any
    level): removing one program raises the others' gains only by its own small share.
    """
    removable = np.flatnonzero(chain.sel & ~chain.fixed)
    addable = np.flatnonzero(chain.eligible & ~chain.sel)
    if removable.size == 0 or addable.size == 0:
        return False
    addable, gain = _swap_gains(chain, addable, removable)
    fg = chain.fee_group
    counts = chain.fee_counts
    same_fee = fg[addable][:, None] == fg[removable][None, :]
    new_fee = (
        chain.fee
        - chain.marginal[counts[fg[removable]] - 1][None, :]
        + chain.marginal[counts[fg[addable]][:, None] - same_fee]
    )
    fee_ok = new_fee <= fee_cap
    group_d, group_c = chain.sig_group[addable][:, None], chain.sig_group[removable][None, :]
    open_l = chain.levels_open()[:, addable][:, :, None]
    levels = np.arange(chain.levels)[:, None, None]
    # a signal level is also open to d where c frees it (same group)
    freed = (chain.lev[removable] == levels) & (levels > 0) & (group_d == group_c)
    open_l = open_l | (freed & (group_d >= 0))
    gain = np.where(open_l & fee_ok, gain, -np.inf).reshape(chain.levels, -1)
    first = np.argmax(gain, axis=1)
    best: tuple[float, int, int, int] = (0.0, -1, -1, 0)
    for s, k in enumerate(first):  # the first level with the largest gain
        if gain[s, k] > best[0]:
            row, col = divmod(int(k), removable.size)
            best = (float(gain[s, k]), int(addable[row]), int(removable[col]), s)
    improvement, d, c, s = best
    if d < 0 or improvement <= _TOL * max(1.0, chain.f):
        return False
    saved = chain.save()
    chain.drop(c)
    chain.put(d, s)
    if chain.objective_now() <= chain.f + _TOL or chain.fee > fee_cap:
        chain.restore(saved)
        return False
    chain.refresh()
    return True


def _swap_gains(
    chain: _Chain, addable: IntArray, removable: IntArray
) -> tuple[IntArray, FloatArray]:
    """The swap pool (at most `_SWAP_POOL` of `addable`, by their gain now) and the estimated
    gain of swapping each of them (at each level) in for each removable program, (L, P, C)."""
    base = chain.v[addable, None] * chain.A[addable] - chain.B[addable]
    H_all = chain.M[:, addable] * base  # (L, P, K)
    now = (H_all @ chain.w).max(axis=0)
    if addable.size > _SWAP_POOL:
        keep = _top(now, _SWAP_POOL)
        addable, H_all = addable[keep], H_all[:, keep]
    m = chain.m[removable]
    D = chain.v[removable, None] * chain.A[removable] - chain.B[removable] / (1.0 - m)
    ell = m * D  # (C, K) per-node loss of removing c (`removal_terms`)
    loss = ell @ chain.w  # (C,)
    inv = 1.0 / (1.0 - m)  # (C, K)
    after = addable[:, None] > removable[None, :]  # d is less preferred than c
    g = H_all @ chain.w  # (L, P)
    gain_after = (H_all * chain.w) @ inv.T
    gain_before = g[:, :, None] + (chain.M[:, addable] * chain.w) @ ell.T
    return addable, np.where(after, gain_after, gain_before) - loss


def polish(chain: _Chain, fee_cap: float) -> None:
    """Swaps, then signal moves, again while either still improves the list."""
    for _ in range(_POLISH_ROUNDS):
        swapped = 0
        if int(chain.sel.sum()) <= LOCAL_SEARCH_MAX_SIZE:
            while swapped < _MAX_SWAPS_PER_STAGE and swap_pass(chain, fee_cap):
                checkpoint()
                swapped += 1
        if not improve_signals(chain) and not swapped:
            return


def improve_signals(chain: _Chain) -> bool:
    """Upgrade, move or exchange signals while the objective rises; True if any changed.

    Only programs in the list can take a signal, so the estimates are computed for them."""
    if chain.levels < 2 or not chain.signalable.any():
        return False
    changed = False
    for _ in range(4 * int(chain.allow[:, 1:].sum()) + 4):
        checkpoint()
        idx = np.flatnonzero(chain.sel & chain.signalable)  # ascending positions
        if not idx.size:
            return changed
        m = chain.m[idx]
        A, B = chain.listed_terms(idx)
        D = chain.v[idx, None] * A - B / (1.0 - m)  # `removal_terms`
        # change[l, j]: estimated gain of putting idx[j] at level l (others unchanged)
        change = np.einsum("lnk,nk,k->ln", chain.M[:, idx] - m[None], D, chain.w)
        lev, group = chain.lev[idx], chain.sig_group[idx]
        # (estimated gain, p, q, level for p); q (if any) takes p's old level
        moves: list[tuple[float, int, int, int]] = []
        open_now = chain.levels_open()
        for s in range(1, chain.levels):
            up = np.where(lev != s, change[s], -np.inf)
            open_up = np.where(open_now[s, idx], up, -np.inf)
            top = np.argsort(-open_up, kind="stable")[:_SIGNAL_TRIES]
            top = top[open_up[top] > _TOL]
            moves += [
                (g, p, -1, s) for g, p in zip(open_up[top].tolist(), idx[top].tolist(), strict=True)
            ]
            holders = np.flatnonzero(lev == s)
            if not holders.size:
                continue
            # each holder moving to each candidate's level, with the candidate taking s
            q_change = change[lev[None, :], holders[:, None]]  # (holders, candidates)
            same = group[None, :] == group[holders][:, None]
            gain = np.where(same, up[None, :] + q_change, -np.inf)
            first = np.argmax(gain, axis=1)
            best = gain[np.arange(holders.size), first]
            # the estimate leaves out the two changes' interaction, which favours
            # exchanges: near-zero estimates are worth checking exactly
            near = np.flatnonzero(best > -_EXCHANGE_SLACK)
            j = first[near]
            moves += [
                (g, p, q, s)
                for g, p, q in zip(
                    best[near].tolist(),
                    idx[j].tolist(),
                    idx[holders[near]].tolist(),
                    strict=True,
                )
            ]
        moves.sort(key=lambda move: (-move[0], move[1], move[2], move[3]))
        if not _apply_first_signal_move(chain, [move[1:] for move in moves[:_SIGNAL_TRIES]]):
            return changed
        changed = True
    return changed


def _apply_first_signal_move(chain: _Chain, moves: list[tuple[int, int, int]]) -> bool:
    """Apply the first move (p, q, s) that raises F: p takes level s and q, if any, p's old
    level. True if one did. Every move is weighed exactly on the current list at once, with
    the arithmetic of `objective_now` (the same numbers as trying them one by one)."""
    if not moves:
        return False
    chosen = np.flatnonzero(chain.sel)
    levels = np.repeat(chain.lev[chosen][None, :], len(moves), axis=0)  # (moves, |S|)
    for t, (p, q, s) in enumerate(moves):
        at_p = np.searchsorted(chosen, p)
        if q >= 0:
            levels[t, np.searchsorted(chosen, q)] = levels[t, at_p]
        levels[t, at_p] = s
    m = chain.M[levels, chosen[None, :]]  # (moves, |S|, K)
    A = np.ones_like(m)
    A[:, 1:] = np.cumprod(1.0 - m, axis=1)[:, :-1]
    sums = (chain.v[chosen, None] * m * A).sum(axis=1)
    for t, (p, q, s) in enumerate(moves):
        if float(sums[t] @ chain.w) > chain.f + _TOL:
            old_p = int(chain.lev[p])
            if q >= 0:
                chain.set_level(q, 0)
            chain.set_level(p, s)
            if q >= 0:
                chain.set_level(q, old_p)
            chain.refresh()
            return True
    return False
