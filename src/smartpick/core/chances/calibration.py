"""Calibration v2 of every Charting Outcomes specialty: markets, priors, fits, leave-one-out and
the parametric bootstrap.

- Internal Medicine and Family Medicine have their program layer inside the market (the 2026
  rates, signal mixes, slopes and conversions of their programs); their applications per applicant
  are anchored on the 2026 totals (`Anchor`) with the remaining uncertainty in the prior. IM fits
  mu, sd, beta, sigma, c and N; FM also rho, the score-strength correlation (selection), with its
  slope under a floored prior (the assumption `fm_beta`).
- Every other specialty has one typical program with a free intercept `a` (the no-signal
  baseline: the cohort's signal allowance is in its list) and N from the assumption
  `other_n_apps`: stage 1 fits each specialty with measures under a wide generic prior; stage 2
  fits every specialty under a prior built from the *other* specialties' stage-1 fits (sd, beta,
  sigma their sqrt(n)-weighted means; mu regressed on the residents' Step 1 (AAMC 2021 program
  ranges in the catalog) and log non-US IMG applicants per position; logit c on logit(match rate)
  and log(all applicants per position)).
- Leave-one-specialty-out hides a specialty's measures *and* its match counts: its rate comes
  from the other specialties' relation between match rate and competition, its shape from the
  stage-2 prior built without it.
- Bootstrap draw d refits every specialty to a parametric resample of the published figures
  under the draw's values of every assumption (`assumptions.draw_assumptions`); a specialty
  without measures draws its shape from the prior and refits `a` to its resampled rate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.special import expit, logit

from smartpick.core.chances.assumptions import Assumptions
from smartpick.core.chances.context import allowance_mix, signal_kind
from smartpick.core.chances.features import FM, IM, LAYERED, STEP1_MID
from smartpick.core.chances.outcomes import SpecialtyOutcomes
from smartpick.core.chances.population import Market, Params, from_free, solve_alpha, to_free
from smartpick.core.chances.program_effects import (
    assumption_columns,
    beta_offsets,
    conversion_offsets,
    signal_effects,
)
from smartpick.core.chances.program_layer import (
    LayerArrays,
    LayerFit,
    layer_arrays,
)
from smartpick.core.chances.targets import Prior, Targets, fit
from smartpick.core.programs import Program
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import DataUnavailable, InvalidInput

# AAMC Residency Explorer 2026 data README: non-US IMG applications to all 631 IM programs,
# before a fifth of the programs was withheld.
IM_TOTAL_NONUS_APPS = 860_770
# IMG applicants in ERAS 2026 by specialty, quoted from the AAMC ERAS statistics dashboard by an
# applicant forum while the season was open (reference/policy README: approximate).
ERAS_IMG_APPLICANTS = {IM: 13_007, FM: 6_321}
COUNT_UNCERTAINTY = 0.10  # the ERAS counts are a forum quote of a live dashboard
SHARE_UNCERTAINTY = 0.15  # equal applications per US and non-US IMG is an assumption
Z80 = 1.2816
GENERIC = {
    "mu": (242.0, 24.0),
    "sd": (math.log(14.0), 0.8),
    "sigma": (0.0, 1.4),
    "c": (math.log(0.2 / 0.8), 2.0),
    "rho": (0.0, 1.0),
}
FM_BETA_PRIOR_SD = 0.08  # the floored FM slope: 0.15 +- 0.08 (0 flat, 0.3 the invited ranges)
WIDTH = {"mu": 6.0, "sd": 0.2, "beta": 0.25, "sigma": 0.35, "c": 0.5}  # stage-2 prior widths
START = {
    IM: Params(mu=244.0, sd=15.5, beta=0.4, sigma=0.8, c=0.2),
    FM: Params(mu=231.0, sd=13.0, beta=0.15, sigma=1.2, c=0.25),
}
KEYS_TYPICAL = ("mu", "sd", "beta", "sigma", "c", "a")


@dataclass(frozen=True)
class Anchor:
    """Applications and interviews per non-US IMG applicant (point, 80% range) from 2026 totals."""

    applications: float
    applicants: float
    apps_per_applicant: tuple[float, float, float]
    pooled_rate: float
    interviews_per_applicant: tuple[float, float, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Anchor:
        """Inverse of `to_dict`."""
        return cls(
            float(d["applications"]),
            float(d["applicants"]),
            tuple(d["apps_per_applicant"]),
            float(d["pooled_rate"]),
            tuple(d["interviews_per_applicant"]),
        )


def anchor(specialty: str, layer: LayerFit) -> Anchor:
    """Applications per non-US IMG applicant: the 2026 non-US IMG applications (IM: the README's
    all-program total; FM: the transcribed programs scaled to the catalog by the predicted weights
    of the programs without a line) over the non-US IMG applicants (ERAS IMG applicants times the
    non-US share of the programs' IMG applications). Interviews: x the pooled 2026 rate."""
    arrays = layer_arrays(layer)
    has = np.array([pid in layer.records for pid in arrays.ids])
    nonus, us_img = layer.applications["non_us_img"], layer.applications["us_img"]
    applicants = ERAS_IMG_APPLICANTS[specialty] * nonus / (nonus + us_img)
    if specialty == IM:
        total = float(IM_TOTAL_NONUS_APPS)
    else:
        total = nonus / max(float(arrays.weight[has].sum()), 1e-9)
    pooled = float(arrays.weight @ arrays.rate)
    n = total / applicants
    spread = math.hypot(COUNT_UNCERTAINTY, SHARE_UNCERTAINTY) * Z80
    apps = (n, n / (1 + spread), n * (1 + spread))
    interviews = (apps[0] * pooled, apps[1] * pooled, apps[2] * pooled)
    return Anchor(total, applicants, apps, pooled, interviews)


def layered_market(
    specialty: str,
    layer: LayerFit,
    a: Assumptions,
    n_apps: float,
    arrays: LayerArrays | None = None,
) -> Market:
    """IM's or FM's market: its programs' weights, 2026 rates and effects under `a`."""
    arr = arrays or layer_arrays(layer)
    cols = assumption_columns([a])
    kind = "two" if specialty == IM else "one"
    return Market(
        specialty,
        n_apps,
        arr.weight,
        arr.rate,
        signal_effects(arr.signal_dev, kind, cols)[0],
        arr.signal_mix,
        beta_offsets(arr.beta_raw, cols)[0],
        conversion_offsets(arr.conv_dev, arr.unfilled, layer.conv_centre, cols)[0],
    )


def typical_market(o: SpecialtyOutcomes, a: Assumptions) -> Market:
    """One typical program with the specialty's signal allowance spread over N applications."""
    cols = assumption_columns([a])
    gamma = signal_effects(np.zeros((1, 3)), signal_kind(o.specialty), cols)[0]
    mix = np.array([allowance_mix(o.specialty, a.other_n_apps)])
    one, zero = np.ones(1), np.zeros(1)
    return Market(o.specialty, a.other_n_apps, one, None, gamma, mix, zero, zero)


def typical_alpha(specialty: str, layer: LayerFit, anc: Anchor, p: Params, a: Assumptions) -> float:
    """IM's or FM's typical program: the baseline whose pool, with the median effects and the
    mean signal mix, has the specialty's pooled 2026 rate (for specialties that borrow it)."""
    cols = assumption_columns([a])
    kind = "two" if specialty == IM else "one"
    gamma = signal_effects(np.zeros((1, 3)), kind, cols)[0]
    mix = np.array([layer.type_mix["signal"]["non_us_img"]])
    alpha = solve_alpha(
        np.array([anc.pooled_rate]), gamma, mix, np.array([p.beta]), p.mu, p.sd, p.sigma, p.rho
    )
    return float(alpha[0])


def layered_prior(specialty: str, a: Assumptions, anc: Anchor) -> tuple[tuple[str, ...], Prior]:
    """Free parameters and prior of IM or FM (N around the anchor, FM's floored slope)."""
    n0, _, n_hi = anc.apps_per_applicant
    terms = dict(GENERIC)
    terms["n_apps"] = (math.log(n0 * a.anchor_scale), math.log(n_hi / n0) / Z80)
    if specialty == IM:
        terms.pop("rho")
        terms["beta"] = (0.4, 1.0)
        return ("mu", "sd", "beta", "sigma", "c", "n_apps"), Prior(terms)
    point = Assumptions().fm_beta
    terms["beta"] = (a.fm_beta, FM_BETA_PRIOR_SD if a.fm_beta == point else 0.02)
    return ("mu", "sd", "beta", "sigma", "c", "rho", "n_apps"), Prior(terms)


def fit_layered(
    specialty: str,
    layer: LayerFit,
    anc: Anchor,
    a: Assumptions,
    targets: Targets,
    start: Params | None = None,
) -> Params:
    """IM or FM fitted to its targets under the assumptions `a`."""
    m = layered_market(specialty, layer, a, anc.apps_per_applicant[0])
    keys, prior = layered_prior(specialty, a, anc)
    if start is None:
        start = replace(START[specialty], n_apps=m.n_apps * a.anchor_scale)
    return fit(m, targets, start, keys, prior)[0]


def _start(o: SpecialtyOutcomes) -> Params:
    a = float(logit(min(max(o.match_rate, 0.05), 0.95))) - 3.0
    return Params(mu=242.0, sd=14.0, beta=0.4, sigma=0.8, c=0.2, a=a)


def _stage1(o: SpecialtyOutcomes, a: Assumptions) -> Params:
    prior = Prior({**{k: v for k, v in GENERIC.items() if k != "rho"}, "beta": (0.4, 1.0)})
    return fit(typical_market(o, a), Targets.from_outcomes(o), _start(o), KEYS_TYPICAL, prior)[0]


def residents_step1(programs: Sequence[Program]) -> dict[str, float]:
    """Mean of the programs' residents' Step 1 range midpoints (AAMC 2021) per Charting Outcomes
    specialty with at least 10 such programs; others get the mean of those."""
    by: dict[str, list[float]] = defaultdict(list)
    for p in programs:
        if p.step1_range.value not in STEP1_MID:
            continue
        try:
            spec = resolve_specialty(p.specialty)
        except (InvalidInput, DataUnavailable):
            continue
        by[spec.charting_outcomes or spec.name].append(STEP1_MID[p.step1_range.value])
    out = {k: float(np.mean(v)) for k, v in sorted(by.items()) if len(v) >= 10}
    out["*"] = float(np.mean(list(out.values())))
    return out


def pooled_prior(
    fits: Mapping[str, Params],
    rows: Mapping[str, SpecialtyOutcomes],
    target: SpecialtyOutcomes,
    step1: Mapping[str, float],
) -> Prior:
    """The stage-2 prior of `target` from the other specialties' stage-1 fits."""
    names = sorted(n for n in fits if n != target.specialty)
    w = np.sqrt(np.array([rows[n].applicants for n in names], dtype=np.float64))
    w /= w.sum()
    terms: dict[str, tuple[float, float]] = {}
    for k in ("sd", "beta", "sigma"):
        vals = np.array([to_free(k, getattr(fits[n], k)) for n in names])
        terms[k] = (float(w @ vals), WIDTH[k])

    def s1(name: str) -> float:
        return step1.get(name, step1["*"])

    def regress(y: np.ndarray, cols: list[np.ndarray], x_target: list[float]) -> float:
        design = np.column_stack([np.ones(len(names)), *cols])
        sw = np.sqrt(w)
        coef, *_ = np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)
        return float(np.concatenate(([1.0], x_target)) @ coef)

    mu = np.array([fits[n].mu for n in names])
    terms["mu"] = (
        regress(
            mu,
            [
                np.array([s1(n) for n in names]),
                np.log([rows[n].applicants / rows[n].positions for n in names]),
            ],
            [s1(target.specialty), math.log(target.applicants / target.positions)],
        ),
        WIDTH["mu"],
    )
    lc = np.array([float(logit(fits[n].c)) for n in names])
    terms["c"] = (
        regress(
            lc,
            [
                np.array([float(logit(rows[n].match_rate)) for n in names]),
                np.log([rows[n].applicants_per_position for n in names]),
            ],
            [float(logit(target.match_rate)), math.log(target.applicants_per_position)],
        ),
        WIDTH["c"],
    )
    return Prior(terms)


