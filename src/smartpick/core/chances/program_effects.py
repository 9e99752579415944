"""A program's effects under given assumptions, one row per draw: its signal effects, score
slope offset and P(match | interview) offset, from what the fit learned about it
(`program_layer`) and the assumed levels and weights (`assumptions`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def assumption_columns(values: Sequence[Any]) -> dict[str, FloatArray]:
    """Each assumption's values over draws as a column (D1, 1), for broadcasting over programs."""
    return {k: np.array([getattr(a, k) for a in values])[:, None] for k in values[0].to_dict()}


def signal_effects(dev: FloatArray, kind: str, cols: Mapping[str, FloatArray]) -> FloatArray:
    """(D1, P, 3) the signal effects (none, silver, gold): the assumed median level plus the
    program's kept deviation, never below 0 (a signal never hurts). `kind`: the specialty's
    signals, "two" (gold and silver), "one" (a single kind, priced as gold) or "none"."""
    w = cols["deviation_weight"]
    gamma = np.zeros((w.shape[0], dev.shape[0], 3))
    if kind == "none":
        return gamma
    gold = cols["fm_signal_sent"] if kind == "one" else cols["im_signal_gold"]
    gamma[:, :, 2] = np.maximum(gold + w * dev[:, 2], 0.0)
    if kind == "two":
        gamma[:, :, 1] = np.maximum(cols["im_signal_silver"] + w * dev[:, 1], 0.0)
    return gamma


def beta_offsets(beta_raw: FloatArray, cols: Mapping[str, FloatArray]) -> FloatArray:
    """(D1, P) each program's score slope minus the specialty's."""
    return np.asarray(cols["beta_shrink"] * beta_raw)


def conversion_offsets(
    conv_dev: FloatArray,
    unfilled: FloatArray,
    centre: tuple[float, float] | None,
    cols: Mapping[str, FloatArray],
) -> FloatArray:
    """(D1, P) log-odds offsets of P(match | interview), centred on the invitation-weighted mean
    so that the specialty's c stays the average conversion."""
    out = cols["conv_slope"] * conv_dev + cols["conv_unfilled"] * unfilled
    if centre is not None:
        out = out - (cols["conv_slope"] * centre[0] + cols["conv_unfilled"] * centre[1])
    return np.asarray(out)
