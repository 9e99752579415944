"""The chain of lists, one per size: add by gain per dollar, then improve by swaps and signal moves.

See `core.lists.optimizer` for the method; all gains come in closed form from prefix products.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from smartpick.core.cancellation import checkpoint
from smartpick.core.chances.matrix import SIGNAL_LEVELS
from smartpick.core.lists.fees import FeeSchedule
from smartpick.core.lists.types import (
    _EXCHANGE_SLACK,
    _FEE_FLOOR_USD,
    _M_CAP,
    _MAX_SWAPS_PER_STAGE,
    _POLISH_ROUNDS,
    _SIGNAL_TRIES,
    _SWAP_POOL,
    _TIE,
    _TOL,
    LOCAL_SEARCH_MAX_SIZE,
    FloatArray,
    IntArray,
    ListProblem,
)


@functools.lru_cache(maxsize=32)
def _marginal_fees(schedule: FeeSchedule, n: int) -> IntArray:
    """The fee of the k-th program of a specialty, k = 1..n+1 (read-only; one per schedule)."""
    fees = np.array([schedule.marginal_fee_usd(k) for k in range(n + 1)], dtype=np.int64)
    fees.flags.writeable = False
    return fees


def _top(values: FloatArray, k: int) -> IntArray:
    """Indices (ascending) of the k largest values, ties to the lowest index: the first k of a
    stable sort, without sorting everything."""
    kth = np.partition(values, values.size - k)[values.size - k]
    above = np.flatnonzero(values > kth)
    ties = np.flatnonzero(values == kth)[: k - above.size]
    return np.sort(np.concatenate([above, ties]))


class _Chain:
    """Working state in preference order (position p = the p-th most preferred program)."""

    def __init__(self, problem: ListProblem) -> None:
        cm = problem.chances
        n = problem.size
        values = np.ones(n) if problem.values is None else np.asarray(problem.values, float)
        self.order = np.lexsort((np.arange(n), -values))  # position -> program index
        self.pos_of = np.empty(n, dtype=np.int64)
        self.pos_of[self.order] = np.arange(n)
        levels = cm.levels
        conv = cm.point_conversion[self.order]
        self.M = np.stack(
            [np.minimum(arr[self.order] * conv, _M_CAP) for arr in cm.point_interview]
        )  # (L, n, K)
        self.w = cm.weights
        self.v = values[self.order]
        self.unit_values = problem.values is None  # P(match): every value is 1
        self.levels = levels

        fee_names = sorted(set(problem.fee_groups))
        fee_index = {name: g for g, name in enumerate(fee_names)}
        self.fee_group = np.array([fee_index[g] for g in problem.fee_groups], np.int64)[self.order]
        self.fee_counts = np.zeros(len(fee_names), dtype=np.int64)
        self.marginal = _marginal_fees(problem.fee_schedule, n)

        sig_names = sorted({g for g in problem.signal_groups if g is not None})
        self.sig_group = np.full(n, -1, dtype=np.int64)
        if problem.signal_groups:
            sig_index = {name: g for g, name in enumerate(sig_names)}
            groups = [-1 if g is None else sig_index[g] for g in problem.signal_groups]
            self.sig_group = np.asarray(groups, dtype=np.int64)[self.order]
        self.signalable = self.sig_group >= 0
        # allowance[g, level]; level 0 (no signal) is unlimited
        self.allow = np.zeros((max(len(sig_names), 1), levels), dtype=np.int64)
        self.allow[:, 0] = n + 1
        for g, name in enumerate(sig_names):
            gold, silver = problem.signal_allowances.get(name, (0, 0))
            for level, count in (("gold", gold), ("silver", silver)):
                s = SIGNAL_LEVELS.index(level)
                if s < levels:
                    self.allow[g, s] = count
        self.used = np.zeros_like(self.allow)
        self._open_key: bytes | None = None
        self._open = np.zeros((levels, n), dtype=bool)
        self._open_levels = levels
        self._addable: NDArray[np.bool_] | None = None  # see `addable`
        self._denominators: dict[tuple[bytes, float], FloatArray] = {}

        self.sel = np.zeros(n, dtype=bool)
        self.lev = np.zeros(n, dtype=np.int64)
        self.fixed = np.zeros(n, dtype=bool)
        self.eligible = np.zeros(n, dtype=bool)
        cand = range(n) if problem.candidates is None else problem.candidates
        self.eligible[self.pos_of[np.asarray(list(cand), dtype=np.int64)]] = True
        if problem.excluded:
            self.eligible[self.pos_of[np.asarray(problem.excluded, dtype=np.int64)]] = False
        self.fee = 0
        self.refresh()

    def adopt(self, other: _Chain) -> None:
        """Take over another chain's list (programs, signals, fees, fixed and eligible ones)."""
        self.restore(other.save())
        self.fixed, self.eligible = other.fixed.copy(), other.eligible.copy()
        self.refresh()

    def exclude(self, positions: NDArray[np.bool_]) -> None:
        """Positions that may no longer be added (a mask)."""
        self.eligible[positions] = False
        self._addable = None

    # --- state -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the objective and the products and sums behind the gains (`A`, `B`) for
        the current list."""
        # Products and sums run over the listed rows only; `A` and `B` spread them to every
        # position when read: the other rows (m = 0) would multiply by 1 and add 0, so the
        # numbers are the same bit for bit.
        chosen = np.flatnonzero(self.sel)
        m_sel = self.M[self.lev[chosen], chosen]
        prefix = np.ones((chosen.size + 1, m_sel.shape[1]))  # [j]: product over the first j
        np.cumprod(1.0 - m_sel, axis=0, out=prefix[1:])
        t_sel = self.v[chosen, None] * m_sel * prefix[:-1]
        suffix = np.zeros_like(prefix)  # suffix[j]: sum from the j-th listed on
        suffix[:-1] = np.cumsum(t_sel[::-1], axis=0)[::-1]
        m = np.zeros(self.M.shape[1:])
        m[chosen] = m_sel
        self.m, self.Q = m, prefix[-1]  # Q: P(no match) per node
        self._listed = chosen, prefix, suffix, t_sel
        self._spread: tuple[FloatArray, FloatArray] | None = None
        self.f = float(t_sel.sum(axis=0) @ self.w)

    def listed_terms(self, idx: IntArray) -> tuple[FloatArray, FloatArray]:
        """`A` and `B` at listed positions `idx` (ascending), without spreading them."""
        chosen, prefix, suffix, t_sel = self._listed
        j = np.searchsorted(chosen, idx)
        return prefix[j], suffix[j] - t_sel[j]

    def _spread_terms(self) -> tuple[FloatArray, FloatArray]:
        if self._spread is None:
            chosen, prefix, suffix, t_sel = self._listed
            before = np.searchsorted(chosen, np.arange(self.M.shape[1]))  # listed before each
            T = np.zeros_like(self.m)
            T[chosen] = t_sel
            self._spread = prefix[before], suffix[before] - T
        return self._spread

    @property
    def A(self) -> FloatArray:
        """(n, K): product of (1 - m) over the listed programs preferred to each position."""
        return self._spread_terms()[0]

    @property
    def B(self) -> FloatArray:
        """(n, K): sum of v m A over the listed programs less preferred than each position."""
        return self._spread_terms()[1]

    def objective_now(self) -> float:
        """F of the current selection and levels, from the selected rows only (no refresh)."""
        chosen = np.flatnonzero(self.sel)
        if chosen.size == 0:
            return 0.0
        m = self.M[self.lev[chosen], chosen]
        A = np.ones_like(m)
        A[1:] = np.cumprod(1.0 - m, axis=0)[:-1]
        return float((self.v[chosen, None] * m * A).sum(axis=0) @ self.w)

    def add_gains(self, levels: int | None = None) -> FloatArray:
        """Objective gain of adding each position at each level, (L, n) (unselected only); with
        `levels`, at the first `levels` levels only."""
        base = self.v[:, None] * self.A - self.B
        return np.einsum("lnk,nk,k->ln", self.M[:levels], base, self.w)

    def removal_terms(self) -> FloatArray:
        """D with f(S) - f(S - c) = w . (m_c * D_c) for selected c, (n, K)."""
        return self.v[:, None] * self.A - self.B / (1.0 - self.m)

    def levels_open(self) -> NDArray[np.bool_]:
        """(L, n): may each position take each level given the allowance left in its signal group
        (read-only; kept while the signals used do not change)."""
        key = self.used.tobytes()
        if self._open_key != key:
            g = np.maximum(self.sig_group, 0)
            out = ((self.allow - self.used)[g] > 0).T & self.signalable
            out[0] = True
            out.flags.writeable = False
            self._open, self._open_key = out, key
            # once every signal is used, only "no signal" is left to weigh
            self._open_levels = self.levels if out[1:].any() else 1
        return self._open

    def put(self, p: int, level: int) -> None:
        """Add position p at a signal level."""
        self.sel[p] = True
        self.lev[p] = level
        if level:
            self.used[self.sig_group[p], level] += 1
            self._addable = None  # the level may have closed for the group
        elif self._addable is not None:
            self._addable[:, p] = False
        self.fee += int(self.marginal[self.fee_counts[self.fee_group[p]]])
        self.fee_counts[self.fee_group[p]] += 1

    def drop(self, p: int) -> None:
        """Remove position p (frees its signal)."""
        self._addable = None
        self.set_level(p, 0)
        self.sel[p] = False
        self.fee_counts[self.fee_group[p]] -= 1
        self.fee -= int(self.marginal[self.fee_counts[self.fee_group[p]]])

    def set_level(self, p: int, level: int) -> None:
        """Change the signal level of a selected position."""
        self._addable = None
        if self.lev[p]:
            self.used[self.sig_group[p], self.lev[p]] -= 1
        self.lev[p] = level
        if level:
            self.used[self.sig_group[p], level] += 1

    def save(self) -> tuple[IntArray, IntArray, IntArray, IntArray, int]:
        """A copy of the list state, for `restore`."""
        sel = self.sel.astype(np.int64)
        return sel, self.lev.copy(), self.used.copy(), self.fee_counts.copy(), self.fee

    def restore(
        self, saved: tuple[IntArray, IntArray, IntArray, IntArray, int], *, refresh: bool = False
    ) -> None:
        """Go back to a saved list state (`refresh` when the derived arrays changed too)."""
        sel, lev, used, counts, fee = saved
        self._addable = None
        self.sel = sel.astype(bool)
        self.lev, self.used, self.fee_counts, self.fee = lev.copy(), used.copy(), counts.copy(), fee
        if refresh:
            self.refresh()

    # --- moves -------------------------------------------------------------------------------
    def addable(self) -> NDArray[np.bool_]:
        """(L, n): may position p be added at level l (eligible, not in the list, the level open
        in its signal group); kept up to date by `put`, rebuilt after other changes."""
        if self._addable is None:
            self._addable = self.levels_open() & (self.eligible & ~self.sel)
        return self._addable

    def best_add(self, fee_power: float = 1.0) -> tuple[int, int, float] | None:
        """The (position, level, gain) with the largest gain (per dollar), None if none helps."""
        addable = self.addable()
        levels = self._open_levels  # current: `addable` read the open levels
        gains = self.add_gains(levels)
        mask = addable[:levels] & (gains > _TOL)
        ratio = np.where(mask, gains / self._denominator(fee_power), -np.inf)
        best = ratio.max(initial=-np.inf)
        if best == -np.inf:  # nothing left that adds anything
            return None
        # Ratios equal to rounding (twin programs) go to the lowest level, then position, however
        # the gains were summed: the fast chain and this one then choose alike.
        first = int(np.argmax(ratio >= best - _TIE * abs(best)))
        s, p = divmod(first, ratio.shape[1])
        return int(p), int(s), float(gains[s, p])

    def _denominator(self, fee_power: float) -> FloatArray:
        """Each position's marginal fee (at least $1) to the power `fee_power`, (n,) (read-only;
        one per combination of the fee groups' marginal fees)."""
        fee = self.marginal[self.fee_counts]
        key = (fee.tobytes(), fee_power)
        out = self._denominators.get(key)
        if out is None:
            per_group = np.maximum(fee.astype(float), _FEE_FLOOR_USD) ** fee_power
            out = np.asarray(per_group[self.fee_group])
            out.flags.writeable = False
            self._denominators[key] = out
        return out

    def swap_pass(self, fee_cap: float) -> bool:
        """Apply the best improving swap (one out, one in) within the fee cap; True if applied.

        Programs to swap in are drawn from the `_SWAP_POOL` with the largest gain now (at any
        level): removing one program raises the others' gains only by its own small share.
        """
        removable = np.flatnonzero(self.sel & ~self.fixed)
        addable = np.flatnonzero(self.eligible & ~self.sel)
        if removable.size == 0 or addable.size == 0:
            return False
        addable, gain = self._swap_gains(addable, removable)
        fg = self.fee_group
        counts = self.fee_counts
        same_fee = fg[addable][:, None] == fg[removable][None, :]
        new_fee = (
            self.fee
            - self.marginal[counts[fg[removable]] - 1][None, :]
            + self.marginal[counts[fg[addable]][:, None] - same_fee]
        )
        fee_ok = new_fee <= fee_cap
        group_d, group_c = self.sig_group[addable][:, None], self.sig_group[removable][None, :]
        open_l = self.levels_open()[:, addable][:, :, None]
        levels = np.arange(self.levels)[:, None, None]
        # a signal level is also open to d where c frees it (same group)
        freed = (self.lev[removable] == levels) & (levels > 0) & (group_d == group_c)
        open_l = open_l | (freed & (group_d >= 0))
        gain = np.where(open_l & fee_ok, gain, -np.inf).reshape(self.levels, -1)
        first = np.argmax(gain, axis=1)
        best: tuple[float, int, int, int] = (0.0, -1, -1, 0)
        for s, k in enumerate(first):  # the first level with the largest gain
            if gain[s, k] > best[0]:
                row, col = divmod(int(k), removable.size)
                best = (float(gain[s, k]), int(addable[row]), int(removable[col]), s)
        improvement, d, c, s = best
        if d < 0 or improvement <= _TOL * max(1.0, self.f):
            return False
        saved = self.save()
        self.drop(c)
        self.put(d, s)
        if self.objective_now() <= self.f + _TOL or self.fee > fee_cap:
            self.restore(saved)
            return False
        self.refresh()
        return True

    def _swap_gains(self, addable: IntArray, removable: IntArray) -> tuple[IntArray, FloatArray]:
        """The swap pool (at most `_SWAP_POOL` of `addable`, by their gain now) and the estimated
        gain of swapping each of them (at each level) in for each removable program, (L, P, C)."""
        if self.unit_values:
            # P(match): f = 1 - w.Q, so swapping d in for c multiplies Q by (1 - m_d) / (1 - m_c)
            wq = self.w * self.Q
            now = (self.M @ wq)[:, addable].max(axis=0)
            if addable.size > _SWAP_POOL:
                addable = addable[_top(now, _SWAP_POOL)]
            m = self.m[removable]
            inv = 1.0 / (1.0 - m)  # (C, K)
            loss = (m * inv) @ wq  # (C,) what removing c costs
            return addable, (self.M[:, addable] * wq) @ inv.T - loss
        base = self.v[addable, None] * self.A[addable] - self.B[addable]
        H_all = self.M[:, addable] * base  # (L, P, K)
        now = (H_all @ self.w).max(axis=0)
        if addable.size > _SWAP_POOL:
            keep = _top(now, _SWAP_POOL)
            addable, H_all = addable[keep], H_all[:, keep]
        m = self.m[removable]
        D = self.v[removable, None] * self.A[removable] - self.B[removable] / (1.0 - m)
        ell = m * D  # (C, K) per-node loss of removing c (`removal_terms`)
        loss = ell @ self.w  # (C,)
        inv = 1.0 / (1.0 - m)  # (C, K)
        after = addable[:, None] > removable[None, :]  # d is less preferred than c
        g = H_all @ self.w  # (L, P)
        gain_after = (H_all * self.w) @ inv.T
        gain_before = g[:, :, None] + (self.M[:, addable] * self.w) @ ell.T
        return addable, np.where(after, gain_after, gain_before) - loss

    def polish(self, fee_cap: float) -> None:
        """Swaps, then signal moves, again while either still improves the list."""
        for _ in range(_POLISH_ROUNDS):
            swapped = 0
            if int(self.sel.sum()) <= LOCAL_SEARCH_MAX_SIZE:
                while swapped < _MAX_SWAPS_PER_STAGE and self.swap_pass(fee_cap):
                    checkpoint()
                    swapped += 1
            if not self.improve_signals() and not swapped:
                return

    def improve_signals(self) -> bool:
        """Upgrade, move or exchange signals while the objective rises; True if any changed.

        Only programs in the list can take a signal, so the estimates are computed for them."""
        if self.levels < 2 or not self.signalable.any():
            return False
        changed = False
        for _ in range(4 * int(self.allow[:, 1:].sum()) + 4):
            checkpoint()
            idx = np.flatnonzero(self.sel & self.signalable)  # ascending positions
            if not idx.size:
                return changed
            m = self.m[idx]
            A, B = self.listed_terms(idx)
            D = self.v[idx, None] * A - B / (1.0 - m)  # `removal_terms`
            # change[l, j]: estimated gain of putting idx[j] at level l (others unchanged)
            change = np.einsum("lnk,nk,k->ln", self.M[:, idx] - m[None], D, self.w)
            lev, group = self.lev[idx], self.sig_group[idx]
            # (estimated gain, p, q, level for p); q (if any) takes p's old level
            moves: list[tuple[float, int, int, int]] = []
            open_now = self.levels_open()
            for s in range(1, self.levels):
                up = np.where(lev != s, change[s], -np.inf)
                open_up = np.where(open_now[s, idx], up, -np.inf)
                top = np.argsort(-open_up, kind="stable")[:_SIGNAL_TRIES]
                top = top[open_up[top] > _TOL]
                moves += [
                    (g, p, -1, s)
                    for g, p in zip(open_up[top].tolist(), idx[top].tolist(), strict=True)
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
            if not self._apply_first_signal_move([move[1:] for move in moves[:_SIGNAL_TRIES]]):
                return changed
            changed = True
        return changed

    def _apply_first_signal_move(self, moves: list[tuple[int, int, int]]) -> bool:
        """Apply the first move (p, q, s) that raises F: p takes level s and q, if any, p's old
        level. True if one did. Every move is weighed exactly on the current list at once, with
        the arithmetic of `objective_now` (the same numbers as trying them one by one)."""
        if not moves:
            return False
        chosen = np.flatnonzero(self.sel)
        levels = np.repeat(self.lev[chosen][None, :], len(moves), axis=0)  # (moves, |S|)
        for t, (p, q, s) in enumerate(moves):
            at_p = np.searchsorted(chosen, p)
            if q >= 0:
                levels[t, np.searchsorted(chosen, q)] = levels[t, at_p]
            levels[t, at_p] = s
        m = self.M[levels, chosen[None, :]]  # (moves, |S|, K)
        A = np.ones_like(m)
        A[:, 1:] = np.cumprod(1.0 - m, axis=1)[:, :-1]
        sums = (self.v[chosen, None] * m * A).sum(axis=1)
        for t, (p, q, s) in enumerate(moves):
            if float(sums[t] @ self.w) > self.f + _TOL:
                old_p = int(self.lev[p])
                if q >= 0:
                    self.set_level(q, 0)
                self.set_level(p, s)
                if q >= 0:
                    self.set_level(q, old_p)
                self.refresh()
                return True
        return False
