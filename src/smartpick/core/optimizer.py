"""The application list as an optimization: which programs to apply to, and which to signal.

Objective. For a set S with signal levels, given the shared applicant effect u, outcomes at
different programs are independent (see `chances`). With preference values v_i (1 for every
program when the applicant gives none) and programs sorted by preference, the applicant-proposing
match gives the most preferred program among those that would match, so

    F(S | u) = sum_{i in S} v_i m_i(u) prod_{j in S, j preferred to i} (1 - m_j(u))
             = E[ max_{i in S, i matches} v_i | u ],

and F(S) = sum_k w_k F(S | u_k) with the matrix's quadrature weights. With all v_i = 1 this is
P(at least one match). For fixed u it is the expectation of a maximum of independent non-negative
weighted indicators, which is monotone and submodular in S (docs/optimizer.md has the proof
sketch); a mixture over u keeps both properties.

Method (a chain of lists, one per size). Stage 0 holds the must-include programs. Each later stage
adds the program (with a signal level, if any allowance is left) of largest objective gain per
dollar of its marginal ERAS fee, then improves the list by swaps (one program out, another in,
never raising the stage's fees) and by signal moves (upgrade, or move a signal to where it adds
more). The chain does not depend on the budget or the count, so the list for a budget B is the
best stage whose fees fit in B (and whose size fits the count): raising the budget or the count
never lowers the objective. The chain is also the curve of the objective against the number of
applications and against fees, and gives the marginal gain of the next application.

All gains come in closed form from prefix products over the preference order, so one stage costs
a few (n x K) by (K x |S|) matrix products for n candidates and K quadrature nodes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances import SIGNAL_LEVELS, ChanceMatrix, intervals
from smartpick.core.fees import FeeSchedule
from smartpick.errors import InvalidInput

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# Tiers by P(interview) at the chosen signal level (integrated over u).
TIER_REACH_BELOW = 0.20
TIER_LIKELY_FROM = 0.50

DEFAULT_STOP_THRESHOLD = 0.005  # 0.5 percentage points per extra application
DEFAULT_HORIZON = 150  # the curve runs at least this far (or to the last useful program)
LOCAL_SEARCH_MAX_SIZE = 200  # swap search runs on lists up to this size (a fixed rule)
_MAX_SWAPS_PER_STAGE = 8
_POLISH_ROUNDS = 3
_SWAP_POOL = 64
_EXTRA_FEE_POWERS: tuple[float, ...] = (2.0,)  # fee-thrifty chains (budget, several specialties)
_SIGNAL_TRIES = 6  # signal moves verified exactly per round, best estimates first
_EXCHANGE_SLACK = 1e-3
_FEE_FLOOR_USD = 1.0  # a free application (2024 flat tier) is ranked as if it cost $1
_M_CAP = 1.0 - 1e-9  # keeps 1 - m away from 0 so removals can be divided out
_TOL = 1e-12


def tier_of(p_interview: float) -> str:
    """ "reach" below 20% P(interview), "likely" from 50%, "target" between."""
    if p_interview < TIER_REACH_BELOW:
        return "reach"
    if p_interview >= TIER_LIKELY_FROM:
        return "likely"
    return "target"


@dataclass(frozen=True)
class ListProblem:
    """Everything the optimizer needs, by position in `chances.program_ids`.

    - `fee_groups[i]`: the ERAS specialty whose fee tiers program i counts against (tiers restart
      per group).
    - `signal_groups[i]`: the specialty whose signal allowance program i draws on, or None;
      `signal_allowances[group] = (gold, silver)`. Empty tuple: no signals at all.
    - `budget_usd`: total fees including the transcript fee; `max_programs`: a count limit.
      Neither given: the list stops where the next application adds less than `stop_threshold`.
    - `must_include` / `excluded`: positions; `candidates`: positions that may be chosen (None: all
      but the excluded). `values`: preference value per program (>= 0), None for P(match).
    """

    chances: ChanceMatrix
    fee_groups: tuple[str, ...]
    fee_schedule: FeeSchedule
    signal_groups: tuple[str | None, ...] = ()
    signal_allowances: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    budget_usd: float | None = None
    max_programs: int | None = None
    must_include: tuple[int, ...] = ()
    excluded: tuple[int, ...] = ()
    candidates: tuple[int, ...] | None = None
    values: tuple[float, ...] | None = None
    stop_threshold: float = DEFAULT_STOP_THRESHOLD
    horizon: int = DEFAULT_HORIZON
    interval_level: float = 0.8  # share of the bootstrap draws inside each interval

    @property
    def size(self) -> int:
        """Number of programs in the matrix."""
        return len(self.chances.program_ids)


@dataclass(frozen=True)
class Stage:
    """One list of the chain: its programs (positions) with signal levels, fees and objective."""

    selected: tuple[int, ...]
    signals: tuple[int, ...]
    fee_usd: int  # including the transcript fee
    objective: float
    p_match: tuple[float, float, float]  # point, low, high
    gain: float  # objective gain over the previous stage

    @property
    def applications(self) -> int:
        """Number of programs in this list."""
        return len(self.selected)


@dataclass(frozen=True)
class ListSolution:
    """The chosen list and the chain (the curve) it was chosen from."""

    stages: tuple[Stage, ...]  # the curve: the best list found for each size, cheapest first
    stage: Stage  # the chosen list
    next_stage: Stage | None  # the best list found with one more application
    stop_at: int | None  # curve index after which the next application adds < threshold
    order: tuple[int, ...]  # chosen positions, most valuable first
    signals: tuple[int, ...]  # signal level of each, aligned with `order`
    fees_usd: tuple[int, ...]  # marginal ERAS fee of each, aligned with `order`
    contributions: tuple[float, ...]  # objective lost if the program were dropped
    transcript_fee_usd: int
    binding: str  # what limited the list: budget, count, stop threshold, or candidates

    @property
    def next_gain(self) -> float | None:
        """Objective gained by one more application (None when no program is left)."""
        return None if self.next_stage is None else self.next_stage.objective - self.stage.objective

    @property
    def next_fee_usd(self) -> int | None:
        """Extra fees of that next application."""
        return None if self.next_stage is None else self.next_stage.fee_usd - self.stage.fee_usd


class _Chain:
    """Working state in preference order (position p = the p-th most preferred program)."""

    def __init__(self, problem: ListProblem) -> None:
        cm = problem.chances
        n = problem.size
        values = np.ones(n) if problem.values is None else np.asarray(problem.values, float)
        self.order = np.lexsort((np.arange(n), -values))  # position -> program index
        self.pos_of = np.empty(n, dtype=np.int64)
        self.pos_of[self.order] = np.arange(n)
        levels = len(cm.interview_by_signal)
        conv = cm.conversion[0][self.order]
        self.M = np.stack(
            [np.minimum(arr[0][self.order] * conv, _M_CAP) for arr in cm.interview_by_signal]
        )  # (L, n, K)
        self.w = cm.weights
        self.v = values[self.order]
        self.levels = levels

        fee_names = sorted(set(problem.fee_groups))
        self.fee_group = np.array(
            [fee_names.index(problem.fee_groups[i]) for i in self.order], dtype=np.int64
        )
        self.fee_counts = np.zeros(len(fee_names), dtype=np.int64)
        self.marginal = np.array(
            [problem.fee_schedule.marginal_fee_usd(k) for k in range(n + 1)], dtype=np.int64
        )

        sig_names = sorted({g for g in problem.signal_groups if g is not None})
        self.sig_group = np.full(n, -1, dtype=np.int64)
        if problem.signal_groups:
            for p, i in enumerate(self.order):
                g = problem.signal_groups[i]
                if g is not None:
                    self.sig_group[p] = sig_names.index(g)
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

    # --- state -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute prefix products A, suffix sums B and the objective for the current list."""
        idx = np.arange(self.M.shape[1])
        m = np.where(self.sel[:, None], self.M[self.lev, idx], 0.0)
        one_minus = 1.0 - m
        A = np.ones_like(m)
        A[1:] = np.cumprod(one_minus, axis=0)[:-1]
        T = self.v[:, None] * m * A
        B = np.cumsum(T[::-1], axis=0)[::-1] - T
        self.m, self.A, self.B, self.T = m, A, B, T
        self.f = float(T.sum(axis=0) @ self.w)

    def objective_now(self) -> float:
        """F of the current selection and levels, from the selected rows only (no refresh)."""
        chosen = np.flatnonzero(self.sel)
        if chosen.size == 0:
            return 0.0
        m = self.M[self.lev[chosen], chosen]
        A = np.ones_like(m)
        A[1:] = np.cumprod(1.0 - m, axis=0)[:-1]
        return float((self.v[chosen, None] * m * A).sum(axis=0) @ self.w)

    def add_gains(self) -> FloatArray:
        """Objective gain of adding each position at each level, (L, n) (unselected only)."""
        base = self.v[:, None] * self.A - self.B
        return np.einsum("lnk,nk,k->ln", self.M, base, self.w)

    def removal_terms(self) -> FloatArray:
        """D with f(S) - f(S - c) = w . (m_c * D_c) for selected c, (n, K)."""
        return self.v[:, None] * self.A - self.B / (1.0 - self.m)

    def level_open(self, level: int) -> NDArray[np.bool_]:
        """Positions that may take `level` given the allowance left in their signal group."""
        if level == 0:
            return np.ones(self.M.shape[1], dtype=bool)
        g = self.sig_group
        has = g >= 0
        left = self.allow[np.maximum(g, 0), level] - self.used[np.maximum(g, 0), level]
        return has & (left > 0)

    def put(self, p: int, level: int) -> None:
        """Add position p at a signal level."""
        self.sel[p] = True
        self.lev[p] = level
        if level:
            self.used[self.sig_group[p], level] += 1
        self.fee += int(self.marginal[self.fee_counts[self.fee_group[p]]])
        self.fee_counts[self.fee_group[p]] += 1

    def drop(self, p: int) -> None:
        """Remove position p (frees its signal)."""
        self.set_level(p, 0)
        self.sel[p] = False
        self.fee_counts[self.fee_group[p]] -= 1
        self.fee -= int(self.marginal[self.fee_counts[self.fee_group[p]]])

    def set_level(self, p: int, level: int) -> None:
        """Change the signal level of a selected position."""
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
        self.sel = sel.astype(bool)
        self.lev, self.used, self.fee_counts, self.fee = lev.copy(), used.copy(), counts.copy(), fee
        if refresh:
            self.refresh()

    # --- moves -------------------------------------------------------------------------------
    def best_add(self, fee_power: float = 1.0) -> tuple[int, int, float] | None:
        """The (position, level, gain) with the largest gain (per dollar), None if none helps."""
        gains = self.add_gains()
        fee = self.marginal[self.fee_counts[self.fee_group]].astype(float)
        ratio = gains / np.maximum(fee, _FEE_FLOOR_USD) ** fee_power
        ok = self.eligible & ~self.sel
        mask = np.stack([ok & self.level_open(s) for s in range(self.levels)])
        mask &= gains > _TOL
        if not mask.any():
            return None
        ratio = np.where(mask, ratio, -np.inf)
        s, p = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
        return int(p), int(s), float(gains[s, p])

    def swap_pass(self, fee_cap: float) -> bool:
        """Apply the best improving swap (one out, one in) within the fee cap; True if applied.

        Programs to swap in are drawn from the `_SWAP_POOL` with the largest gain now (at any
        level): removing one program raises the others' gains only by its own small share.
        """
        removable = np.flatnonzero(self.sel & ~self.fixed)
        addable = np.flatnonzero(self.eligible & ~self.sel)
        if removable.size == 0 or addable.size == 0:
            return False
        base = self.v[:, None] * self.A - self.B
        H_all = np.einsum("lnk,nk->lnk", self.M[:, addable], base[addable])  # (L, P, K)
        now = (H_all @ self.w).max(axis=0)
        if addable.size > _SWAP_POOL:
            keep = np.sort(np.argsort(-now, kind="stable")[:_SWAP_POOL])
            addable, H_all = addable[keep], H_all[:, keep]
        D = self.removal_terms()
        ell = self.m[removable] * D[removable]  # (C, K) per-node loss of removing c
        loss = ell @ self.w  # (C,)
        inv = 1.0 / (1.0 - self.m[removable])  # (C, K)
        after = addable[:, None] > removable[None, :]  # d is less preferred than c
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
        best: tuple[float, int, int, int] = (0.0, -1, -1, 0)
        for s in range(self.levels):
            H = H_all[s]  # (P, K)
            g = H @ self.w
            gain_after = (H * self.w) @ inv.T  # (P, C)
            gain_before = g[:, None] + (self.M[s, addable] * self.w) @ ell.T
            gain = np.where(after, gain_after, gain_before) - loss[None, :]
            open_s = self.level_open(s)[addable][:, None]
            if s:
                freed = (self.lev[removable] == s)[None, :] & (group_d == group_c)
                open_s = open_s | (freed & (group_d >= 0))
            gain = np.where(open_s & fee_ok, gain, -np.inf)
            row, col = np.unravel_index(int(np.argmax(gain)), gain.shape)
            if gain[row, col] > best[0]:
                best = (float(gain[row, col]), int(addable[row]), int(removable[col]), s)
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

    def polish(self, fee_cap: float) -> None:
        """Swaps, then signal moves, again while either still improves the list."""
        for _ in range(_POLISH_ROUNDS):
            swapped = 0
            if int(self.sel.sum()) <= LOCAL_SEARCH_MAX_SIZE:
                while swapped < _MAX_SWAPS_PER_STAGE and self.swap_pass(fee_cap):
                    swapped += 1
            if not self.improve_signals() and not swapped:
                return

    def improve_signals(self) -> bool:
        """Upgrade, move or exchange signals while the objective rises; True if any changed."""
        if self.levels < 2 or not (self.sig_group >= 0).any():
            return False
        changed = False
        for _ in range(4 * int(self.allow[:, 1:].sum()) + 4):
            chosen = self.sel & (self.sig_group >= 0)
            if not chosen.any():
                return changed
            D = self.removal_terms()
            # change[l, p]: estimated gain of putting selected p at level l (others unchanged)
            change = np.einsum("lnk,nk,k->ln", self.M - self.m[None], D, self.w)
            # (estimated gain, p, q, level for p); q (if any) takes p's old level
            moves: list[tuple[float, int, int, int]] = []
            for s in range(1, self.levels):
                up = np.where(chosen & (self.lev != s), change[s], -np.inf)
                open_up = np.where(self.level_open(s), up, -np.inf)
                for p in np.argsort(-open_up, kind="stable")[:_SIGNAL_TRIES]:
                    if open_up[p] > _TOL:
                        moves.append((float(open_up[p]), int(p), -1, s))
                for holder in np.flatnonzero(chosen & (self.lev == s)):
                    q_change = change[self.lev, holder]  # holder moving to each p's level
                    same = self.sig_group == self.sig_group[holder]
                    gain = np.where(same, up + q_change, -np.inf)
                    p = int(np.argmax(gain))
                    # the estimate leaves out the two changes' interaction, which favours
                    # exchanges: near-zero estimates are worth checking exactly
                    if gain[p] > -_EXCHANGE_SLACK:
                        moves.append((float(gain[p]), p, int(holder), s))
            moves.sort(key=lambda move: (-move[0], move[1], move[2], move[3]))
            if not any(self._try_signal_move(*move[1:]) for move in moves[:_SIGNAL_TRIES]):
                return changed
            changed = True
        return changed

    def _try_signal_move(self, p: int, q: int, s: int) -> bool:
        """Give level s to p (q, if any, takes p's old level); keep it only if F rises."""
        old_p = int(self.lev[p])
        if q >= 0:
            self.set_level(q, 0)
        self.set_level(p, s)
        if q >= 0:
            self.set_level(q, old_p)
        if self.objective_now() > self.f + _TOL:
            self.refresh()
            return True
        if q >= 0:
            self.set_level(q, 0)
        self.set_level(p, old_p)
        if q >= 0:
            self.set_level(q, s)
        return False


