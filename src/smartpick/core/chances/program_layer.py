"""The per-program layer of Internal Medicine and Family Medicine, learned at fit time from the
catalog's 2026 evidence, and the per-program arrays of any specialty under given assumptions.

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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, logit

from smartpick.core.chances import program_rates as pr
from smartpick.core.chances.decompose import decompose, levels_of
from smartpick.core.chances.evidence import interviews_per_position, type_rate
from smartpick.core.chances.features import (
    CORE,
    Column,
    apply_columns,
    categorical_programs,
    fit_columns,
    has_rate,
    raw_columns,
)
from smartpick.core.chances.outcomes import SpecialtyOutcomes
from smartpick.core.programs import APPLICANT_TYPES, Program

FloatArray = NDArray[np.float64]
RIDGE = 0.1  # prior SD of a standardised feature's slope (chosen by cross-validation)
FACTORS = ("signal", "step1_failed", "step2ck_failed", "geographic", "home_state")
# The matrix's signal columns: none, silver, gold ("sent", a specialty's only kind, is gold).
MATRIX_LEVEL = {"none": 0, "silver": 1, "gold": 2, "sent": 2}
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


def _record(row: Sequence[float]) -> ProgramRecord:
    values: dict[str, Any] = {}
    i = 0
    for name in RECORD_FIELDS:
        width = _WIDTH.get(name, 1)
        chunk = tuple(float(v) for v in row[i : i + width])
        values[name] = chunk if width > 1 else chunk[0]
        i += width
    return ProgramRecord(**values)


def pool_sd(o: SpecialtyOutcomes) -> float:
    """SD of Step 2 CK among the specialty's ranked non-US IMGs: the published matched and
    not-matched distributions mixed at the match rate."""
    m, u = o.step2ck_matched, o.step2ck_not_matched
    if not (m and u and m.mean and m.sd and u.mean and u.sd):
        return 14.0
    r = o.match_rate
    return math.sqrt(r * m.sd**2 + (1 - r) * u.sd**2 + r * (1 - r) * (m.mean - u.mean) ** 2)


def _three(values: Sequence[float], levels: Sequence[str]) -> tuple[float, float, float]:
    out = [0.0, 0.0, 0.0]
    for v, lv in zip(values, levels, strict=True):
        out[MATRIX_LEVEL[lv]] = float(v)
    return (out[0], out[1], out[2])


def _mix(row: FloatArray, mean: FloatArray, levels: Sequence[str]) -> tuple[float, float, float]:
    """A program's non-US IMG signal mix (the specialty's mean where it shows no signal
    figures), summing to 1."""
    use = mean if row.sum() <= 1e-9 else row
    return _three(list(use / use.sum()), levels)


def _smoothed_logit(rate: float, n: float) -> float:
    k = rate * n
    return math.log((k + 0.5) / (n - k + 0.5))


def _type_offsets(progs: Sequence[Program]) -> dict[str, float]:
    """Inverse-variance weighted mean logit difference of each type's rate from the non-US IMG
    rate at the programs that publish both (measured, replacing v1's match-rate offsets)."""
    out = {}
    for kind in OTHER_TYPES:
        diffs, weights = [], []
        for p in progs:
            a, b = type_rate(p.interview_evidence, kind), type_rate(p.interview_evidence)
            if a is None or b is None or a.rate is None or b.rate is None:
                continue
            na, nb = float(a.applicants or 0), float(b.applicants or 0)
            ka, kb = a.rate * na, b.rate * nb
            var = 1 / (ka + 0.5) + 1 / (na - ka + 0.5) + 1 / (kb + 0.5) + 1 / (nb - kb + 0.5)
            diffs.append(_smoothed_logit(a.rate, na) - _smoothed_logit(b.rate, nb))
            weights.append(1.0 / var)
        out[kind] = float(np.average(diffs, weights=weights)) if diffs else 0.0
    return out


def fit_layer(
    specialty: str,
    programs: Sequence[Program],
    sibling: Mapping[str, Any],
    outcomes: SpecialtyOutcomes,
) -> LayerFit:
    """Fit the program-rate model and the decompositions of IM or FM (`programs`: the catalog's
    programs of the specialty; `sibling`: `features.sibling_tables`)."""
    progs = categorical_programs(programs)
    raw = raw_columns(progs, sibling)
    columns = fit_columns(raw, CORE)
    X = apply_columns(raw, columns)
    has = np.array([has_rate(p) for p in progs])
    counts = pr.Counts.of(progs)
    rate_fit = pr.fit(X[has], counts, ridge=RIDGE, inflated=True)
    post = pr.posterior(rate_fit, X[has], counts)
    pred = rate_fit.predictive_rate(X)
    with_ev = [p for p in progs if p.interview_evidence is not None]
    evs = [p.interview_evidence for p in with_ev if p.interview_evidence is not None]
    dec = {f: decompose(evs, f, specialty) for f in FACTORS}
    row = {p.id: i for i, p in enumerate(with_ev)}
    nonus = APPLICANT_TYPES.index("non_us_img")
    # Application weights: the 2026 counts; without data, a ridge regression of log(count).
    n = np.array(
        [
            float(type_rate(p.interview_evidence).applicants or 0) if h else 0.0  # type: ignore[union-attr]
            for p, h in zip(progs, has, strict=True)
        ]
    )
    Z = np.column_stack((np.ones(len(X)), X))
    A = Z[has]
    coef = np.linalg.solve(A.T @ A + np.eye(A.shape[1]), A.T @ np.log1p(n[has]))
    weight = np.where(has, n, np.maximum(np.expm1(Z @ coef), 1.0))
    rate = pred.mean.copy()
    rate[has] = post.mean
    # Score-slope evidence: the invited non-US IMGs' Step 2 CK median against the centre.
    sd = pool_sd(outcomes)
    med = np.full(len(progs), np.nan)
    rel = np.zeros(len(progs))
    for i, p in enumerate(progs):
        ev = p.interview_evidence
        r = ev.step2ck_invited.get("non_us_img") if ev else None
        if r is not None and r.median is not None:
            med[i], rel[i] = r.median, 1.0 if r.reliable else 0.5
    ok = ~np.isnan(med)
    centre = float(np.average(med[ok], weights=rel[ok])) if ok.any() else 0.0
    beta_raw = np.where(ok, 10.0 * (np.nan_to_num(med) - centre) / sd**2 * rel, 0.0)
    # Conversion: log(positions / invitations) and 2026 unfilled, against invitation weights.
    lpi = np.full(len(progs), np.nan)
    unfilled = np.zeros(len(progs))
    for i, p in enumerate(progs):
        ev = p.interview_evidence
        ipp = interviews_per_position(ev) if ev else None
        if ev is None or ipp is None:
            continue
        lpi[i] = -math.log(ipp)
        if ev.positions_filled is not None and ev.positions_offered is not None:
            unfilled[i] = float(ev.positions_filled < ev.positions_offered)
    invites = rate * weight + 1e-12
    has_lpi = ~np.isnan(lpi)
    conv_dev = np.where(
        has_lpi, np.nan_to_num(lpi) - np.average(lpi[has_lpi], weights=invites[has_lpi]), 0.0
    )
    conv_centre = (
        float(np.average(conv_dev, weights=invites)),
        float(np.average(unfilled, weights=invites)),
    )
    levels_sig = levels_of("signal", specialty)
    type_mix_signal = dec["signal"].mix[:, nonus].mean(axis=0)
    records: dict[str, ProgramRecord] = {}
    post_i = 0
    for i, p in enumerate(progs):
        if not has[i]:
            continue
        j = row[p.id]

        def dev(factor: str, level: int, j: int = j) -> float:
            d = dec[factor]
            return float(d.gamma[j, level] - d.prior_center[level])

        sig = dec["signal"]
        records[p.id] = ProgramRecord(
            rate=float(post.mean[post_i]),
            low=float(post.low[post_i]),
            high=float(post.high[post_i]),
            logit_mean=float(post.logit_mean[post_i]),
            logit_sd=float(post.logit_sd[post_i]),
            closed=float(post.closed[post_i]),
            signal_dev=_three(
                [0.0] + [dev("signal", k) for k in range(1, len(levels_sig))], levels_sig
            ),
            signal_mix=_mix(sig.mix[j, nonus], type_mix_signal, levels_sig),
            fail1_dev=dev("step1_failed", 1),
            fail2_dev=dev("step2ck_failed", 1),
            geo_dev=(dev("geographic", 1), dev("geographic", 2)),
            home_dev=dev("home_state", 1),
            beta_raw=float(beta_raw[i]),
            conv_dev=float(conv_dev[i]),
            unfilled=float(unfilled[i]),
            applications=float(n[i]),
        )
        post_i += 1
    levels = {
        "signal": list(_three(list(dec["signal"].prior_center), levels_sig)),
        "step1_failed": [float(dec["step1_failed"].prior_center[1])],
        "step2ck_failed": [float(dec["step2ck_failed"].prior_center[1])],
        "geographic": [float(x) for x in dec["geographic"].prior_center],
        "home_state": [float(dec["home_state"].prior_center[1])],
    }
    type_mix = {
        f: {
            t: [round(float(x), 9) for x in dec[f].mix[:, k].mean(axis=0)]
            for k, t in enumerate(APPLICANT_TYPES)
        }
        for f in FACTORS
    }
    type_mix["signal"] = {t: list(_three(v, levels_sig)) for t, v in type_mix["signal"].items()}
    others = {
        p.id: [
            float(pred.mean[i]),
            float(pred.low[i]),
            float(pred.high[i]),
            float(pred.logit_sd[i]),
            float(weight[i]),
        ]
        for i, p in enumerate(progs)
        if not has[i]
    }
    return LayerFit(
        specialty,
        columns,
        rate_fit,
        records,
        levels,
        type_mix,
        conv_centre,
        [float(c) for c in coef],
        _type_offsets(progs),
        others,
        {
            t: float(sum((ev.by_type[t].applicants or 0) for ev in evs if t in ev.by_type))
            for t in APPLICANT_TYPES
        },
    )


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


def rate_of(logit_value: FloatArray) -> FloatArray:
    """Inverse of `logit_rate`."""
    return np.asarray(expit(logit_value))
