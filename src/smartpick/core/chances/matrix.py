"""The contract between the probability model and the list optimizer.

For one applicant, the model integrates over the shared latent applicant effect u with quadrature
nodes (weights sum to 1). Given u, outcomes at different programs are independent, so for a set S

    P(match | u, S) = 1 - prod_{i in S} (1 - interview[i, u] * conversion[i, u])

and P(match | S) = sum_k weights[k] * P(match | u_k, S). Correlation between programs comes only
through u: ten "60%" programs are not ten independent coins.

Every array has a leading "draw" axis: index 0 is the point estimate, 1..D are parametric-bootstrap
draws of the model's parameters, used for intervals. The optimizer reads only the point (draw 0,
`point_interview`), for every program; the draws are computed when first asked for, for the
programs asked for (the listed ones and the curve's), from the model's terms (`DrawSource`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.draw_kernels import column_quantiles

SIGNAL_LEVELS = ("none", "silver", "gold")  # "gold" alone is used where a specialty has one kind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class DrawSource(Protocol):
    """Computes a matrix's values for some programs and draws on demand (the model's terms).

    Each value depends only on its own draw, program and node, so computing a subset gives the
    same numbers as computing everything."""

    def interview(
        self, level: int, idx: IntArray, draws: slice, out: FloatArray | None = None
    ) -> FloatArray:
        """P(interview | u) at signal `level`, (len(draws), len(idx), K) (written into `out`
        where given, and returned)."""
        ...

    def conversion(self, idx: IntArray, draws: slice) -> FloatArray:
        """P(match | interview, u), (len(draws), len(idx), K)."""
        ...


class ListTerms(NamedTuple):
    """What a list's P(interview | u) at the bootstrap draws is made of, per program of the list
    (in its order): V expit(x + sigma z) with x, V and the conversion each (D, S) for draws 1..D,
    `spec` (S,) each program's row of `sigma` (a specialty's residual spread, (n, D + 1)), and the
    quadrature nodes z (K,)."""

    x: FloatArray
    visa: FloatArray
    conversion: FloatArray
    spec: IntArray
    sigma: FloatArray
    z: FloatArray


def distinct(values: IntArray, size: int) -> IntArray:
    """The distinct values of `values` (integers from 0 to `size` - 1), ascending: `np.unique`'s
    answer from a mask instead of a sort (a few microseconds where `np.unique` of a few hundred
    positions took 20-35; a page and a plan ask a few dozen times)."""
    seen = np.zeros(size, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


class _Lazy:
    """The (D + 1, n, ...) values of n programs, computed program by program as they are asked
    for and kept in the order they were computed (`slot[i]`: program i's column, -1 before).

    The store holds only the programs computed so far (a page reads a few hundred of up to a
    thousand at one signal level, a dozen at another) and grows by doubling: a store sized for
    every program touched fresh memory at every draw for a dozen programs, a hundred page faults
    a results page."""

    def __init__(
        self, compute: Callable[[IntArray, slice, FloatArray], object], point: FloatArray, d1: int
    ) -> None:
        self.compute = compute  # (idx, draws, out): writes (len(draws), len(idx), ...) into out
        self.point = point
        self.values: FloatArray = np.empty((d1, 0, *point.shape[1:]))
        self.slot = np.full(point.shape[0], -1, dtype=np.int64)
        self.used = 0
        self.d1 = d1

    def get(self, idx: IntArray) -> FloatArray:
        rows = self.rows(idx)
        return np.take(self.values, rows, axis=1)

    def stored(self) -> FloatArray:
        """The values computed so far (program i at `slot[i]` along the second axis); a later
        `rows` may replace it with a larger store (the same values at the same slots)."""
        return self.values

    def rows(self, idx: IntArray) -> IntArray:
        """The programs' positions in `stored()`, computing those not computed yet."""
        missing = idx[self.slot[idx] < 0]
        if missing.size:
            missing = distinct(missing, self.slot.size)
            start, stop = self.used, self.used + missing.size
            if stop > self.values.shape[1]:
                grown = np.empty(
                    (self.d1, max(stop, 2 * self.values.shape[1]), *self.point.shape[1:])
                )
                grown[:, :start] = self.values[:, :start]
                self.values = grown
            self.values[0, start:stop] = self.point[missing]
            if self.d1 > 1:  # computed where they are kept: no copy
                self.compute(missing, slice(1, self.d1), self.values[1:, start:stop])
            self.slot[missing] = np.arange(start, stop)
            self.used = stop
        return self.slot[idx]


def _first_node(
    conversion: Callable[[IntArray, slice], FloatArray],
    idx: IntArray,
    draws: slice,
    out: FloatArray,
) -> None:
    out[...] = conversion(idx, draws)[:, :, 0]


class ChanceMatrix:
    """Per-program probabilities at each quadrature node, for the point estimate and each draw.

    `weights` (K,); `point_interview[s]` and `point_conversion` (n, K) are draw 0 for the n
    programs in `program_ids` order; `interview_draws` / `conversion_draws` give (D + 1, m, K)
    for m of them. Signal level `s` is `SIGNAL_LEVELS[s]`; level 0 (no signal) is the plain
    interview probability. Built from whole arrays, or with `on_demand` from a `DrawSource`.
    """

    def __init__(
        self,
        program_ids: tuple[str, ...],
        weights: FloatArray,
        interview_by_signal: tuple[FloatArray, ...],  # one (D + 1, n, K) array per signal level
        conversion: FloatArray,  # P(match at i | interview at i, u), (D + 1, n, K)
    ) -> None:
        self.program_ids = program_ids
        self.weights = weights
        self.n_draws = conversion.shape[0]  # D + 1
        self._interview: tuple[FloatArray, ...] | None = tuple(interview_by_signal)
        self._conversion: FloatArray | None = conversion
        self.point_interview = tuple(arr[0] for arr in interview_by_signal)
        self.point_conversion = conversion[0]
        self._lazy: list[_Lazy] = []
        self._index: dict[str, int] | None = None
        self.list_terms: Callable[[IntArray, IntArray], ListTerms] | None = None

    @classmethod
    def on_demand(
        cls,
        program_ids: tuple[str, ...],
        weights: FloatArray,
        source: DrawSource,
        *,
        levels: int,
        n_draws: int,
        list_terms: Callable[[IntArray, IntArray], ListTerms] | None = None,
    ) -> ChanceMatrix:
        """A matrix whose draw 0 is computed now for every program, the draws 1..D on demand;
        `list_terms(programs, levels)`: the source's `ListTerms` of a list, where it gives them
        (`curve.list_outcome_draws` then reads a list's draws without keeping its terms)."""
        out = cls.__new__(cls)
        out.program_ids, out.weights, out.n_draws = program_ids, weights, n_draws
        out._interview = out._conversion = None
        out._index = None
        out.list_terms = list_terms
        every = np.arange(len(program_ids), dtype=np.int64)
        first = slice(0, 1)
        out.point_interview = tuple(source.interview(s, every, first)[0] for s in range(levels))
        out.point_conversion = source.conversion(every, first)[0]
        out._lazy = [
            *(
                _Lazy(partial(source.interview, s), point, n_draws)
                for s, point in enumerate(out.point_interview)
            ),
            # P(match | interview) is the same at every node: kept as (D + 1, n)
            _Lazy(partial(_first_node, source.conversion), out.point_conversion[:, 0], n_draws),
        ]
        return out

    @property
    def levels(self) -> int:
        """Number of signal levels."""
        return len(self.point_interview)

    def interview_draws(self, level: int, idx: Sequence[int] | IntArray) -> FloatArray:
        """P(interview | u) at one signal level for programs `idx`, every draw, (D + 1, m, K)."""
        rows = np.asarray(idx, dtype=np.int64)
        if self._interview is not None:
            return self._interview[level][:, rows]
        return self._lazy[level].get(rows)

    def conversion_draws(self, idx: Sequence[int] | IntArray) -> FloatArray:
        """P(match | interview, u) for programs `idx`, every draw, (D + 1, m, K)."""
        rows = np.asarray(idx, dtype=np.int64)
        if self._conversion is not None:
            return self._conversion[:, rows]
        values = self._lazy[-1].get(rows)
        return np.broadcast_to(values[:, :, None], (*values.shape, self.weights.size))

    def interview_rows(self, level: int, idx: IntArray) -> tuple[FloatArray, IntArray]:
        """(values, rows): `interview_draws(level, idx)` is `values[:, rows]`, (D + 1, m, K),
        without the copy (the draws not computed yet are computed now)."""
        if self._interview is not None:
            return self._interview[level], idx
        lazy = self._lazy[level]
        rows = lazy.rows(idx)
        return lazy.stored(), rows

    def conversion_rows(self, idx: IntArray) -> tuple[FloatArray, IntArray]:
        """(values, rows) as `interview_rows` for `conversion_draws`; `values` is (D + 1, n, K),
        or (D + 1, n, 1) where it is the same at every node."""
        if self._conversion is not None:
            return self._conversion, idx
        lazy = self._lazy[-1]
        rows = lazy.rows(idx)
        return lazy.stored()[:, :, None], rows

    @property
    def interview_by_signal(self) -> tuple[FloatArray, ...]:
        """Every program's interview probabilities per signal level, (D + 1, n, K) each (all
        draws of every program: for tests and studies, not the request path)."""
        if self._interview is None:
            every = np.arange(len(self.program_ids), dtype=np.int64)
            return tuple(self.interview_draws(s, every) for s in range(self.levels))
        return self._interview

    @property
    def conversion(self) -> FloatArray:
        """Every program's P(match | interview, u), (D + 1, n, K) (as `interview_by_signal`)."""
        if self._conversion is None:
            return self.conversion_draws(np.arange(len(self.program_ids), dtype=np.int64))
        return self._conversion

    @property
    def interview(self) -> FloatArray:
        """Interview probabilities without a signal, (D + 1, n, K)."""
        return self.interview_by_signal[0]

    def index(self, program_id: str) -> int:
        """Position of a program in the arrays."""
        if self._index is None:
            self._index = {pid: i for i, pid in enumerate(self.program_ids)}
        if program_id not in self._index:
            raise ValueError(f"{program_id!r} is not in the matrix")
        return self._index[program_id]


def interview_terms(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int] | None = None
) -> FloatArray:
    """P(interview at program i | u) for the selected programs with their signal levels,
    (D + 1, len(selected), K)."""
    idx = np.asarray(selected, dtype=np.int64)
    levels = np.zeros(idx.size, np.int64) if signals is None else np.asarray(signals, np.int64)
    used = distinct(levels, chances.levels)
    if used.size == 1:
        return chances.interview_draws(int(used[0]), idx)  # a new array
    out = np.empty((chances.n_draws, idx.size, chances.weights.size))
    for level in used:
        at = np.flatnonzero(levels == level)
        out[:, at] = chances.interview_draws(int(level), idx[at])
    return out