def _validate(problem: ListProblem) -> None:
    n = problem.size
    if len(problem.fee_groups) != n:
        raise InvalidInput("fee_groups: one per program is required", field="fee_groups")
    if problem.signal_groups and len(problem.signal_groups) != n:
        raise InvalidInput("signal_groups: one per program is required", field="signal_groups")
    if problem.values is not None:
        if len(problem.values) != n:
            raise InvalidInput("preferences: one value per program is required", field="values")
        if any(not np.isfinite(v) or v < 0 for v in problem.values):
            raise InvalidInput("preferences: values must be 0 or more", field="preferences")
    if problem.budget_usd is not None and not problem.budget_usd >= 0:
        raise InvalidInput(
            f"budget_usd: must be 0 or more, got {problem.budget_usd}", field="budget_usd"
        )
    if problem.max_programs is not None and problem.max_programs < 0:
        raise InvalidInput(f"count: must be 0 or more, got {problem.max_programs}", field="count")
    if not 0 <= problem.stop_threshold < 1:
        raise InvalidInput(
            "stop_threshold_pp: must be between 0 and 100 percentage points",
            field="stop_threshold_pp",
        )
    for name, items in (("must_include", problem.must_include), ("exclude", problem.excluded)):
        bad = [i for i in items if not 0 <= i < n]
        if bad:
            raise InvalidInput(f"{name}: positions out of range: {bad}", field=name)
    both = set(problem.must_include) & set(problem.excluded)
    if both:
        names = ", ".join(problem.chances.program_ids[i] for i in sorted(both))
        raise InvalidInput(
            f"must_include: {names} cannot be both included and excluded", field="must_include"
        )


