"""The program side of one specialty: everything per program that does not depend on the
applicant, built once per process from the fitted file and the catalog's programs.

Internal Medicine and Family Medicine programs with 2026 data carry their fitted record
(`program_layer.ProgramRecord`); every other program (IM / FM without data, any other specialty)
gets its rate from its older features. In IM and FM that is the specialty's own program-rate
model; elsewhere the IM-trained model ranks the programs (the same institution's IM / FM 2026 rate
is its strongest transferable feature) and a shift centres them on the calibrated typical program
(`Transfer`). Effects take the median levels where a program has no evidence of its own; outside
IM and FM the failed-attempt level is IM's scaled by the program-director survey's relative share
of programs that screen out a failed attempt (`FAILED_ATTEMPT_SCREEN`, by Charting Outcomes name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.evidence import type_rate
from smartpick.core.chances.features import (
    IM,
    LAYERED,
    Column,
    apply_aligned,
    apply_columns,
    fit_columns,
    has_rate,
    raw_columns,
)
from smartpick.core.chances.program_layer import (
    OTHER_TYPES,
    LayerFit,
    logit_rate,
    predicted_weights,
)
from smartpick.core.chances.program_rates import NORMAL_SCORES, logit_normal_quantiles
from smartpick.core.lists.signals import signal_allowance
from smartpick.core.programs import Program
from smartpick.core.rules.visas import specialty_visa_counts, status_codes

FloatArray = NDArray[np.float64]
# Share of programs that will not interview after a failed Step 1 attempt (NRMP PD survey, about
# 2010; effects.csv rows 67-74), by Charting Outcomes name. Outside IM and FM a failed attempt
# costs IM's measured 2026 effect times the specialty's share relative to IM's.
FAILED_ATTEMPT_SCREEN: dict[str, float] = {
    "Surgery-General": 0.45,
    "Anesthesiology": 0.28,
    "Pathology-Anatomic and Clinical": 0.24,
    "Obstetrics and Gynecology": 0.21,
    "Neurology": 0.185,
    "Internal Medicine": 0.185,
    "Emergency Medicine": 0.185,
    "Family Medicine": 0.045,
    "Psychiatry": 0.045,
    "Pediatrics": 0.045,
}
FAILED_ATTEMPT_SCREEN_DEFAULT = 0.2  # other specialties: about the all-specialty middle
TYPICAL_APPLICATIONS = 90.0  # the point of `other_n_apps`: the cohort's signals spread over it


@dataclass(frozen=True)
class Transfer:
    """A specialty without 2026 data: its feature scaling and the centring of the IM-trained
    prediction (logit offset of program i from the typical program = logit p_i - centre + shift)."""

    columns: tuple[Column, ...]
    centre: float
    shift: float

    def to_dict(self) -> dict[str, Any]:
        """Plain values for the fitted file."""
        return {
            "columns": [c.to_list() for c in self.columns],
            "centre": self.centre,
            "shift": self.shift,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Transfer:
        """Inverse of `to_dict`."""
        return cls(tuple(Column(*c) for c in d["columns"]), float(d["centre"]), float(d["shift"]))


def signal_kind(charting: str) -> str:
    """ "two" (gold and silver), "one" (a single kind) or "none" (no signals) in a specialty."""
    try:
        allowance = signal_allowance(charting)
    except Exception:  # a name the signal table does not know: no signals
        return "none"
    if allowance.silver > 0:
        return "two"
    return "one" if allowance.gold > 0 else "none"


def allowance_mix(charting: str, n_apps: float) -> tuple[float, float, float]:
    """The cohort's signal mix over (none, silver, gold) when it spreads its allowance over
    `n_apps` applications."""
    try:
        allowance = signal_allowance(charting)
    except Exception:
        return (1.0, 0.0, 0.0)
    gold, silver = allowance.gold / n_apps, allowance.silver / n_apps
    return (1.0 - gold - silver, silver, gold)


@dataclass(frozen=True)
class ProgramBase:
    """Per-program arrays (P,) of one catalog specialty, independent of draws and applicant."""

    specialty: str
    charting: str  # the Charting Outcomes specialty whose calibration applies
    programs: tuple[Program, ...]
    layer: LayerFit | None  # the specialty's own 2026 layer (IM, FM), else None
    has_data: NDArray[np.bool_]
    rate: FloatArray  # layered: the non-US IMG pool rate (posterior mean or prediction)
    offset: FloatArray  # elsewhere: logit offset from the typical program
    rate_low: FloatArray  # 80% interval of the pool rate (NaN outside IM / FM)
    rate_high: FloatArray
    logit_sd: FloatArray  # spread of the rate's logit: wider without 2026 data
    # (P, K) the rate's logit quantiles at `program_rates.NORMAL_SCORES` minus the logit of the
    # point rate: the draws follow the rate's own distribution, whose mean is the point
    rate_spread: FloatArray
    signal_dev: FloatArray  # (P, 3) none, silver, gold
    signal_mix: FloatArray  # (P, 3) the non-US IMG pool's mix
    fail_dev: FloatArray  # (P, 2) Step 1, Step 2 CK / Step 3
    geo_dev: FloatArray  # (P, 2) aligned, not aligned
    home_dev: FloatArray
    beta_raw: FloatArray
    conv_dev: FloatArray
    unfilled: FloatArray
    weight: FloatArray  # non-US IMG applications (the cohort's way of applying)
    type_rates: dict[str, tuple[FloatArray, FloatArray]]  # type -> (rate, applicants), NaN if none
    visa_status: dict[str, NDArray[np.int64]]  # j1 / h1b -> `visas.STATUS` codes
    visa_counts: dict[str, tuple[int, int]]  # the specialty's (yes, stated) per visa
    fail_scale: float  # survey share relative to IM's (1 in IM / FM)

    @property
    def size(self) -> int:
        """Number of programs."""
        return len(self.programs)


def _zeros(n: int, *shape: int) -> FloatArray:
    return np.zeros((n, *shape))


def build_base(
    specialty: str,
    charting: str,
    programs: Sequence[Program],
    layers: Mapping[str, LayerFit],
    sibling: Mapping[str, Any],
    transfers: Mapping[str, Transfer],
) -> ProgramBase:
    """The program side of `programs` (one catalog specialty, any tracks)."""
    progs = tuple(programs)
    n = len(progs)
    layer = layers.get(specialty) if specialty in LAYERED else None
    raw = raw_columns(progs, sibling) if n else {}
    # A fitted record serves a program that still carries its 2026 figures.
    records = [layer.records.get(p.id) if layer and has_rate(p) else None for p in progs]
    has = np.array([r is not None for r in records], dtype=bool)
    rate, low, high = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    offset, logit_sd = np.zeros(n), np.zeros(n)
    spread = np.zeros((n, NORMAL_SCORES.size))
    signal_dev, fail_dev, geo_dev = _zeros(n, 3), _zeros(n, 2), _zeros(n, 2)
    home_dev, beta_raw, conv_dev, unfilled = _zeros(n), _zeros(n), _zeros(n), _zeros(n)
    weight = np.ones(n)
    if layer is not None:
        signal_mix = np.tile(layer.type_mix["signal"]["non_us_img"], (n, 1))
        X = apply_columns(raw, layer.columns) if n else np.zeros((0, len(layer.columns)))
        if n:
            pred = layer.rate_fit.predictive_rate(X)
            rate, low, high, logit_sd = pred.mean, pred.low, pred.high, pred.logit_sd
            spread = pred.logit_quantiles - logit_rate(pred.mean)[:, None]
            weight = predicted_weights(layer, X)
        for i, r in enumerate(records):
            if r is None:
                continue
            rate[i], low[i], high[i], logit_sd[i] = r.rate, r.low, r.high, r.logit_sd
            signal_dev[i], signal_mix[i] = r.signal_dev, r.signal_mix
            fail_dev[i] = (r.fail1_dev, r.fail2_dev)
            geo_dev[i], home_dev[i] = r.geo_dev, r.home_dev
            beta_raw[i], conv_dev[i], unfilled[i] = r.beta_raw, r.conv_dev, r.unfilled
            weight[i] = r.applications
        if has.any():  # a fitted record keeps (mean, logit SD): drawn as a logit-normal
            spread[has] = (
                logit_normal_quantiles(rate[has], logit_sd[has]) - logit_rate(rate[has])[:, None]
            )
        fail_scale = 1.0
    else:
        transfer = transfers.get(specialty)
        im = layers[IM]
        names = [c.name for c in im.columns]
        if transfer is None:  # a specialty the fit did not see: scale on these programs
            transfer = Transfer(fit_columns(raw, names) if n else (), 0.0, 0.0)
        if n:
            pred = im.rate_fit.predictive_rate(apply_aligned(raw, transfer.columns, names))
            offset = logit_rate(pred.mean) - transfer.centre + transfer.shift
            logit_sd = pred.logit_sd
            spread = pred.logit_quantiles - logit_rate(pred.mean)[:, None]
            weight = np.array([float(p.pgy1_positions.value or 4) for p in progs])
        total = allowance_mix(specialty, TYPICAL_APPLICATIONS)
        signal_mix = np.tile(total, (n, 1))
        share = FAILED_ATTEMPT_SCREEN.get(charting, FAILED_ATTEMPT_SCREEN_DEFAULT)
        fail_scale = share / FAILED_ATTEMPT_SCREEN[IM]
    type_rates = {}
    for kind in OTHER_TYPES:
        rcs = [type_rate(p.interview_evidence, kind) if layer else None for p in progs]
        type_rates[kind] = (
            np.array([np.nan if rc is None else float(rc.rate or 0.0) for rc in rcs]),
            np.array([0.0 if rc is None else float(rc.applicants or 0) for rc in rcs]),
        )
    return ProgramBase(
        specialty=specialty,
        charting=charting,
        programs=progs,
        layer=layer,
        has_data=has,
        rate=rate,
        offset=offset,
        rate_low=low,
        rate_high=high,
        logit_sd=logit_sd,
        rate_spread=spread,
        signal_dev=signal_dev,
        signal_mix=signal_mix,
        fail_dev=fail_dev,
        geo_dev=geo_dev,
        home_dev=home_dev,
        beta_raw=beta_raw,
        conv_dev=conv_dev,
        unfilled=unfilled,
        weight=weight,
        type_rates=type_rates,
        visa_status={k: status_codes(progs, k) for k in ("j1", "h1b")},
        visa_counts=specialty_visa_counts(progs),
        fail_scale=fail_scale,
    )


# ProgramBase fields that are not numbers: given again when a base is read back from arrays.
_GIVEN = ("specialty", "charting", "programs", "layer")


def base_arrays(base: ProgramBase) -> dict[str, NDArray[Any]]:
    """`base`'s numbers as named arrays (for a file), read back by `base_from_arrays`."""
    out: dict[str, NDArray[Any]] = {}
    for f in fields(ProgramBase):
        value = getattr(base, f.name)
        if f.name in _GIVEN:
            continue
        if isinstance(value, dict):
            out.update((f"{f.name}:{k}", np.asarray(v)) for k, v in value.items())
        else:
            out[f.name] = np.asarray(value)
    return out


