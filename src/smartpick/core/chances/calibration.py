"""Calibration of the per-specialty population model to Charting Outcomes 2026 (non-US IMGs).

The population model of one specialty is `chances.population` (parameters `SpecialtyParams`).

Charting Outcomes counts applicants who submitted a rank list for the specialty, so the model's
published figures are conditional on K >= 1: the match rate, the Step 2 CK distribution of matched
and not-matched applicants, and their contiguous-ranks distributions. Each specialty's parameters are
fitted by minimum distance (weighted least squares) to: the match rate (from the summary counts),
the CDF of matched and of not-matched Step 2 CK at the published quartiles (must be 0.25/0.5/0.75),
and the mean and SD of contiguous ranks of matched and not matched, plus a hierarchical penalty that
shrinks each specialty toward what holds across specialties (weighted means, and for mu a
regression on applicants per position). Integration is exact on a grid in s, Gauss-Hermite nodes in
z and the binomial pmf in K.

A specialty without measures (Pediatrics, Psychiatry, Neurology, Pathology; any future one) is
fitted to its summary match rate with the cross-specialty values as its priors. Leave-one-specialty-
out takes the same path with even less: it hides the specialty's measures *and* its match counts,
refits the priors without it, and predicts its match rate from the other specialties' relation
between match rate and competition (`held_out_match_rates`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, least_squares
from scipy.special import expit, logit
from scipy.stats import norm

from smartpick.core.chances.outcomes import Distribution, SpecialtyOutcomes
from smartpick.core.chances.population import (
    SpecialtyParams,
    population_stats,
)

FloatArray = NDArray[np.float64]

# Tolerance floors on the targets' standard errors: the model is not exact, and a huge specialty
# (IM, n ~ 2,700) should not be fitted to within its sampling error at the cost of the shape.
SE_FLOOR = {"rate": 0.01, "cdf": 0.02, "mean": 0.15, "sd": 0.2}
# Prior widths of the hierarchical penalty (stage 2) and the generic stage-1 prior.
PRIOR_SD = {"mu": 6.0, "log_sd": 0.2, "beta": 0.25, "log_su": 0.35, "logit_c": 0.5}
GENERIC_PRIOR = {"mu": 242.0, "log_sd": float(np.log(14.0)), "beta": 0.4, "log_su": 0.0}
GENERIC_PRIOR["logit_c"] = float(logit(0.2))
GENERIC_WIDTH = 4.0  # stage 1: the generic prior is this many times wider
MIN_N = 10  # measures on fewer applicants are too noisy to fit


_KEYS = ("mu", "log_sd", "a", "beta", "log_su", "logit_c")
_LOWER = np.array([200.0, np.log(5.0), -12.0, 0.0, np.log(0.05), logit(0.01)])
_UPPER = np.array([285.0, np.log(30.0), 6.0, 3.0, np.log(4.0), logit(0.9)])


@dataclass(frozen=True)
class Targets:
    """The published figures one specialty is fitted to (None where not published)."""

    matched: int
    not_matched: int
    step2ck_matched: Distribution | None
    step2ck_not_matched: Distribution | None
    ranks_matched: Distribution | None
    ranks_not_matched: Distribution | None

    @classmethod
    def from_outcomes(cls, o: SpecialtyOutcomes, measures: bool = True) -> Targets:
        """Targets from a Charting Outcomes row; `measures=False` keeps only the summary."""
        return cls(
            o.matched,
            o.not_matched,
            o.step2ck_matched if measures else None,
            o.step2ck_not_matched if measures else None,
            o.ranks_matched if measures else None,
            o.ranks_not_matched if measures else None,
        )

    @property
    def match_rate(self) -> float:
        """Published match rate."""
        return self.matched / (self.matched + self.not_matched)

    def resampled(self, rng: np.random.Generator) -> Targets:
        """A parametric-bootstrap replicate: counts and measures drawn from their sampling laws."""
        total = self.matched + self.not_matched
        matched = int(rng.binomial(total, self.match_rate))
        return Targets(
            matched,
            total - matched,
            _resample_scores(self.step2ck_matched, rng),
            _resample_scores(self.step2ck_not_matched, rng),
            _resample_ranks(self.ranks_matched, rng),
            _resample_ranks(self.ranks_not_matched, rng),
        )


def _usable(d: Distribution | None) -> bool:
    return d is not None and d.published and d.n >= MIN_N


def _resample_scores(d: Distribution | None, rng: np.random.Generator) -> Distribution | None:
    if d is None or not _usable(d) or d.sd is None:
        return d

    # Sampling SD of a quantile of a near-normal sample: sqrt(p(1-p)/n) / density at the quantile.
    def moved(value: float | None, p: float) -> float | None:
        if value is None or d.sd is None:
            return value
        density = float(norm.pdf(norm.ppf(p))) / d.sd
        return float(value + rng.normal(0.0, np.sqrt(p * (1 - p) / d.n) / density))

    q1, med, q3 = moved(d.q1, 0.25), moved(d.median, 0.5), moved(d.q3, 0.75)
    ordered = sorted(v for v in (q1, med, q3) if v is not None)
    return replace(d, q1=ordered[0], median=ordered[1], q3=ordered[2])


def _resample_ranks(d: Distribution | None, rng: np.random.Generator) -> Distribution | None:
    if d is None or not _usable(d) or d.mean is None or d.sd is None:
        return d
    mean = max(1.0, d.mean + rng.normal(0.0, d.sd / np.sqrt(d.n)))
    sd = d.sd * float(np.sqrt(rng.chisquare(max(d.n - 1, 1)) / max(d.n - 1, 1)))
    return replace(d, mean=mean, sd=sd)


def residuals(params: SpecialtyParams, targets: Targets) -> FloatArray:
    """Standardized differences between predicted and published figures."""
    stats = population_stats(params)
    total = targets.matched + targets.not_matched
    rate = targets.match_rate
    # The summary is a census of the year's applicants: its rate is held closer than its binomial
    # error for small specialties (at most 2 points), so tiny measures cannot pull it far.
    se_rate = min(max(np.sqrt(rate * (1 - rate) / total), SE_FLOOR["rate"]), 0.02)
    out = [(stats.match_rate - rate) / se_rate]
    for matched, d in ((True, targets.step2ck_matched), (False, targets.step2ck_not_matched)):
        if d is None or not _usable(d):
            continue
        for p, x in ((0.25, d.q1), (0.5, d.median), (0.75, d.q3)):
            assert x is not None
            se = max(np.sqrt(p * (1 - p) / d.n), SE_FLOOR["cdf"])
            out.append((float(stats.score_cdf(matched, np.array([x]))[0]) - p) / se)
    for matched, d in ((True, targets.ranks_matched), (False, targets.ranks_not_matched)):
        if d is None or not _usable(d) or d.mean is None or d.sd is None:
            continue
        mean, sd = stats.ranks_moments(matched)
        out.append((mean - d.mean) / max(d.sd / np.sqrt(d.n), SE_FLOOR["mean"]))
        out.append((sd - d.sd) / max(d.sd / np.sqrt(2 * d.n), SE_FLOOR["sd"]))
    return np.array(out)


@dataclass(frozen=True)
class Prior:
    """Center and width of the hierarchical penalty on (mu, log_sd, beta, log_su, logit_c)."""

    center: dict[str, float]
    width: dict[str, float]

    def penalty(self, x: FloatArray) -> FloatArray:
        """Standardized distances of x from the prior (a is free)."""
        values = dict(zip(_KEYS, x, strict=True))
        return np.array([(values[k] - self.center[k]) / self.width[k] for k in self.center])


GENERIC = Prior(GENERIC_PRIOR, {k: v * GENERIC_WIDTH for k, v in PRIOR_SD.items()})


def fit_specialty(
    targets: Targets, prior: Prior, start: SpecialtyParams | None = None
) -> SpecialtyParams:
    """Minimum-distance fit of one specialty's parameters to its targets under a prior."""
    if start is None:
        x0 = np.array([prior.center.get(k, 0.0) for k in _KEYS])
        x0[2] = float(logit(min(max(targets.match_rate, 0.05), 0.95))) - 2.5
    else:
        x0 = start.vector()
    x0 = np.clip(x0, _LOWER + 1e-6, _UPPER - 1e-6)

    def fun(x: FloatArray) -> FloatArray:
        return np.concatenate(
            (residuals(SpecialtyParams.from_vector(x), targets), prior.penalty(x))
        )

    result = least_squares(fun, x0, bounds=(_LOWER, _UPPER), xtol=1e-6, ftol=1e-8, max_nfev=400)
    return SpecialtyParams.from_vector(result.x)