def held_out_match_rates(outcomes: Sequence[SpecialtyOutcomes]) -> dict[str, float]:
    """Each specialty's non-US IMG match rate predicted from the others (leave-one-out): weighted
    least squares of logit(match rate) on log(all applicants per position) and log(non-US IMG
    applicants per position), competition figures known before the Match."""
    y = np.array([float(logit(o.match_rate)) for o in outcomes])
    design = np.column_stack(
        (
            np.ones(len(outcomes)),
            np.log([o.applicants_per_position for o in outcomes]),
            np.log([o.applicants / o.positions for o in outcomes]),
        )
    )
    w = np.sqrt(np.array([o.applicants for o in outcomes], dtype=np.float64))
    out = {}
    for i, o in enumerate(outcomes):
        keep = np.arange(len(outcomes)) != i
        coef, *_ = np.linalg.lstsq(design[keep] * w[keep, None], y[keep] * w[keep], rcond=None)
        out[o.specialty] = float(expit(design[i] @ coef))
    return out


@dataclass(frozen=True)
class PointFit:
    """Point fits of every specialty, the stage-2 priors, and the leave-one-out fits."""

    params: dict[str, Params]
    priors: dict[str, Prior]  # stage-2 priors (specialties outside IM / FM)
    has_measures: dict[str, bool]
    loo: dict[str, Params]


