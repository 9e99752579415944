"""Learning the per-program layer of Internal Medicine and Family Medicine from the catalog's 2026
evidence (`fit_layer`): the program-rate model and each program's posterior rate
(`program_rates`), its effects net of applicant type (`decompose`), its score-slope evidence, its
conversion facts and its non-US IMG applications. What it learns, and how the rest of the model
reads it, is `program_layer`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances import program_rates as pr
from smartpick.core.chances.decompose import decompose, levels_of
from smartpick.core.chances.evidence import interviews_per_position, type_rate
from smartpick.core.chances.features import (
    CORE,
    apply_columns,
    categorical_programs,
    fit_columns,
    has_rate,
    raw_columns,
)
from smartpick.core.chances.outcomes import SpecialtyOutcomes
from smartpick.core.chances.program_layer import OTHER_TYPES, LayerFit, ProgramRecord
from smartpick.core.programs import APPLICANT_TYPES, Program

FloatArray = NDArray[np.float64]
RIDGE = 0.1  # prior SD of a standardised feature's slope (chosen by cross-validation)
FACTORS = ("signal", "step1_failed", "step2ck_failed", "geographic", "home_state")
# The matrix's signal columns: none, silver, gold ("sent", a specialty's only kind, is gold).
MATRIX_LEVEL = {"none": 0, "silver": 1, "gold": 2, "sent": 2}


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