def optimize_list(problem: ListProblem) -> ListSolution:
    """Choose the programs (and signals) maximizing the objective under the constraints.

    Deterministic: the same problem gives the same list. Raises InvalidInput when the
    must-include programs alone break the budget or the count.
    """
    _validate(problem)
    chain = _Chain(problem)
    transcript = problem.fee_schedule.transcript_fee_usd
    for i in problem.must_include:
        p = int(chain.pos_of[i])
        if not chain.sel[p]:
            chain.put(p, 0)
            chain.fixed[p] = True
    chain.eligible[chain.fixed] = False
    chain.refresh()
    chain.improve_signals()
    if problem.must_include:
        total = chain.fee + transcript
        if problem.budget_usd is not None and total > problem.budget_usd:
            raise InvalidInput(
                f"budget_usd: the {len(problem.must_include)} must-include programs cost "
                f"${total} with the transcript fee, over the budget of ${problem.budget_usd:g}",
                field="budget_usd",
            )
        if problem.max_programs is not None and len(problem.must_include) > problem.max_programs:
            raise InvalidInput(
                f"count: {len(problem.must_include)} must-include programs exceed the count "
                f"of {problem.max_programs}",
                field="count",
            )

    start = chain.save()
    stage_sets, stop_at = _run_chain(problem, chain, fee_power=1.0)
    alternative_sets: list[_StageSet] = []
    if len(set(problem.fee_groups)) > 1 and problem.budget_usd is not None:
        # Fees differ between specialties: a second chain that ignores fees reaches lists of the
        # same size at a higher cost, which a budget between two stages of the first can afford.
        chain.restore(start, refresh=True)
        alternative_sets, _ = _run_chain(problem, chain, fee_power=0.0)
        for power in _EXTRA_FEE_POWERS:
            chain.restore(start, refresh=True)
            alternative_sets += _run_chain(problem, chain, fee_power=power)[0]

    stages = _stages(problem, stage_sets)
    alternatives = _stages(problem, alternative_sets)
    chosen, following, binding = _choose(problem, stages, alternatives, stop_at)
    return _solution(problem, stages, chosen, following, stop_at, binding)


