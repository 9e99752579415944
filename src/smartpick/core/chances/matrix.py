"""The contract between the probability model and the list optimizer.

For one applicant, the model integrates over the shared latent applicant effect u with quadrature
nodes (weights sum to 1). Given u, outcomes at different programs are independent, so for a set S

    P(match | u, S) = 1 - prod_{i in S} (1 - interview[i, u] * conversion[i, u])

and P(match | S) = sum_k weights[k] * P(match | u_k, S). Correlation between programs comes only
through u: ten "60%" programs are not ten independent coins.

Every array has a leading "draw" axis: index 0 is the point estimate, 1..D are parametric-bootstrap
draws of the model's parameters, used for intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SIGNAL_LEVELS = ("none", "silver", "gold")  # "gold" alone is used where a specialty has one kind

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ChanceMatrix:
    """Per-program probabilities at each quadrature node, for the point estimate and each draw.

    Shapes: `weights` (K,); the others (D + 1, n, K) for n programs in `program_ids` order.
    `interview_by_signal[s]` is the interview probability when the program gets signal level
    `SIGNAL_LEVELS[s]`; level 0 (no signal) is the plain interview probability.
    """

    program_ids: tuple[str, ...]
    weights: FloatArray
    interview_by_signal: tuple[FloatArray, ...]  # one (D+1, n, K) array per signal level
    conversion: FloatArray  # P(match at i | interview at i, u)

    @property
    def interview(self) -> FloatArray:
        """Interview probabilities without a signal, (D + 1, n, K)."""
        return self.interview_by_signal[0]

    def index(self, program_id: str) -> int:
        """Position of a program in the arrays."""
        return self.program_ids.index(program_id)


def interview_terms(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int] | None = None
) -> FloatArray:
    """P(interview at program i | u) for the selected programs with their signal levels."""
    idx = np.asarray(selected, dtype=np.int64)
    if signals is None:
        interview = chances.interview[:, idx, :]
    else:
        levels = np.asarray(signals, dtype=np.int64)
        stacked = np.stack([arr[:, idx, :] for arr in chances.interview_by_signal])
        interview = np.take_along_axis(stacked, levels[None, None, :, None], axis=0)[0]
    return interview


def match_terms(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int] | None = None
) -> FloatArray:
    """P(match at program i | u) for the selected programs, (D + 1, len(selected), K)."""
    idx = np.asarray(selected, dtype=np.int64)
    return interview_terms(chances, selected, signals) * chances.conversion[:, idx, :]


def p_match(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int] | None = None
) -> FloatArray:
    """P(at least one match) for the selected programs, one value per draw, (D + 1,)."""
    if len(selected) == 0:
        return np.zeros(chances.conversion.shape[0])
    terms = match_terms(chances, selected, signals)
    no_match = np.prod(1.0 - terms, axis=1)  # (D+1, K)
    return 1.0 - no_match @ chances.weights


def expected_interviews(
    chances: ChanceMatrix, selected: Sequence[int], signals: Sequence[int] | None = None
) -> FloatArray:
    """Expected number of interview offers for the selected programs, per draw, (D + 1,)."""
    if len(selected) == 0:
        return np.zeros(chances.conversion.shape[0])
    return interview_terms(chances, selected, signals).sum(axis=1) @ chances.weights


def interval(values: FloatArray, level: float = 0.8) -> tuple[float, float, float]:
    """(point, low, high): the point is draw 0; low/high are quantiles of the draws 1..D."""
    return intervals(values[:, None], level)[0]


def intervals(values: FloatArray, level: float = 0.8) -> list[tuple[float, float, float]]:
    """`interval` for each column of a (D + 1, m) array, with one quantile pass for all."""
    points = values[0]
    draws = values[1:] if values.shape[0] > 1 else values
    tail = (1.0 - level) / 2.0
    low_q, high_q = np.quantile(draws, [tail, 1.0 - tail], axis=0)
    lows = np.minimum(points, low_q)
    highs = np.maximum(points, high_q)
    return [(float(p), float(lo), float(hi)) for p, lo, hi in zip(points, lows, highs, strict=True)]
