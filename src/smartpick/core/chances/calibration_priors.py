"""The priors of the calibration: IM's and FM's own, the generic one of the first stage, and
the second stage's prior of a specialty built from the *other* specialties' first-stage fits
(sd, beta, sigma their sqrt(n)-weighted means; mu regressed on the residents' Step 1 (AAMC 2021
program ranges in the catalog) and log non-US IMG applicants per position; logit c on logit(match
rate) and log(all applicants per position)). Also the held-out match rate of a specialty, which
leave-one-specialty-out fits to in place of the published one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.special import expit, logit

from smartpick.core.chances.assumptions import Assumptions
from smartpick.core.chances.calibration_markets import Z80, Anchor
from smartpick.core.chances.features import IM, STEP1_MID
from smartpick.core.chances.outcomes import SpecialtyOutcomes
from smartpick.core.chances.population import Params, to_free
from smartpick.core.chances.targets import Prior
from smartpick.core.programs import Program
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import DataUnavailable, InvalidInput

GENERIC = {
    "mu": (242.0, 24.0),
    "sd": (math.log(14.0), 0.8),
    "sigma": (0.0, 1.4),
    "c": (math.log(0.2 / 0.8), 2.0),
    "rho": (0.0, 1.0),
}
FM_BETA_PRIOR_SD = 0.08  # the floored FM slope: 0.15 +- 0.08 (0 flat, 0.3 the invited ranges)
WIDTH = {"mu": 6.0, "sd": 0.2, "beta": 0.25, "sigma": 0.35, "c": 0.5}  # stage-2 prior widths


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