_StageSet = tuple[tuple[int, ...], tuple[int, ...], int, float]


def _run_chain(
    problem: ListProblem, chain: _Chain, *, fee_power: float
) -> tuple[list[_StageSet], int | None]:
    """Grow the chain from its current list; return its stages and the stopping stage.

    The gain-per-dollar chain is the curve and runs to the horizon; the fee-blind chain only
    runs until it passes the budget and the count.
    """
    transcript = problem.fee_schedule.transcript_fee_usd
    program_budget = None if problem.budget_usd is None else problem.budget_usd - transcript
    stage_sets: list[_StageSet] = []

    def snapshot() -> None:
        chosen = np.flatnonzero(chain.sel)
        programs = chain.order[chosen]
        ordering = np.argsort(programs, kind="stable")
        stage_sets.append(
            (
                tuple(int(x) for x in programs[ordering]),
                tuple(int(x) for x in chain.lev[chosen][ordering]),
                chain.fee + (transcript if chosen.size else 0),
                chain.f,
            )
        )

    snapshot()
    stop_at: int | None = None
    while True:
        t = len(stage_sets) - 1
        past_budget = program_budget is None or chain.fee > program_budget
        past_count = problem.max_programs is None or int(chain.sel.sum()) >= problem.max_programs
        no_limit = problem.budget_usd is None and problem.max_programs is None
        size = int(chain.sel.sum())
        if (
            past_budget
            and past_count
            and (size >= problem.horizon or fee_power != 1.0)
            and (stop_at is not None or not no_limit or size >= 2 * problem.horizon)
        ):
            break
        # Stages past the limits only draw the curve: no stage after them can fit again
        # without swaps (fees only grow), so they are plain greedy, which saves most of the time.
        within = (
            stop_at is None
            if no_limit
            else (program_budget is None or chain.fee <= program_budget)
            and (problem.max_programs is None or size <= problem.max_programs)
        )
        move = chain.best_add(fee_power)
        if move is None:
            break
        p, s, _ = move
        chain.put(p, s)
        chain.refresh()
        if within:
            chain.polish(chain.fee if fee_power > 0 else float("inf"))
        snapshot()
        gain = stage_sets[-1][3] - stage_sets[-2][3]
        if stop_at is None and gain < problem.stop_threshold:
            stop_at = t

    return stage_sets, stop_at