def base_from_arrays(
    specialty: str,
    charting: str,
    programs: Sequence[Program],
    layers: Mapping[str, LayerFit],
    arrays: Mapping[str, NDArray[Any]],
) -> ProgramBase:
    """The `ProgramBase` whose `base_arrays` are `arrays` (built earlier for the same programs,
    fitted model and code): the same values, without building them. ValueError, KeyError or
    TypeError when `arrays` cannot be such a base for `programs`."""
    grouped: dict[str, Any] = {}
    for name, value in arrays.items():
        per_program = name != "fail_scale" and not name.startswith("visa_counts:")
        axis = 1 if name.startswith("type_rates:") else 0  # where the programs are
        if per_program and (value.ndim <= axis or value.shape[axis] != len(programs)):
            raise ValueError(f"{name} has shape {value.shape} for {len(programs)} programs")
        field_name, _, key = name.partition(":")
        if key:
            grouped.setdefault(field_name, {})[key] = value
        else:
            grouped[name] = value
    grouped["type_rates"] = {k: (v[0], v[1]) for k, v in grouped["type_rates"].items()}
    grouped["visa_counts"] = {k: (int(v[0]), int(v[1])) for k, v in grouped["visa_counts"].items()}
    grouped["fail_scale"] = float(grouped["fail_scale"])
    return ProgramBase(
        specialty=specialty,
        charting=charting,
        programs=tuple(programs),
        layer=layers.get(specialty) if specialty in LAYERED else None,
        **grouped,
    )