def match_terms(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int] | None = None
) -> FloatArray:
    """P(match at program i | u) for the selected programs, (D + 1, len(selected), K)."""
    out = interview_terms(chances, selected, signals)
    out *= chances.conversion_draws(selected)
    return out


def p_match(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int] | None = None
) -> FloatArray:
    """P(at least one match) for the selected programs, one value per draw, (D + 1,)."""
    if len(selected) == 0:
        return np.zeros(chances.n_draws)
    terms = match_terms(chances, selected, signals)
    no_match = np.prod(1.0 - terms, axis=1)  # (D+1, K)
    return 1.0 - no_match @ chances.weights


def expected_interviews(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int] | None = None
) -> FloatArray:
    """Expected number of interview offers for the selected programs, per draw, (D + 1,)."""
    if len(selected) == 0:
        return np.zeros(chances.n_draws)
    return interview_terms(chances, selected, signals).sum(axis=1) @ chances.weights


def interval(values: FloatArray, level: float = 0.8) -> tuple[float, float, float]:
    """(point, low, high): the point is draw 0; low/high are quantiles of the draws 1..D."""
    return intervals(values[:, None], level)[0]


def intervals(values: FloatArray, level: float = 0.8) -> list[tuple[float, float, float]]:
    """`interval` for each column of a (D + 1, m) array, with one quantile pass for all."""
    points, lows, highs = interval_bounds(values, level)
    return list(zip(points.tolist(), lows.tolist(), highs.tolist(), strict=True))


def interval_bounds(
    values: FloatArray, level: float = 0.8
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """`intervals` as three arrays, (m,) each: the points, the lows and the highs."""
    points = values[0]
    draws = values[1:] if values.shape[0] > 1 else values
    tail = (1.0 - level) / 2.0
    low_q, high_q = column_quantiles(draws, (tail, 1.0 - tail))  # as np.quantile, compiled
    return points, np.minimum(points, low_q), np.maximum(points, high_q)