def pooled_prior(
    fits: dict[str, SpecialtyParams],
    weights: dict[str, float],
    competition: dict[str, float],
    target_competition: float,
) -> Prior:
    """What holds across specialties: weighted means, and mu regressed on log(applicants/position).

    `weights` are the applicants behind each fit; `competition` each specialty's all-applicants-per-
    position; the prior is for a specialty whose competition is `target_competition`.
    """
    names = sorted(fits)
    w = np.array([weights[n] for n in names], dtype=np.float64)
    w = np.sqrt(w)  # temper: one big specialty should not be the whole prior
    w /= w.sum()
    vectors = np.array([fits[n].vector() for n in names])
    center = {k: float(w @ vectors[:, i]) for i, k in enumerate(_KEYS) if k != "a"}
    x = np.log(np.array([competition[n] for n in names]))
    if len(names) >= 3 and np.ptp(x) > 0:
        design = np.column_stack((np.ones_like(x), x))
        sw = np.sqrt(w)
        coef, *_ = np.linalg.lstsq(design * sw[:, None], vectors[:, 0] * sw, rcond=None)
        center["mu"] = float(coef[0] + coef[1] * np.log(target_competition))
    return Prior(center, dict(PRIOR_SD))


@dataclass(frozen=True)
class Calibration:
    """Fitted parameters per Charting Outcomes specialty, with bootstrap draws and LOO fits."""

    params: dict[str, SpecialtyParams]  # point estimates
    draws: dict[str, list[SpecialtyParams]]  # bootstrap replicates (same specialties)
    loo: dict[str, SpecialtyParams]  # fitted with the specialty's measures hidden
    has_measures: dict[str, bool]


