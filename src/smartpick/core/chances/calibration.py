"""Calibration v2 of every Charting Outcomes specialty: the point fits, leave-one-out and the
parametric bootstrap (the markets are built in `calibration_markets`, the priors in
`calibration_priors`, the distance to the published figures in `targets`).

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

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import logit

from smartpick.core.chances.assumptions import Assumptions
from smartpick.core.chances.calibration_markets import (
    Anchor,
    anchor,
    layered_market,
    typical_alpha,
    typical_market,
)
from smartpick.core.chances.calibration_priors import (
    GENERIC,
    held_out_match_rates,
    layered_prior,
    pooled_prior,
    residents_step1,
)
from smartpick.core.chances.features import FM, IM, LAYERED
from smartpick.core.chances.outcomes import PublishedFigures, SpecialtyOutcomes
from smartpick.core.chances.population import Params, from_free
from smartpick.core.chances.program_layer import LayerFit
from smartpick.core.chances.targets import Prior, fit, fittable, resampled, without_measures

# The calibration's entry points for the estimator, the model file and the benches.
__all__ = [
    "Anchor",
    "PointFit",
    "anchor",
    "fit_draw",
    "fit_layered",
    "fit_point",
    "layered_market",
    "residents_step1",
    "typical_alpha",
    "typical_market",
]

START = {
    IM: Params(mu=244.0, sd=15.5, beta=0.4, sigma=0.8, c=0.2),
    FM: Params(mu=231.0, sd=13.0, beta=0.15, sigma=1.2, c=0.25),
}
KEYS_TYPICAL = ("mu", "sd", "beta", "sigma", "c", "a")


def fit_layered(
    specialty: str,
    layer: LayerFit,
    anc: Anchor,
    a: Assumptions,
    targets: PublishedFigures,
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
    return fit(typical_market(o, a), o, _start(o), KEYS_TYPICAL, prior)[0]


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
    layered = {s: fit_layered(s, layers[s], anchors[s], a, rows[s]) for s in LAYERED}
    stage1: dict[str, Params] = dict(layered)
    for name, o in rows.items():
        if name not in LAYERED and fittable(o):
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
        params[name] = fit(m, o, start, KEYS_TYPICAL, priors[name])[0]
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
        guess = replace(o, matched=matched, not_matched=total - matched)
        hidden = without_measures(guess)
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
        t = resampled(o, rng)
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
