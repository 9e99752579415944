"""The chain without prefix products: the greedy additions for P(match) in a few matrix products.

With every preference value 1 the objective is P(match) = sum_k w_k (1 - Q_k), where Q_k is the
probability of no match at quadrature node k. Adding program p at signal level s multiplies Q_k
by (1 - m_psk), so its gain is sum_k w_k m_psk Q_k: one (levels x programs, K) by (K,) product
for every candidate at once, instead of the prefix products and suffix sums the general chain
(`core.lists.chain`, any preference values) keeps up to date. It is the same arithmetic
(the prefix A_p minus the suffix B_p equals Q for an unselected p), so it chooses the same
program at every stage; tests compare the two on the reference profiles.

`FastChain.grow` runs the stages, their polish and the stopping rule compiled
(`core.lists.chain_kernel`).
"""

from __future__ import annotations

import numpy as np

from smartpick.core.cancellation import checkpoint
from smartpick.core.lists import chain_kernel as kernel
from smartpick.core.lists.chain import _Chain
from smartpick.core.lists.curve import StageSet
from smartpick.core.lists.types import (
    _SWAP_POOL,
    LOCAL_SEARCH_MAX_SIZE,
    POLISH_EVERY,
    POLISH_EVERY_STAGE_UP_TO,
    FloatArray,
    IntArray,
    ListProblem,
    StageLists,
    chain_end_terms,
    ends_past_limits,
)


def stage_set_of(chain: _Chain, transcript_fee: int) -> StageSet:
    """The chain's current list as a stage of the curve (programs in catalog order)."""
    chosen = np.flatnonzero(chain.sel)
    lists = _lists_at(chain.order, chosen, chain.lev[chosen])
    fee = chain.fee + (transcript_fee if lists.size else 0)
    return lists, fee, chain.f, None


def _lists_at(order: IntArray, positions: IntArray, levels: IntArray) -> StageLists:
    """The list of chain `positions` (ascending) at `levels`, programs in catalog order."""
    programs = order[positions]
    ordering = np.argsort(programs, kind="stable")
    return StageLists(tuple(programs[ordering].tolist()), tuple(levels[ordering].tolist()))


def stage_set_after(previous: StageSet, added: tuple[int, int], fee: int, f: float) -> StageSet:
    """The stage `previous` plus one program (catalog position, signal level); `fee` includes
    the transcript fee."""
    return previous[0].after(added), fee, f, added


# whole lists (stages a polish changed) a run of the compiled stages may record before it
# returns to Python: a plan's chains record up to about four each
SNAPSHOT_ROOM = 8


class FastChain(_Chain):
    """A `_Chain` for P(match) (no preference values) that keeps only Q, the no-match product."""

    def __init__(self, problem: ListProblem, like: _Chain | None = None) -> None:
        if problem.values is not None:
            raise ValueError("FastChain is for P(match): preference values need _Chain")
        super().__init__(problem, like)
        self.problem = problem

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

    def grow(self, stage_sets: list[StageSet], *, fee_power: float) -> int | None:
        """Grow the chain from its current list (the last of `stage_sets`) as
        `core.lists.optimizer` describes, appending a stage per program; returns the stopping
        stage. The stages, their polish and the stopping rule run compiled."""
        problem = self.problem
        transcript = problem.fee_schedule.transcript_fee_usd
        budget = problem.budget_usd
        state = np.array([self.fee, stage_sets[-1][0].size, len(stage_sets) - 1, -1, 0], np.int64)
        # the chain may end once past `types.chain_end`: the kernel works it out from these two
        floor, past = chain_end_terms(problem)
        limits = np.array(
            [
                -1 if problem.max_programs is None else problem.max_programs,
                floor,
                POLISH_EVERY_STAGE_UP_TO,
                POLISH_EVERY,
                LOCAL_SEARCH_MAX_SIZE,
                transcript,
                _SWAP_POOL,
                ends_past_limits(problem, fee_power),
            ],
            np.int64,
        )
        reals = np.array(
            [
                stage_sets[-1][2],
                np.inf if budget is None else budget - transcript,
                fee_power,
                problem.match_value_usd,
                past,
            ]
        )
        room = self.M.shape[1] + 1
        out_p, out_s, out_fee, out_at = (np.empty(room, np.int64) for _ in range(4))
        out_f = np.empty(room)
        snaps = np.empty(SNAPSHOT_ROOM * (2 * room + 1), np.int64)  # lists polished on the way
        w, marginal = np.array(self.w, dtype=float), np.array(self.marginal)  # writable copies
        while True:
            checkpoint()  # between runs of stages: the web stops here when its caller has left
            self.refresh()
            Q = np.array(self.Q, dtype=float)
            records, status = kernel.grow(
                self.M, w, self.eligible, self.fixed, self.sig_group, self.signalable,
                self.allow, self.fee_group, marginal,
                self.sel, self.lev, self.used, self.fee_counts, Q,
                state, limits, reals, out_p, out_s, out_f, out_fee, out_at, snaps,
            )  # fmt: skip
            self.Q, self.f, self.fee = Q, float(reals[kernel.F_NOW]), int(state[kernel.FEE])
            self._current, self._addable = True, None
            # with POLISHED the last stage's polish changed the list: it is recorded whole
            added = records if status == kernel.ENDED else records - 1
            self._record(stage_sets, added, out_p, out_s, out_f, out_fee, out_at, snaps)
            if status == kernel.ENDED:
                stop = int(state[kernel.STOP_AT])
                return None if stop < 0 else stop
            stage_sets.append(stage_set_of(self, transcript))

    def _record(
        self,
        stage_sets: list[StageSet],
        records: int,
        out_p: IntArray,
        out_s: IntArray,
        out_f: FloatArray,
        out_fee: IntArray,
        out_at: IntArray,
        snaps: IntArray,
    ) -> None:
        """Append the kernel's first `records` stages to `stage_sets`: each the previous stage
        plus its program, or (a stage its polish changed) the whole list from `snaps`."""
        transcript = self.problem.fee_schedule.transcript_fee_usd
        order = self.order
        lists = stage_sets[-1][0]
        pairs = zip(order[out_p[:records]].tolist(), out_s[:records].tolist(), strict=True)
        fees = (out_fee[:records] + transcript).tolist()
        whole = out_at[:records].tolist()
        for pair, fee, f, at in zip(pairs, fees, out_f[:records].tolist(), whole, strict=True):
            if at == kernel.NOT_WHOLE:  # `stage_set_after` inline: hundreds of stages
                lists = lists.after(pair)
                stage_sets.append((lists, fee, f, pair))
                continue
            size = int(snaps[at])
            positions = snaps[at + 1 : at + 1 + size]
            lists = _lists_at(order, positions, snaps[at + 1 + size : at + 1 + 2 * size])
            stage_sets.append((lists, fee, f, None))
