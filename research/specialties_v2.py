"""Calibration v2 for every Charting Outcomes specialty (issue 11 item 6), with leave-one-out.

IM and FM use their program layer (`calibrate_v2`). Every other specialty has one typical program
with a free intercept `a` (the no-signal baseline: the cohort's signal allowance is in the list),
N applications per applicant from a prior (no 2026 anchor outside IM and FM), and:

- stage 1: each specialty with published measures, under a wide generic prior;
- stage 2: every specialty under a prior built from the *other* specialties' stage-1 fits:
  sd, beta, sigma their sqrt(n)-weighted means; the score location mu regressed on the
  specialty's residents' Step 1 (AAMC 2021 program ranges in the catalog) and log non-US IMG
  applicants per position; the conversion logit c regressed on logit(match rate) and
  log(all applicants per position) (conversion tied to the match rate and competition).
- leave-one-specialty-out: the specialty's measures *and* its match counts hidden, its rate
  predicted from the others (as in v1), its shape from the stage-2 prior built without it.
"""

from __future__ import annotations

import math
import pickle
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
from scipy.special import logit

from research import population as pop
from research.calibrate_v2 import GENERIC, fit_specialty, prior_for
from research.dataset import CACHE, catalog
from research.features import STEP1_MID
from research.program_layer import DEFAULT, Assumptions
from smartpick.core.calibration import Targets, held_out_match_rates
from smartpick.core.outcomes import SpecialtyOutcomes, charting_outcomes
from smartpick.core.signals import signal_allowance
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import DataUnavailable, InvalidInput

LAYERED = ("Internal Medicine", "Family Medicine")
WIDTH = {"mu": 6.0, "sd": 0.2, "beta": 0.25, "sigma": 0.35, "c": 0.5}  # stage-2 prior widths


@cache
def residents_step1() -> dict[str, float]:
    """Mean of the programs' residents' Step 1 range midpoints (AAMC 2021), per CO specialty."""
    by: dict[str, list[float]] = defaultdict(list)
    cat = catalog()
    for s in cat.specialties():
        try:
            spec = resolve_specialty(s)
        except (InvalidInput, DataUnavailable):
            continue
        name = spec.charting_outcomes or spec.name
        for p in cat.programs(specialty=s):
            if p.step1_range.value in STEP1_MID:
                by[name].append(STEP1_MID[p.step1_range.value])
    out = {k: float(np.mean(v)) for k, v in by.items() if len(v) >= 10}
    fill = float(np.mean(list(out.values())))
    return defaultdict(lambda: fill, out)


def typical_market(o: SpecialtyOutcomes, a: Assumptions = DEFAULT) -> pop.Market:
    """One typical program with the specialty's signal allowance spread over N applications."""
    n_apps = a.other_n_apps
    try:
        allow = signal_allowance(o.specialty)
        gold, silver = allow.gold, allow.silver
    except (InvalidInput, DataUnavailable):
        gold, silver = 0, 0
    if silver > 0:
        gamma = np.array([[0.0, a.im_signal_gold, a.im_signal_silver]])
        mix = np.array([[1.0 - (gold + silver) / n_apps, gold / n_apps, silver / n_apps]])
    elif gold > 0:
        gamma = np.array([[0.0, a.fm_signal_sent]])
        mix = np.array([[1.0 - gold / n_apps, gold / n_apps]])
    else:
        gamma, mix = np.zeros((1, 1)), np.ones((1, 1))
    one = np.ones(1)
    return pop.Market(o.specialty, n_apps, one, None, gamma, mix, np.zeros(1), np.zeros(1))


def _start(o: SpecialtyOutcomes) -> pop.Params:
    a = float(logit(min(max(o.match_rate, 0.05), 0.95))) - 3.0
    return pop.Params(mu=242.0, sd=14.0, beta=0.4, sigma=0.8, c=0.2, a=a)


KEYS_TYPICAL = ("mu", "sd", "beta", "sigma", "c", "a")


def _stage1(o: SpecialtyOutcomes, a: Assumptions = DEFAULT) -> pop.Params:
    prior = pop.Prior({**{k: v for k, v in GENERIC.items() if k != "rho"}, "beta": (0.4, 1.0)})
    t = Targets.from_outcomes(o)
    return pop.fit(typical_market(o, a), t, _start(o), KEYS_TYPICAL, prior)[0]