def fit_point(
    rows: Mapping[str, SpecialtyOutcomes],
    layers: Mapping[str, LayerFit],
    anchors: Mapping[str, Anchor],
    step1: Mapping[str, float],
    a: Assumptions,
    leave_one_out: bool = True,
) -> PointFit:
    """Calibration v2 of every Charting Outcomes specialty under the assumptions `a`."""
    layered = {
        s: fit_layered(s, layers[s], anchors[s], a, Targets.from_outcomes(rows[s])) for s in LAYERED
    }
    stage1: dict[str, Params] = dict(layered)
    for name, o in rows.items():
        if name not in LAYERED and Targets.from_outcomes(o).has_measures:
            stage1[name] = _stage1(o, a)
    params: dict[str, Params] = {}
    priors: dict[str, Prior] = {}
    for name, o in rows.items():
        if name in LAYERED:
            params[name] = layered[name]
            continue
        priors[name] = pooled_prior(stage1, rows, o, step1)
        start = stage1.get(name, _start(o))
        m = typical_market(o, a)
        params[name] = fit(m, Targets.from_outcomes(o), start, KEYS_TYPICAL, priors[name])[0]
    loo = _leave_one_out(rows, layers, anchors, step1, a, stage1, params) if leave_one_out else {}
    return PointFit(params, priors, {n: n in stage1 for n in rows}, loo)


