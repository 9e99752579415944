"""The chain without prefix products: the greedy additions for P(match) in a few matrix products.

With every preference value 1 the objective is P(match) = sum_k w_k (1 - Q_k), where Q_k is the
probability of no match at quadrature node k. Adding program p at signal level s multiplies Q_k
by (1 - m_psk), so its gain is sum_k w_k m_psk Q_k: one (levels x programs, K) by (K,) product
for every candidate at once, instead of the prefix products and suffix sums the general chain
(`core.lists.chain`, any preference values) keeps up to date. It is the same arithmetic
(the prefix A_p minus the suffix B_p equals Q for an unselected p), so it chooses the same
program at every stage; tests compare the two on the reference profiles.

Swaps and signal moves are the general chain's: this chain only adds.
"""

from __future__ import annotations

import numpy as np

from smartpick.core.lists.chain import _Chain
from smartpick.core.lists.types import FloatArray, IntArray, ListProblem


class FastChain(_Chain):
    """A `_Chain` for P(match) (no preference values) that keeps only Q, the no-match product."""

    def __init__(self, problem: ListProblem) -> None:
        if problem.values is not None:
            raise ValueError("FastChain is for P(match): preference values need _Chain")
        super().__init__(problem)
        # the largest chance of any program at any level, per node (bounds in `polish_check`)
        self.largest_m: FloatArray = self.M.max(axis=(0, 1))

    def refresh(self) -> None:
        """Q per node and the objective for the current list (from the selected rows only);
        nothing to do right after `put`, which multiplies the new program into Q."""
        if getattr(self, "_current", False):
            return
        chosen = np.flatnonzero(self.sel)
        m = self.M[self.lev[chosen], chosen]  # (|S|, K)
        self.Q = np.prod(1.0 - m, axis=0) if chosen.size else np.ones_like(self.w)
        self.f = float(1.0 - self.Q @ self.w)
        self._current = True

    def put(self, p: int, level: int) -> None:
        """Add position p at a signal level; Q and the objective follow."""
        current = getattr(self, "_current", False)
        super().put(p, level)
        if current:
            self.Q = self.Q * (1.0 - self.M[level, p])
            self.f = float(1.0 - self.Q @ self.w)

    def drop(self, p: int) -> None:
        """Remove position p (Q is recomputed at the next `refresh`)."""
        self._current = False
        super().drop(p)

    def set_level(self, p: int, level: int) -> None:
        """Change a selected position's signal level (Q is recomputed at the next `refresh`)."""
        self._current = False
        super().set_level(p, level)

    def restore(
        self, saved: tuple[IntArray, IntArray, IntArray, IntArray, int], *, refresh: bool = False
    ) -> None:
        """Go back to a saved list state (Q is recomputed at the next `refresh`)."""
        self._current = False
        super().restore(saved, refresh=refresh)

    def add_gains(self, levels: int | None = None) -> FloatArray:
        """Objective gain of adding each position at each level, (L, n) (unselected only); with
        `levels`, at the first `levels` levels only."""
        return np.asarray(self.M[:levels] @ (self.w * self.Q))

    def polish(self, fee_cap: float) -> None:
        """Not available: the fast chain only adds (the general chain polishes)."""
        raise NotImplementedError("FastChain does not polish: use _Chain")

    def improve_signals(self) -> bool:
        """Not available: the fast chain only adds (the general chain moves signals)."""
        raise NotImplementedError("FastChain does not move signals: use _Chain")
