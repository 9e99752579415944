"""The per-program layer of Internal Medicine and Family Medicine: what the fit learns from the
catalog's 2026 evidence (`layer_fit.fit_layer`), its place in the fitted file, and the arrays the
population model and the program side read from it.

For every IM / FM categorical program with a published non-US IMG rate (`ProgramRecord`):

- the rate: the posterior given its own count, shrunk toward its feature prediction
  (`program_rates`): mean, 10-90% quantiles, logit mean and SD, P(closed);
- its deviations from the specialty's median effect of a signal (gold / silver, FM sent), a failed
  Step 1 and a failed Step 2 CK, a stated geographic preference (aligned / not aligned) and an
  in-state address (`decompose`, net of applicant type), and its non-US IMG applicants' signal mix;
- `beta_raw`: its score slope's evidence, 10 (median_i - centre) / sd^2 x reliability, from the
  Step 2 CK median of the non-US IMGs it invited (under the logistic, the invited scores are the
  pool's exponentially tilted: shifted by beta sd^2 / 10), 1 for a reliable range, 0.5 for one
  flagged less reliable;
- `conv_dev` and `unfilled`: log(positions / invitations) against the specialty's centre, and
  whether it left positions unfilled in 2026, for P(match | interview);
- its number of non-US IMG applications (the population model's weights).

A program without 2026 data gets the median effects, the specialty's mean signal mix and the
feature prediction of its rate (wider). The levels of the effects and the weights on a program's
own deviations are assumptions with ranges (`assumptions`), applied per draw by `program_effects`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import logit

from smartpick.core.chances import program_rates as pr
from smartpick.core.chances.features import Column

FloatArray = NDArray[np.float64]
OTHER_TYPES = ("us_img", "us_md", "us_do")


@dataclass(frozen=True)
class ProgramRecord:
    """One IM / FM program with 2026 data: what the fit learned about it."""

    rate: float
    low: float
    high: float
    logit_mean: float
    logit_sd: float
    closed: float
    signal_dev: tuple[float, float, float]  # none (0), silver, gold
    signal_mix: tuple[float, float, float]  # its non-US IMG applications at each level
    fail1_dev: float
    fail2_dev: float
    geo_dev: tuple[float, float]  # aligned, not aligned (vs no preference)
    home_dev: float
    beta_raw: float
    conv_dev: float
    unfilled: float
    applications: float


@dataclass(frozen=True)
class LayerFit:
    """What the fit learned about one specialty's programs from its 2026 evidence."""

    specialty: str
    columns: tuple[Column, ...]
    rate_fit: pr.Fit
    records: dict[str, ProgramRecord]
    levels: dict[str, list[float]]  # factor -> decomposition median per matrix level / level
    type_mix: dict[str, dict[str, list[float]]]  # factor -> type -> mean mix over its levels
    conv_centre: tuple[float, float]  # invitation-weighted means of conv_dev and unfilled
    weight_coef: list[float]  # log1p(non-US IMG applications) on [1, features] (no-data programs)
    type_offsets: dict[str, float]  # logit(type's rate) - logit(non-US IMG rate), same programs
    others: dict[
        str, list[float]
    ]  # fit-set programs without data: rate, low, high, logit SD, weight
    applications: dict[str, float]  # 2026 applications by applicant type, programs with evidence

    def to_dict(self) -> dict[str, Any]:
        """Plain values for the fitted file."""
        return {
            "specialty": self.specialty,
            "columns": [c.to_list() for c in self.columns],
            "rate_fit": self.rate_fit.to_dict(),
            "records": {
                "fields": list(RECORD_FIELDS),
                "rows": {pid: _flat(r) for pid, r in sorted(self.records.items())},
            },
            "levels": self.levels,
            "type_mix": self.type_mix,
            "conv_centre": list(self.conv_centre),
            "weight_coef": self.weight_coef,
            "type_offsets": self.type_offsets,
            "others": {
                pid: [round(v, 9) for v in vals] for pid, vals in sorted(self.others.items())
            },
            "applications": self.applications,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LayerFit:
        """Inverse of `to_dict`."""
        return cls(
            specialty=d["specialty"],
            columns=tuple(Column(*c) for c in d["columns"]),
            rate_fit=pr.Fit.from_dict(d["rate_fit"]),
            records={pid: _record(row) for pid, row in d["records"]["rows"].items()},
            levels={k: list(v) for k, v in d["levels"].items()},
            type_mix=d["type_mix"],
            conv_centre=(float(d["conv_centre"][0]), float(d["conv_centre"][1])),
            weight_coef=list(d["weight_coef"]),
            type_offsets=dict(d["type_offsets"]),
            others={pid: [float(v) for v in vals] for pid, vals in d["others"].items()},
            applications={k: float(v) for k, v in d["applications"].items()},
        )


RECORD_FIELDS = tuple(f.name for f in fields(ProgramRecord))
_WIDTH = {"signal_dev": 3, "signal_mix": 3, "geo_dev": 2}


def _flat(r: ProgramRecord) -> list[float]:
    """A record as one row of numbers (tuples spread out), rounded for a stable file."""
    out: list[float] = []
    for name in RECORD_FIELDS:
        value = getattr(r, name)
        out.extend(value if isinstance(value, tuple) else (value,))
    return [round(float(v), 7) for v in out]


def _spans() -> tuple[tuple[str, int, int], ...]:
    """(field, start, width) of each record field in a row."""
    spans: list[tuple[str, int, int]] = []
    start = 0
    for name in RECORD_FIELDS:
        width = _WIDTH.get(name, 1)
        spans.append((name, start, width))
        start += width
    return tuple(spans)


_SPANS = _spans()


def _record(row: Sequence[float]) -> ProgramRecord:
    # every start reads about 1,000 rows: the spans are worked out once
    numbers = [float(v) for v in row]
    values: dict[str, Any] = {
        name: numbers[i] if w == 1 else tuple(numbers[i : i + w]) for name, i, w in _SPANS
    }
    return ProgramRecord(**values)


@dataclass(frozen=True)
class LayerArrays:
    """The fit set of a layered specialty as arrays (sorted ids): what its market is built from."""

    ids: tuple[str, ...]
    rate: FloatArray
    weight: FloatArray  # sums to 1
    signal_dev: FloatArray  # (P, 3)
    signal_mix: FloatArray  # (P, 3)
    beta_raw: FloatArray
    conv_dev: FloatArray
    unfilled: FloatArray


def layer_arrays(layer: LayerFit) -> LayerArrays:
    """The fit set of `layer` (programs with and without data) as arrays, from the file alone."""
    ids = tuple(sorted([*layer.records, *layer.others]))
    mix_mean = tuple(layer.type_mix["signal"]["non_us_img"])
    rows: list[tuple[Any, ...]] = []
    for pid in ids:
        r = layer.records.get(pid)
        if r is None:
            other = layer.others[pid]
            rows.append((other[0], other[4], (0.0, 0.0, 0.0), mix_mean, 0.0, 0.0, 0.0))
        else:
            rows.append(
                (
                    r.rate,
                    r.applications,
                    r.signal_dev,
                    r.signal_mix,
                    r.beta_raw,
                    r.conv_dev,
                    r.unfilled,
                )
            )
    cols = [np.array(c, dtype=np.float64) for c in zip(*rows, strict=True)]
    rate, weight, dev, mix, beta_raw, conv_dev, unfilled = cols
    return LayerArrays(ids, rate, weight / weight.sum(), dev, mix, beta_raw, conv_dev, unfilled)


def predicted_weights(layer: LayerFit, X: FloatArray) -> FloatArray:
    """Non-US IMG applications of programs without 2026 data, predicted from their features."""
    Z = np.column_stack((np.ones(len(X)), X))
    return np.asarray(np.maximum(np.expm1(Z @ np.array(layer.weight_coef)), 1.0))


def logit_rate(rate: FloatArray) -> FloatArray:
    """Logit of rates kept inside (1e-6, 0.95)."""
    return np.asarray(logit(np.clip(rate, 1e-6, 0.95)))