def _fit_all(
    outcomes: Sequence[SpecialtyOutcomes], targets: dict[str, Targets]
) -> tuple[dict[str, SpecialtyParams], dict[str, SpecialtyParams], dict[str, Prior]]:
    """Stage 1 (each specialty with measures, generic prior) and stage 2 (pooled priors).

    Each specialty's prior is built from the *other* specialties' stage-1 fits.
    """
    stage1 = {
        o.specialty: fit_specialty(targets[o.specialty], GENERIC)
        for o in outcomes
        if _has_usable(targets[o.specialty])
    }
    weights = {o.specialty: float(o.applicants) for o in outcomes}
    competition = {o.specialty: o.applicants_per_position for o in outcomes}
    final: dict[str, SpecialtyParams] = {}
    priors: dict[str, Prior] = {}
    for o in outcomes:
        others = {k: v for k, v in stage1.items() if k != o.specialty}
        priors[o.specialty] = pooled_prior(others, weights, competition, o.applicants_per_position)
        final[o.specialty] = fit_specialty(
            targets[o.specialty], priors[o.specialty], stage1.get(o.specialty)
        )
    return stage1, final, priors


def fit_intercept(targets: Targets, shape: SpecialtyParams) -> SpecialtyParams:
    """Keep every parameter of `shape` but `a`, solved so the match rate is the published one."""
    rate = targets.match_rate

    def gap(a: float) -> float:
        return population_stats(replace(shape, a=a)).match_rate - rate

    lo, hi = float(_LOWER[2]), float(_UPPER[2])
    if gap(lo) >= 0:
        return replace(shape, a=lo)
    if gap(hi) <= 0:
        return replace(shape, a=hi)
    return replace(shape, a=float(brentq(gap, lo, hi, xtol=1e-6)))


def _predictive_draw(prior: Prior, targets: Targets, rng: np.random.Generator) -> SpecialtyParams:
    """A specialty without measures: its shape drawn from the spread across specialties."""
    x = np.array([prior.center.get(k, 0.0) for k in _KEYS])
    for i, k in enumerate(_KEYS):
        if k in prior.center:
            x[i] = rng.normal(prior.center[k], prior.width[k])
    x = np.clip(x, _LOWER + 1e-6, _UPPER - 1e-6)
    return fit_intercept(targets, SpecialtyParams.from_vector(x))


def _has_usable(t: Targets) -> bool:
    return any(
        _usable(d)
        for d in (t.step2ck_matched, t.step2ck_not_matched, t.ranks_matched, t.ranks_not_matched)
    )


def held_out_match_rates(outcomes: Sequence[SpecialtyOutcomes]) -> dict[str, float]:
    """Each specialty's non-US IMG match rate predicted from the others (leave-one-out).

    Weighted least squares of logit(match rate) on log(all applicants per position) and
    log(non-US IMG applicants per position): competition figures known before the Match.
    """
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


def calibrate(
    outcomes: Sequence[SpecialtyOutcomes],
    *,
    n_draws: int = 0,
    random_state: int | np.random.Generator | None = 0,
    leave_one_out: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Fit every specialty, optionally with `n_draws` parametric-bootstrap replicates and LOO fits."""
    rng = np.random.default_rng(random_state)
    targets = {o.specialty: Targets.from_outcomes(o) for o in outcomes}
    stage1, params, priors = _fit_all(outcomes, targets)
    weights = {o.specialty: float(o.applicants) for o in outcomes}
    competition = {o.specialty: o.applicants_per_position for o in outcomes}
    loo: dict[str, SpecialtyParams] = {}
    if leave_one_out:
        rates = held_out_match_rates(outcomes)
        for o in outcomes:
            if o.specialty not in stage1:
                continue
            others = {k: v for k, v in stage1.items() if k != o.specialty}
            prior = pooled_prior(others, weights, competition, o.applicants_per_position)
            total = o.applicants
            matched = int(round(rates[o.specialty] * total))
            hidden = Targets(matched, total - matched, None, None, None, None)
            loo[o.specialty] = fit_specialty(hidden, prior)
    draws: dict[str, list[SpecialtyParams]] = {o.specialty: [] for o in outcomes}
    # Bootstrap: specialties with measures are refitted to resampled targets under their prior;
    # the others draw their shape from the across-specialty spread (the prior) and refit `a`.
    for d in range(n_draws):
        for o in outcomes:
            name = o.specialty
            replicate = targets[name].resampled(rng)
            if name in stage1:
                draws[name].append(fit_specialty(replicate, priors[name], params[name]))
            else:
                draws[name].append(_predictive_draw(priors[name], replicate, rng))
        if progress is not None:
            progress(f"bootstrap draw {d + 1}/{n_draws}")
    has_measures = {o.specialty: o.specialty in stage1 for o in outcomes}
    return Calibration(params, draws, loo, has_measures)
