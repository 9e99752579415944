"""The list optimizer's inputs and outputs: the problem, the stages of the chain, the solution."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.matrix import ChanceMatrix
from smartpick.core.lists.economics import default_match_value
from smartpick.core.lists.fees import FeeSchedule

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

DEFAULT_HORIZON = 150  # the curve runs at least this far (or to the last useful program)
CURVE_PAST_STOP = 1.25  # and to a quarter past the stopping point, to show what more would buy


def chain_end(problem: ListProblem, size: int) -> int:
    """The list size from which the chain may end once the stopping rule found that a program
    added to `size` others is not worth its fee: the horizon or a quarter past that, and that
    stage at least (the list's next step; with `whole_curve` False, that stage alone), and with a
    count alone the stage past the count (see `chain_end_terms`)."""
    floor, past = chain_end_terms(problem)
    return max(floor, math.ceil(past * size), size + 1)


def chain_end_terms(problem: ListProblem) -> tuple[int, float]:
    """`chain_end`'s floor and share past the stopping stage (the compiled chain reads these).

    The chain ends only past its limits too: past a budget means a stage over it, which follows
    the last stage within the limits, but a count alone is passed at its own stage (no program
    may follow), so the floor is the stage past it: the list's next step, however early the
    stopping stage or far the count (even past the horizon)."""
    count = problem.max_programs
    past_count = count + 1 if count is not None and problem.budget_usd is None else 0
    if not problem.whole_curve:
        return past_count, 0.0
    return max(problem.horizon, past_count), CURVE_PAST_STOP


def ends_past_limits(problem: ListProblem, fee_power: float) -> bool:
    """Whether the chain of this fee power ends at its first stage past the budget or the count:
    the curve's chain (fee power 1) when nobody reads its stopping stage and there are limits
    (without them the list is the stopping stage). No later stage fits them, and the stage it
    ends at is the list's next step."""
    limits = problem.budget_usd is not None or problem.max_programs is not None
    return fee_power == 1.0 and limits and not problem.stopping_stage


# Swaps and signal moves polish every stage within the limits with preference values or at most
# POLISH_MAX_CANDIDATES candidates (cheap there, and a tight budget can leave greedy a point
# short). Larger P(match) problems grow on the fast chain and polish every POLISH_EVERY-th stage
# and the last stage the limits allow; without limits, the stages up to POLISH_EVERY_STAGE_UP_TO
# programs between them too, when a signal move may help (past the guide's 60 a polish moves the
# objective by hundredths of a point, and the long lists of the value rule would otherwise spend
# most of their time there; between the POLISH_EVERY-th stages the search for a swap, which
# rarely finds one, cost more than the rest of the polish test). On the six reference profiles
# x 1-2 specialties x $500-$3,000 this chooses the same lists as polishing every stage, in a
# third of the time (bench/optimizer.py); a curve's other stages may fall short of polishing
# every stage by up to 0.3 pp, the chosen lists within 0.001 pp (bench/polish_schedule.py).
POLISH_MAX_CANDIDATES = 40
POLISH_EVERY = 10
POLISH_EVERY_STAGE_UP_TO = 60
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
_TIE = 1e-12  # relative: two gains closer than this are a tie (broken by position)


@dataclass(frozen=True)
class ListProblem:
    """Everything the optimizer needs, by position in `chances.program_ids`.

    - `fee_groups[i]`: the ERAS specialty whose fee tiers program i counts against (tiers restart
      per group).
    - `signal_groups[i]`: the specialty whose signal allowance program i draws on, or None;
      `signal_allowances[group] = (gold, silver)`. Empty tuple: no signals at all.
    - `budget_usd`: total fees including the transcript fee; `max_programs`: a count limit.
      Neither given: the list stops where the next application is no longer worth its fee:
      its gain times `match_value_usd` (what a match is worth) is below its marginal fee.
    - `must_include` / `excluded`: positions; `candidates`: positions that may be chosen (None: all
      but the excluded). `values`: preference value per program (>= 0), None for P(match).
    - `whole_curve`: the chain runs on to `horizon` (and a quarter past the stopping stage) to
      draw the curve; False (a list that is priced, not shown) stops it one stage past the last
      one that fits the limits and past the stopping stage: the same list, stopping stage and next
      step, a shorter curve.
    - `stopping_stage`: False when nobody reads it (a list priced within a budget or a count;
      needs `whole_curve` False): the chain ends at its first stage past the limits, however far
      the stopping stage is: the same list, and `ListSolution.stop_at` None unless the chain
      passed the stopping stage first. Without limits the list is the stopping stage: ignored.
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
    # what a match is worth to the applicant (USD); default: the reference file's (economics)
    match_value_usd: float = field(default_factory=lambda: default_match_value().value)
    horizon: int = DEFAULT_HORIZON
    whole_curve: bool = True
    stopping_stage: bool = True
    interval_level: float = 0.8  # share of the bootstrap draws inside each interval

    @property
    def size(self) -> int:
        """Number of programs in the matrix."""
        return len(self.chances.program_ids)


class StageLists:
    """A stage's programs (ascending positions) with their signal levels, made when first read
    from an earlier stage's and the programs added since: a chain records hundreds of stages
    and a request reads the lists of a few (their sizes are kept)."""

    __slots__ = ("_lists", "_previous", "_added", "size")

    def __init__(
        self,
        selected: tuple[int, ...] = (),
        signals: tuple[int, ...] = (),
        *,
        previous: StageLists | None = None,
        added: tuple[int, int] | None = None,
    ) -> None:
        """The lists given, or those of `previous` with the (position, level) `added`."""
        self._previous, self._added = previous, added
        if previous is None or added is None:
            self._lists: tuple[tuple[int, ...], tuple[int, ...]] | None = (selected, signals)
            self.size = len(selected)
        else:
            self._lists = None
            self.size = previous.size + 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StageLists):
            return NotImplemented
        return self.size == other.size and self.lists == other.lists

    def __hash__(self) -> int:
        return hash(self.lists)

    def __repr__(self) -> str:
        return f"StageLists{self.lists!r}"

    def after(self, added: tuple[int, int]) -> StageLists:
        """These lists with one more program (position, level)."""
        out = StageLists.__new__(StageLists)  # as `__init__` with `previous`, without its tests
        out._previous, out._added, out._lists, out.size = self, added, None, self.size + 1
        return out

    @property
    def lists(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(programs, signal levels), programs ascending."""
        if self._lists is None:
            added: list[tuple[int, int]] = []
            node: StageLists = self
            while node._lists is None:  # back to the nearest stage whose lists are made
                assert node._previous is not None and node._added is not None
                added.append(node._added)
                node = node._previous
            pairs = sorted([*zip(*node._lists, strict=True), *added])  # positions are distinct
            self._lists = (tuple(p for p, _ in pairs), tuple(s for _, s in pairs))
        return self._lists


class Stage(NamedTuple):
    """One list of the chain: its programs (positions) with signal levels, fees and objective
    (a named tuple: a chain makes hundreds)."""

    lists: StageLists  # `selected` and `signals`, made when read
    fee_usd: int  # including the transcript fee
    objective: float
    p_match_point: float  # P(match) at the point estimate
    p_match_range: tuple[float, float] | None  # (low, high); None: intervals not computed
    gain: float  # objective gain over the previous stage

    @property
    def selected(self) -> tuple[int, ...]:
        """The list's programs (positions, ascending)."""
        return self.lists.lists[0]

    @property
    def signals(self) -> tuple[int, ...]:
        """Their signal levels."""
        return self.lists.lists[1]

    @property
    def applications(self) -> int:
        """Number of programs in this list."""
        return self.lists.size

    @property
    def p_match(self) -> tuple[float, float, float]:
        """P(match) as (point, low, high); raises when the intervals were not computed."""
        if self.p_match_range is None:
            raise ValueError("this list was computed without intervals (intervals=False)")
        return (self.p_match_point, *self.p_match_range)


@dataclass(frozen=True)
class ListChoice:
    """The chosen list alone (what a price reads: `optimizer.choose_list`)."""

    order: tuple[int, ...]  # chosen positions, most valuable first
    signals: tuple[int, ...]  # signal level of each, aligned with `order`
    fees_usd: tuple[int, ...]  # marginal ERAS fee of each, aligned with `order`
    contributions: tuple[float, ...]  # objective lost if the program were dropped
    transcript_fee_usd: int
    binding: str  # what limited the list: budget, count, match value, or candidates


@dataclass(frozen=True)
class ListSolution(ListChoice):
    """The chosen list and the chain (the curve) it was chosen from."""

    stages: tuple[Stage, ...]  # the curve: the best list found for each size, cheapest first
    stage: Stage  # the chosen list
    next_stage: Stage | None  # the best list found with one more application
    # curve index after which the next application is not worth its fee (None: every stage was,
    # or the chain ended before the first that is not: `ListProblem.stopping_stage` False)
    stop_at: int | None

    @property
    def next_gain(self) -> float | None:
        """Objective gained by one more application (None when no program is left)."""
        return None if self.next_stage is None else self.next_stage.objective - self.stage.objective

    @property
    def next_fee_usd(self) -> int | None:
        """Extra fees of that next application."""
        return None if self.next_stage is None else self.next_stage.fee_usd - self.stage.fee_usd