def _p_match_draws(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int]
) -> FloatArray:
    """`chances.p_match` per draw, gathering each signal level's rows only once."""
    no_match = np.ones((chances.conversion.shape[0], chances.weights.size))
    if not len(selected):
        return 1.0 - no_match @ chances.weights
    idx = np.asarray(selected, dtype=np.int64)
    levels = np.asarray(signals, dtype=np.int64)
    for level in np.unique(levels):
        rows = idx[levels == level]
        m = chances.interview_by_signal[int(level)][:, rows, :] * chances.conversion[:, rows, :]
        no_match *= np.prod(1.0 - m, axis=1)
    return 1.0 - no_match @ chances.weights


def _stages(problem: ListProblem, stage_sets: Sequence[_StageSet]) -> tuple[Stage, ...]:
    if not stage_sets:
        return ()
    stages: list[Stage] = []
    previous = 0.0
    draws = np.stack(
        [_p_match_draws(problem.chances, sel, sig) for sel, sig, _, _ in stage_sets], axis=1
    )
    estimates = intervals(draws, problem.interval_level)
    for (selected, signals, fee, objective), estimate in zip(stage_sets, estimates, strict=True):
        stages.append(
            Stage(
                selected=selected,
                signals=signals,
                fee_usd=int(fee),
                objective=float(objective),
                p_match=estimate,
                gain=float(objective - previous) if stages else float(objective),
            )
        )
        previous = objective
    return tuple(stages)