def _leave_one_out(
    rows: Mapping[str, SpecialtyOutcomes],
    layers: Mapping[str, LayerFit],
    anchors: Mapping[str, Anchor],
    step1: Mapping[str, float],
    a: Assumptions,
    stage1: Mapping[str, Params],
    params: Mapping[str, Params],
) -> dict[str, Params]:
    rates = held_out_match_rates(list(rows.values()))
    out: dict[str, Params] = {}
    for name, o in rows.items():
        if name not in stage1:
            continue
        total = o.applicants
        matched = int(round(rates[name] * total))
        hidden = Targets(matched, total - matched, None, None, None, None)
        guess = replace(o, matched=matched, not_matched=total - matched)
        prior = pooled_prior(stage1, rows, guess, step1)
        if name in LAYERED:
            keys, own = layered_prior(name, a, anchors[name])
            terms = {**prior.terms, "n_apps": own.terms["n_apps"]}
            if "rho" in keys:
                terms["rho"] = (0.0, 0.5)
            start = replace(
                params[name],
                **{k: from_free(k, terms[k][0]) for k in ("mu", "sd", "beta", "sigma", "c")},
            )
            m = layered_market(name, layers[name], a, anchors[name].apps_per_applicant[0])
            out[name] = fit(m, hidden, start, keys, Prior(terms))[0]
        else:
            out[name] = fit(typical_market(o, a), hidden, _start(o), KEYS_TYPICAL, prior)[0]
    return out


def fit_draw(
    rng: np.random.Generator,
    rows: Mapping[str, SpecialtyOutcomes],
    layers: Mapping[str, LayerFit],
    anchors: Mapping[str, Anchor],
    point: PointFit,
    a: Assumptions,
) -> dict[str, Params]:
    """One bootstrap draw of every specialty's parameters (see the module docstring)."""
    out: dict[str, Params] = {}
    for name, o in rows.items():
        t = Targets.from_outcomes(o).resampled(rng)
        start = point.params[name]
        if name in LAYERED:
            start = replace(start, n_apps=start.n_apps * a.anchor_scale)
            out[name] = fit_layered(name, layers[name], anchors[name], a, t, start)
        elif point.has_measures[name]:
            m = typical_market(o, a)
            out[name] = fit(m, t, start, KEYS_TYPICAL, point.priors[name], max_nfev=100)[0]
        else:
            terms = point.priors[name].terms
            shape = {k: from_free(k, rng.normal(c, w)) for k, (c, w) in sorted(terms.items())}
            shape["beta"] = max(shape["beta"], 0.0)
            drawn = replace(start, **shape)
            out[name] = fit(typical_market(o, a), t, drawn, ("a",), Prior({}), max_nfev=100)[0]
    return out


ProgressFn = Callable[[str], None]
