"""The chain of lists, one per size: add by gain per dollar, then improve by swaps and signal moves.

See `core.lists.optimizer` for the method; all gains come in closed form from prefix products.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.matrix import SIGNAL_LEVELS
from smartpick.core.lists import polish_kernel as kernel
from smartpick.core.lists.fees import FeeSchedule
from smartpick.core.lists.polish import improve_signals, polish
from smartpick.core.lists.types import (
    _FEE_FLOOR_USD,
    _M_CAP,
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


def listed_products(
    M: FloatArray, v: FloatArray, chosen: IntArray, levels: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(m, prefix, suffix, t) of the listed positions `chosen` (ascending) at their `levels`:
    m (|S|, K); prefix[j] the product of (1 - m) over the first j, suffix[j] the sum of t from
    the j-th on (|S| + 1, K); t = v m prefix (|S|, K)."""
    m_sel = M[levels, chosen]
    prefix = np.ones((chosen.size + 1, m_sel.shape[1]))
    np.cumprod(1.0 - m_sel, axis=0, out=prefix[1:])
    t_sel = v[chosen, None] * m_sel * prefix[:-1]
    suffix = np.zeros_like(prefix)
    suffix[:-1] = np.cumsum(t_sel[::-1], axis=0)[::-1]
    return m_sel, prefix, suffix, t_sel


def removal(v: FloatArray, A: FloatArray, B: FloatArray, m: FloatArray) -> FloatArray:
    """D with f(S) - f(S - c) = w . (m_c * D_c), from c's value, `A`, `B` and m, (C, K)."""
    return v[:, None] * A - B / (1.0 - m)


def contributions(
    M: FloatArray, v: FloatArray, w: FloatArray, chosen: IntArray, levels: IntArray
) -> FloatArray:
    """f(S) - f(S - c) for each listed position c of `chosen` (ascending) at its level: the
    numbers `_Chain.removal_terms` gives on a chain holding that list, without making one."""
    m_sel, prefix, suffix, t_sel = listed_products(M, v, chosen, levels)
    return np.asarray((m_sel * removal(v[chosen], prefix[:-1], suffix[:-1] - t_sel, m_sel)) @ w)


def _numbered(groups: Sequence[str | None], n: int) -> tuple[IntArray, list[str]]:
    """Each program's group numbered in the sorted order of the names (None: -1), and the names.
    A problem of one specialty has one group: filled without a look-up per program."""
    present = set(groups)
    names = sorted(g for g in present if g is not None)
    if len(present) <= 1:  # one group, or none given (every program -1)
        return np.full(n, 0 if names else -1, dtype=np.int64), names
    index = {None: -1} | {name: g for g, name in enumerate(names)}
    return np.fromiter(map(index.__getitem__, groups), np.int64, n), names


# what a chain of the same problem may share (never written after `__init__`)
_FIXED = (
    "order", "pos_of", "M", "w", "v", "unit_values", "levels", "fee_group", "fee_counts_size",
    "marginal", "sig_group", "signalable", "allow",
)  # fmt: skip