def _choose(
    problem: ListProblem,
    stages: Sequence[Stage],
    alternatives: Sequence[Stage],
    stop_at: int | None,
) -> tuple[Stage, Stage | None, str]:
    """The best admissible stage (curve first, earliest on ties), the next one, and the limit."""
    pool = [*stages, *alternatives]

    def following(chosen: Stage) -> Stage | None:
        bigger = [s for s in pool if s.applications == chosen.applications + 1]
        return max(bigger, key=lambda s: s.objective) if bigger else None

    if problem.budget_usd is None and problem.max_programs is None:
        if stop_at is None:
            return stages[-1], following(stages[-1]), "candidates"
        return stages[stop_at], following(stages[stop_at]), "stop threshold"
    best = stages[0]
    for stage in pool:
        fits_budget = problem.budget_usd is None or stage.fee_usd <= problem.budget_usd
        fits_count = problem.max_programs is None or stage.applications <= problem.max_programs
        if fits_budget and fits_count and stage.objective > best.objective + _TOL:
            best = stage
    nxt = following(best)
    if nxt is None:
        return best, None, "candidates"
    if problem.max_programs is not None and nxt.applications > problem.max_programs:
        return best, nxt, "count"
    return best, nxt, "budget"


def _solution(
    problem: ListProblem,
    stages: tuple[Stage, ...],
    stage: Stage,
    following: Stage | None,
    stop_at: int | None,
    binding: str,
) -> ListSolution:
    chain = _Chain(problem)
    for i, s in zip(stage.selected, stage.signals, strict=True):
        chain.put(int(chain.pos_of[i]), s)
    chain.refresh()
    positions = np.flatnonzero(chain.sel)
    D = chain.removal_terms()
    contribution = (chain.m[positions] * D[positions]) @ chain.w
    programs = chain.order[positions]
    # most valuable first; ties by catalog position for determinism
    rank = np.lexsort((programs, -np.round(contribution, 12)))
    order = programs[rank]
    levels = chain.lev[positions][rank]
    # each program's fee is its marginal fee in this order within its fee group
    seen: dict[str, int] = {}
    fees: list[int] = []
    for i in order:
        group = problem.fee_groups[int(i)]
        fees.append(problem.fee_schedule.marginal_fee_usd(seen.get(group, 0)))
        seen[group] = seen.get(group, 0) + 1
    return ListSolution(
        stages=stages,
        stage=stage,
        next_stage=following,
        stop_at=stop_at,
        order=tuple(int(i) for i in order),
        signals=tuple(int(s) for s in levels),
        fees_usd=tuple(fees),
        contributions=tuple(float(c) for c in contribution[rank]),
        transcript_fee_usd=problem.fee_schedule.transcript_fee_usd if len(order) else 0,
        binding=binding,
    )


