"""The chain's stages with their intervals, and the objective of a list computed directly.

The chain chooses on the point estimate (draw 0). The intervals need every draw, but only for the
programs the chain chose: each stage's P(match) per draw is carried along the chain (a stage that
adds one program multiplies in that program's factor), from the draws of the chosen programs
alone (`ChanceMatrix.interview_draws`, computed when first asked for).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from smartpick.core.chances.draw_kernels import gather_columns, list_outcome, no_match_and_sum
from smartpick.core.chances.matrix import ChanceMatrix, distinct, interval_bounds, match_terms
from smartpick.core.lists.curve_kernel import stage_no_match
from smartpick.core.lists.types import _M_CAP, FloatArray, ListProblem, Stage, StageLists

# One stage of a chain: programs (ascending) with their signal levels, fees with the transcript
# fee, objective, and the (program, level) it adds to the stage before it in the same chain
# with nothing else changed (None: the first stage, or swaps / signal moves changed the list).
StageSet = tuple[StageLists, int, float, tuple[int, int] | None]

# The curve's stages come this many at a time: a block's (stages, draws, nodes) products stay in
# the cache, where a whole curve's were 1-2 MB of fresh memory a page.
CURVE_BLOCK = 64


def curve_draws(
    chances: ChanceMatrix, stage_sets: Sequence[StageSet], *, draws: bool = True
) -> FloatArray:
    """P(match) per draw for every stage, (D+1, stages); with `draws=False` the point estimate
    alone, (1, stages), the same numbers as the first row (computed on the point alone).

    A stage that adds one program to the stage before it multiplies in that program's factor;
    any other stage (the first, or one the swaps or signal moves changed) is the product over its
    programs. Every (program, level) a stage holds is one of these, so their terms are read in
    one pass (each value depends only on its own draw, program and node); the products are
    compiled (`curve_kernel`) and made `CURVE_BLOCK` stages at a time.
    """
    pairs: dict[tuple[int, int], int] = {}
    members: list[int] = []  # the pairs of each run's first stage, run after run
    member_starts = [0]
    added: list[int] = []  # each stage's added pair, or -(r + 1) where run r starts
    for t, (lists, _, _, pair) in enumerate(stage_sets):
        if not t or pair is None:
            added.append(-len(member_starts))
            members.extend(pairs.setdefault(p, len(pairs)) for p in zip(*lists.lists, strict=True))
            member_starts.append(len(members))
        else:
            added.append(pairs.setdefault(pair, len(pairs)))
    rows = chances.n_draws if draws else 1
    k = chances.weights.size
    programs, levels = (
        (np.array(a, dtype=np.int64) for a in zip(*pairs, strict=True))
        if pairs
        else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    )
    if draws:
        conversion, conversion_rows = chances.conversion_rows(programs)
    else:
        conversion, conversion_rows = chances.point_conversion[None], programs
    interview_rows = np.empty(len(pairs), dtype=np.int64)  # each pair's row of its level's array
    interview = []
    for level in range(chances.levels):
        at = np.flatnonzero(levels == level)
        if draws:
            values, interview_rows[at] = chances.interview_rows(level, programs[at])
        else:
            values, interview_rows[at] = chances.point_interview[level][None], programs[at]
        interview.append(np.ascontiguousarray(values))  # one array type for the kernel
    stages_added = np.array(added, dtype=np.int64)
    members_at = np.array(members, dtype=np.int64)
    runs_at = np.array(member_starts, dtype=np.int64)
    curve = np.empty((len(stage_sets), chances.n_draws))
    no_match = np.empty((min(len(stage_sets), CURVE_BLOCK) + 1, rows, k))  # [0]: the stage before
    for first in range(0, len(stage_sets), CURVE_BLOCK):
        stop = min(len(stage_sets), first + CURVE_BLOCK)
        block = no_match[: stop - first + 1]
        stage_no_match(
            tuple(interview),
            levels,
            interview_rows,
            conversion,
            conversion_rows,
            stages_added,
            members_at,
            runs_at,
            first,
            block,
        )
        part = block[1:]
        if not draws:
            # the point in every draw's row for the product with the weights: BLAS sums a row in
            # an order that depends on how many rows there are, and the point must keep its bits
            part = np.repeat(part, chances.n_draws, axis=1)
        # a stack of (draws, K) products: each stage's sum is the same whatever the block
        curve[first:stop] = 1.0 - part @ chances.weights
        no_match[0] = block[-1]
    return curve.T if draws else curve.T[:1]


def stages(
    problem: ListProblem, stage_sets: Sequence[StageSet], *, intervals: bool = True
) -> tuple[Stage, ...]:
    """The chain's stages with P(match) and gains; its intervals too unless `intervals=False`
    (then the bootstrap draws are not computed and each stage's `p_match_range` is None)."""
    if not stage_sets:
        return ()
    curve = curve_draws(problem.chances, stage_sets, draws=intervals)
    points = curve[0].tolist()
    ranges: list[tuple[float, float] | None] = [None] * len(stage_sets)
    if intervals:
        _, lows, highs = interval_bounds(curve, problem.interval_level)
        ranges = list(zip(lows.tolist(), highs.tolist(), strict=True))
    lists, fees, values, _ = zip(*stage_sets, strict=True)  # column by column
    objectives = list(map(float, values))
    gains = [objectives[0], *(b - a for a, b in zip(objectives, objectives[1:], strict=False))]
    # positional `_make`: a curve has hundreds of stages
    return tuple(
        map(
            Stage._make,
            zip(lists, map(int, fees), objectives, points, ranges, gains, strict=True),
        )
    )


def list_draws(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A list's P(interview) per program (D+1, S), P(match) (D+1,) and expected interviews
    (D+1,), per draw, from one read of its programs' terms: the same arithmetic, bit for bit, as
    `matrix.interview_terms(...) @ weights`, `matrix.p_match` and `matrix.expected_interviews`
    (the terms read where they are kept, the no-match product and their sum compiled: no
    temporaries)."""
    if not len(selected):
        return np.zeros((chances.n_draws, 0)), np.zeros(chances.n_draws), np.zeros(chances.n_draws)
    idx = np.asarray(selected, dtype=np.int64)
    levels = np.asarray(signals, dtype=np.int64)
    w = chances.weights
    terms = np.empty((chances.n_draws, idx.size, w.size))  # (D+1, S, K)
    for level in distinct(levels, chances.levels).tolist():
        at = np.flatnonzero(levels == level)
        values, rows = chances.interview_rows(level, idx[at])
        gather_columns(values, rows, at, terms)
    no_match, interviews = np.empty((chances.n_draws, w.size)), np.empty((chances.n_draws, w.size))
    no_match_and_sum(terms, *chances.conversion_rows(idx), no_match, interviews)
    if w.size == 1:  # one node: numpy sums the programs' axis, then contiguous, pairwise
        interviews = terms.sum(axis=1)
    return terms @ w, 1.0 - no_match @ w, interviews @ w


def list_outcome_draws(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int]
) -> tuple[FloatArray, FloatArray]:
    """`list_draws`'s P(match) and expected interviews per draw, (D+1,) each, bit for bit; where
    the matrix's source gives a list's terms (`ChanceMatrix.list_terms`), in one compiled pass
    over them that keeps no (draws x programs x nodes) array and computes no program's draws for
    later (a priced list reads these two and nothing else of its draws)."""
    if not len(selected) or chances.list_terms is None:
        _, p_draws, i_draws = list_draws(chances, selected, signals)
        return p_draws, i_draws
    idx = np.asarray(selected, dtype=np.int64)
    levels = np.asarray(signals, dtype=np.int64)
    point = np.empty((idx.size, chances.weights.size))
    for level in distinct(levels, chances.levels).tolist():
        at = np.flatnonzero(levels == level)
        point[at] = chances.point_interview[level][idx[at]]
    terms = chances.list_terms(idx, levels)
    no_match, interviews = list_outcome(
        point,
        chances.point_conversion[idx, 0],
        (terms.x, terms.visa, terms.conversion),
        terms.spec,
        terms.sigma,
        terms.z,
    )
    w = chances.weights
    return 1.0 - no_match @ w, interviews @ w


def objective_draws(
    chances: ChanceMatrix,
    selected: Sequence[int],
    signals: Sequence[int] | None = None,
    values: Sequence[float] | None = None,
) -> FloatArray:
    """The objective of a list per draw, (D+1,), computed directly (no prefix tricks)."""
    if not len(selected):
        return np.zeros(chances.n_draws)
    programs, levels, vals = _by_preference(selected, signals, values)
    m = np.minimum(match_terms(chances, programs, levels), _M_CAP)  # (D+1, S, K)
    return _objective(m, vals) @ chances.weights


def objective_value(
    chances: ChanceMatrix,
    selected: Sequence[int],
    signals: Sequence[int] | None = None,
    values: Sequence[float] | None = None,
) -> float:
    """The objective of a list at the point estimate, computed directly (tests, the bound)."""
    if not len(selected):
        return 0.0
    programs, levels, vals = _by_preference(selected, signals, values)
    m = np.stack(
        [
            np.minimum(chances.point_interview[s][i] * chances.point_conversion[i], _M_CAP)
            for i, s in zip(programs, levels, strict=True)
        ]
    )  # (S, K)
    return float(_objective(m[None], vals)[0] @ chances.weights)


def _by_preference(
    selected: Sequence[int], signals: Sequence[int] | None, values: Sequence[float] | None
) -> tuple[list[int], list[int], FloatArray]:
    """The list's programs, levels and values, most preferred first (ties by position)."""
    levels = [0] * len(selected) if signals is None else list(signals)
    value = (lambda i: 1.0) if values is None else (lambda i: float(values[i]))
    order = sorted(range(len(selected)), key=lambda j: (-value(selected[j]), selected[j]))
    programs = [int(selected[j]) for j in order]
    return programs, [int(levels[j]) for j in order], np.array([value(i) for i in programs])


def _objective(m: FloatArray, values: FloatArray) -> FloatArray:
    """sum_i v_i m_i prod_{j before i} (1 - m_j) per draw and node, from (D, S, K) terms."""
    no_better = np.ones_like(m)
    no_better[:, 1:] = np.cumprod(1.0 - m[:, :-1], axis=1)
    return np.asarray((values[None, :, None] * m * no_better).sum(axis=1))