def _has_measures(o: SpecialtyOutcomes) -> bool:
    t = Targets.from_outcomes(o)
    return any(
        d is not None and d.published and d.n >= 10
        for d in (t.step2ck_matched, t.step2ck_not_matched, t.ranks_matched, t.ranks_not_matched)
    )


def pooled_prior(
    fits: dict[str, pop.Params], rows: dict[str, SpecialtyOutcomes], target: SpecialtyOutcomes
) -> pop.Prior:
    """The stage-2 prior for `target` from the other specialties' fits (see module docstring)."""
    names = sorted(n for n in fits if n != target.specialty)
    w = np.sqrt(np.array([rows[n].applicants for n in names], dtype=np.float64))
    w /= w.sum()
    terms: dict[str, tuple[float, float]] = {}
    for k in ("sd", "beta", "sigma"):
        vals = np.array([pop._to_free(k, getattr(fits[n], k)) for n in names])
        terms[k] = (float(w @ vals), WIDTH[k])
    s1 = residents_step1()

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
                np.array([s1[n] for n in names]),
                np.log([rows[n].applicants / rows[n].positions for n in names]),
            ],
            [s1[target.specialty], math.log(target.applicants / target.positions)],
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
    return pop.Prior(terms)


@dataclass(frozen=True, eq=False)
class AllFits:
    """Point fits, stage-1 fits and leave-one-out fits of every specialty, with their markets."""

    params: dict[str, pop.Params]
    markets: dict[str, pop.Market]
    loo: dict[str, pop.Params]
    loo_markets: dict[str, pop.Market]
    has_measures: dict[str, bool]


def fit_all(leave_one_out: bool = True, a: Assumptions = DEFAULT) -> AllFits:
    """Calibration v2 of every Charting Outcomes specialty under the assumptions `a`."""
    rows = {o.specialty: o for o in charting_outcomes()}
    layered = {s: fit_specialty(s, a) for s in LAYERED}
    stage1: dict[str, pop.Params] = {s: f.params for s, f in layered.items()}
    for o in rows.values():
        if o.specialty not in LAYERED and _has_measures(o):
            stage1[o.specialty] = _stage1(o, a)
    params: dict[str, pop.Params] = {}
    markets: dict[str, pop.Market] = {}
    for name, o in rows.items():
        if name in LAYERED:
            params[name], markets[name] = layered[name].params, layered[name].market
            continue
        prior = pooled_prior(stage1, rows, o)
        m = typical_market(o, a)
        start = stage1.get(name, _start(o))
        params[name] = pop.fit(m, Targets.from_outcomes(o), start, KEYS_TYPICAL, prior)[0]
        markets[name] = m
    loo: dict[str, pop.Params] = {}
    loo_markets: dict[str, pop.Market] = {}
    if leave_one_out:
        rates = held_out_match_rates(list(rows.values()))
        for name, o in rows.items():
            if name not in stage1:
                continue
            total = o.applicants
            matched = int(round(rates[name] * total))
            hidden = Targets(matched, total - matched, None, None, None, None)
            prior = pooled_prior(
                stage1, rows, replace(o, matched=matched, not_matched=total - matched)
            )
            if name in LAYERED:
                keys, own = prior_for(name, a)
                terms = {**prior.terms, "n_apps": own.terms["n_apps"]}
                if "rho" in keys:
                    terms["rho"] = (0.0, 0.5)
                m = markets[name]
                start = replace(
                    params[name],
                    **{
                        k: pop._from_free(k, terms[k][0])
                        for k in ("mu", "sd", "beta", "sigma", "c")
                    },
                )
                loo[name] = pop.fit(m, hidden, start, keys, pop.Prior(terms))[0]
                loo_markets[name] = m
            else:
                m = typical_market(o, a)
                loo[name] = pop.fit(m, hidden, _start(o), KEYS_TYPICAL, prior)[0]
                loo_markets[name] = m
    return AllFits(params, markets, loo, loo_markets, {n: n in stage1 for n in rows})


def load_fits() -> AllFits:
    """`fit_all()` cached on disk (research/cache/fits_v2.pkl; delete it to refit)."""
    path = CACHE / "fits_v2.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())  # noqa: S301 - our own cache
    fits = fit_all()
    path.write_bytes(pickle.dumps(fits))
    return fits


def implied_rate(m: pop.Market, p: pop.Params) -> float:
    """Predicted match rate among rankers."""
    return pop.stats(m, p).pop.match_rate