def objective_value(
    chances: ChanceMatrix,
    selected: Sequence[int],
    signals: Sequence[int] | None = None,
    values: Sequence[float] | None = None,
    draw: int = 0,
) -> float:
    """The objective of a list directly (no prefix tricks): used by tests and the benchmark."""
    if not len(selected):
        return 0.0
    levels = [0] * len(selected) if signals is None else list(signals)
    vals = [1.0] * chances.conversion.shape[1] if values is None else list(values)
    order = sorted(range(len(selected)), key=lambda j: (-vals[selected[j]], selected[j]))
    no_better = np.ones_like(chances.weights)
    total = np.zeros_like(chances.weights)
    for j in order:
        i, s = selected[j], levels[j]
        m = np.minimum(
            chances.interview_by_signal[s][draw, i] * chances.conversion[draw, i], _M_CAP
        )
        total += vals[i] * m * no_better
        no_better = no_better * (1.0 - m)
    return float(total @ chances.weights)


EXHAUSTIVE_MAX_PROGRAMS = 11


def exhaustive_list(problem: ListProblem) -> tuple[float, tuple[int, ...], tuple[int, ...]]:
    """The exact optimum by enumerating every list and signal assignment (tiny instances only).

    Returns (objective, selected positions, their signal levels). Used to measure the chain's
    optimality gap in tests and `bench/optimizer.py`.
    """
    _validate(problem)
    n = problem.size
    if n > EXHAUSTIVE_MAX_PROGRAMS:
        raise InvalidInput(
            f"exhaustive search takes at most {EXHAUSTIVE_MAX_PROGRAMS} programs, got {n}",
            field="programs",
        )
    chain = _Chain(problem)
    levels = chain.levels
    codes = np.indices((levels + 1,) * n).reshape(n, -1).T  # 0: out, 1 + s: in at level s
    ok = np.ones(len(codes), dtype=bool)
    allowed = chain.eligible.copy()
    must = np.zeros(n, dtype=bool)
    must[chain.pos_of[list(problem.must_include)]] = True
    allowed |= must
    ok &= ~((codes > 0) & ~allowed).any(axis=1)
    ok &= (codes[:, must] > 0).all(axis=1)
    sizes = (codes > 0).sum(axis=1)
    if problem.max_programs is not None:
        ok &= sizes <= problem.max_programs
    if problem.budget_usd is not None:
        cumulative = np.concatenate([[0], np.cumsum(chain.marginal)])
        fee = np.zeros(len(codes), dtype=np.int64)
        for g in range(len(chain.fee_counts)):
            fee += cumulative[(codes[:, chain.fee_group == g] > 0).sum(axis=1)]
        transcript = np.where(sizes > 0, problem.fee_schedule.transcript_fee_usd, 0)
        ok &= fee + transcript <= problem.budget_usd
    for s in range(1, levels):
        for g in range(chain.allow.shape[0]):
            in_group = chain.sig_group == g
            ok &= (codes[:, in_group] == s + 1).sum(axis=1) <= chain.allow[g, s]
        ok &= ~((codes == s + 1) & (chain.sig_group < 0)[None, :]).any(axis=1)
    feasible = codes[ok]
    best_value, best_code = -1.0, feasible[0]
    idx = np.arange(n)
    for start in range(0, len(feasible), 4096):
        block = feasible[start : start + 4096]
        level = np.maximum(block - 1, 0)
        m = np.where((block > 0)[:, :, None], chain.M[level, idx[None, :]], 0.0)
        A = np.ones_like(m)
        A[:, 1:] = np.cumprod(1.0 - m, axis=1)[:, :-1]
        value = (chain.v[None, :, None] * m * A).sum(axis=1) @ chain.w
        k = int(np.argmax(value))
        if value[k] > best_value + _TOL:
            best_value, best_code = float(value[k]), block[k]
    chosen = np.flatnonzero(best_code > 0)
    programs = chain.order[chosen]
    ordering = np.argsort(programs)
    return (
        best_value,
        tuple(int(i) for i in programs[ordering]),
        tuple(int(best_code[p] - 1) for p in chosen[ordering]),
    )