class _Chain:
    """Working state in preference order (position p = the p-th most preferred program)."""

    def __init__(self, problem: ListProblem, like: _Chain | None = None) -> None:
        """An empty list for `problem`; `like`: a chain of the same problem whose fixed arrays
        (the chances in preference order, fees, signal groups) this one shares."""
        if like is not None:
            self.__dict__.update({name: getattr(like, name) for name in _FIXED})
            self._start(problem)
            return
        cm = problem.chances
        n = problem.size
        if problem.values is None:  # every value 1: the order is the catalog's
            values = np.ones(n)
            self.order = np.arange(n)
            self.pos_of = np.arange(n)
        else:
            values = np.asarray(problem.values, float)
            self.order = np.lexsort((np.arange(n), -values))  # position -> program index
            self.pos_of = np.empty(n, dtype=np.int64)
            self.pos_of[self.order] = np.arange(n)
        levels = cm.levels
        # (L, n, K); without preference values the order is the catalog's: nothing to gather.
        # P(match | interview) is one value per program repeated along the nodes (a view): made
        # whole once, so the products below run over contiguous memory (same values)
        self.M = np.empty((levels, n, cm.weights.size))
        conv = np.ascontiguousarray(
            cm.point_conversion if problem.values is None else cm.point_conversion[self.order]
        )
        for arr, out in zip(cm.point_interview, self.M, strict=True):
            np.multiply(arr if problem.values is None else arr[self.order], conv, out=out)
            np.minimum(out, _M_CAP, out=out)
        self.w = cm.weights
        self.v = values[self.order]
        self.unit_values = problem.values is None  # P(match): every value is 1
        self.levels = levels

        fee_group, fee_names = _numbered(problem.fee_groups, n)
        self.fee_group = fee_group[self.order]
        self.fee_counts_size = len(fee_names)
        self.marginal = _marginal_fees(problem.fee_schedule, n)

        sig_group, sig_names = _numbered(problem.signal_groups, n)
        self.sig_group = sig_group[self.order]
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
        self._start(problem)

    def _start(self, problem: ListProblem) -> None:
        """The working state of an empty list."""
        n, levels = problem.size, self.levels
        self.fee_counts = np.zeros(self.fee_counts_size, dtype=np.int64)
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
        if problem.candidates is None:
            self.eligible[:] = True
        else:
            cand = np.fromiter(problem.candidates, np.int64, len(problem.candidates))
            self.eligible[self.pos_of[cand]] = True
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
        m_sel, prefix, suffix, t_sel = listed_products(self.M, self.v, chosen, self.lev[chosen])
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

    def removal_terms(self, idx: IntArray) -> FloatArray:
        """D with f(S) - f(S - c) = w . (m_c * D_c) for the listed positions `idx` (ascending),
        (len(idx), K); from `listed_terms`, the same numbers as `A` and `B` at those rows."""
        A, B = self.listed_terms(idx)
        return removal(self.v[idx], A, B, self.m[idx])

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

    def polish(self, fee_cap: float) -> None:
        """Swaps, then signal moves, again while either still improves the list: compiled in
        closed form for P(match) (`core.lists.polish_kernel`), else `core.lists.polish`."""
        if not self.unit_values:
            polish(self, fee_cap)
            return
        _, self.fee = kernel.polish(
            self.M, np.array(self.w, dtype=float), np.array(self.Q, dtype=float), self.f,
            self.sel, self.lev, self.fixed, self.eligible, self.sig_group, self.signalable,
            self.allow, self.used, self.fee_group, self.fee_counts, np.array(self.marginal),
            self.fee, float(fee_cap), _SWAP_POOL, LOCAL_SEARCH_MAX_SIZE,
        )  # fmt: skip
        self._addable = None
        self.refresh()

    def signal_move_may_help(self) -> bool:
        """Whether a signal move may raise P(match) by more than the polish's tolerance (the
        compiled chain's test, on Q recomputed as the polish does); always True with preference
        values (no closed form there)."""
        if not self.unit_values:
            return True
        w = np.array(self.w, dtype=float)
        q = np.empty(w.size)
        kernel.refresh_q(self.M, w, self.sel, self.lev, q)
        return bool(
            kernel.signal_move_may_help(
                self.M, w * q, self.sel, self.lev, self.sig_group, self.signalable,
                np.array(self.levels_open()),
            )
        )  # fmt: skip

    def improve_signals(self) -> bool:
        """Upgrade, move or exchange signals while the objective rises; True if any changed
        (compiled for P(match), as `polish`)."""
        if not self.unit_values:
            return improve_signals(self)
        changed, _ = kernel.improve_signals(
            self.M, np.array(self.w, dtype=float), np.array(self.Q, dtype=float), self.f,
            self.sel, self.lev, self.sig_group, self.signalable, self.allow, self.used,
        )  # fmt: skip
        self._addable = None
        self.refresh()
        return bool(changed)
