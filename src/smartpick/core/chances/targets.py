"""What a specialty's population model is fitted to, and the fit: minimum distance to the
published Charting Outcomes 2026 figures under a prior.

The targets (`outcomes.PublishedFigures`, among applicants who ranked, as Charting Outcomes counts them): the match rate (summary
counts), the CDF of matched and of not-matched Step 2 CK at the published quartiles (which must
be 0.25 / 0.5 / 0.75), the Step 2 CK means and SDs (left unused by v1), and the contiguous-ranks
mean and SD of matched and not matched. Standard errors come from the sampling laws, floored so
that the largest specialty does not buy its last decimal at the cost of the shape.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.special import logit

from smartpick.core.chances.outcomes import Distribution, PublishedFigures
from smartpick.core.chances.population import Market, Params, from_free, stats, to_free

FloatArray = NDArray[np.float64]

SE_FLOOR = {"rate": 0.01, "cdf": 0.02, "mean": 0.15, "sd": 0.2}
MEAN_SE_FLOOR = 0.75  # points: the published Step 2 CK mean and SD, held this closely at most
MIN_N = 10  # measures on fewer applicants are too noisy to fit
BOUNDS = {
    "mu": (200.0, 285.0),
    "sd": (float(np.log(6.0)), float(np.log(30.0))),
    "beta": (0.0, 2.0),
    "sigma": (float(np.log(0.05)), float(np.log(4.0))),
    "c": (float(logit(0.01)), float(logit(0.9))),
    "rho": (float(np.arctanh(-0.9)), float(np.arctanh(0.9))),
    "a": (-14.0, 4.0),
    "n_apps": (float(np.log(20.0)), float(np.log(250.0))),
}


def usable(d: Distribution | None) -> bool:
    """True when a published distribution can be fitted (quartiles shown, n at least MIN_N)."""
    return d is not None and d.published and d.n >= MIN_N


def fittable(t: PublishedFigures) -> bool:
    """True when some distribution of `t` can be fitted."""
    return any(usable(d) for d in t.distributions)


def without_measures(t: PublishedFigures) -> PublishedFigures:
    """Only the match counts of `t` (what leave-one-specialty-out keeps)."""
    return PublishedFigures(t.matched, t.not_matched, None, None, None, None)


def resampled(t: PublishedFigures, rng: np.random.Generator) -> PublishedFigures:
    """A parametric-bootstrap replicate: counts and measures drawn from their sampling laws."""
    matched = int(rng.binomial(t.applicants, t.match_rate))
    return PublishedFigures(
        matched,
        t.applicants - matched,
        _resample_scores(t.step2ck_matched, rng),
        _resample_scores(t.step2ck_not_matched, rng),
        _resample_ranks(t.ranks_matched, rng),
        _resample_ranks(t.ranks_not_matched, rng),
    )


def _resample_scores(d: Distribution | None, rng: np.random.Generator) -> Distribution | None:
    if d is None or not usable(d) or d.sd is None:
        return d
    sd = d.sd

    # Sampling SD of a quantile of a near-normal sample: sqrt(p(1-p)/n) / density at the quantile.
    def moved(value: float | None, p: float) -> float | None:
        from scipy.stats import (
            norm,  # scipy.stats/optimize load in ~1 s: only when fitting, not when serving
        )

        if value is None:
            return value
        density = float(norm.pdf(norm.ppf(p))) / sd
        return float(value + rng.normal(0.0, np.sqrt(p * (1 - p) / d.n) / density))

    q1, med, q3 = moved(d.q1, 0.25), moved(d.median, 0.5), moved(d.q3, 0.75)
    ordered = sorted(v for v in (q1, med, q3) if v is not None)
    mean = None if d.mean is None else float(d.mean + rng.normal(0.0, sd / np.sqrt(d.n)))
    new_sd = sd * float(np.sqrt(rng.chisquare(max(d.n - 1, 1)) / max(d.n - 1, 1)))
    return replace(d, q1=ordered[0], median=ordered[1], q3=ordered[2], mean=mean, sd=new_sd)


def _resample_ranks(d: Distribution | None, rng: np.random.Generator) -> Distribution | None:
    if d is None or not usable(d) or d.mean is None or d.sd is None:
        return d
    mean = max(1.0, d.mean + rng.normal(0.0, d.sd / np.sqrt(d.n)))
    sd = d.sd * float(np.sqrt(rng.chisquare(max(d.n - 1, 1)) / max(d.n - 1, 1)))
    return replace(d, mean=mean, sd=sd)


def residuals(m: Market, p: Params, t: PublishedFigures) -> FloatArray:
    """Standardised differences between predicted and published figures."""
    st = stats(m, p)
    total = t.applicants
    rate = t.match_rate
    # The summary is a census of the year's applicants: its rate is held closer than its binomial
    # error for small specialties (at most 2 points), so tiny measures cannot pull it far.
    se_rate = min(max(np.sqrt(rate * (1 - rate) / total), SE_FLOOR["rate"]), 0.02)
    out = [(st.match_rate - rate) / se_rate]
    for idx, (matched, d) in enumerate(((True, t.step2ck_matched), (False, t.step2ck_not_matched))):
        if d is None or not usable(d):
            continue
        for q, x in ((0.25, d.q1), (0.5, d.median), (0.75, d.q3)):
            assert x is not None
            se = max(np.sqrt(q * (1 - q) / d.n), SE_FLOOR["cdf"])
            out.append((float(st.score_cdf(matched, np.array([x]))[0]) - q) / se)
        if d.mean is not None and d.sd is not None:
            out.append((st.score_mean[idx] - d.mean) / max(d.sd / np.sqrt(d.n), MEAN_SE_FLOOR))
            out.append((st.score_sd[idx] - d.sd) / max(d.sd / np.sqrt(2 * d.n), MEAN_SE_FLOOR))
    for matched, d in ((True, t.ranks_matched), (False, t.ranks_not_matched)):
        if d is None or not usable(d) or d.mean is None or d.sd is None:
            continue
        mean, sd = st.ranks_moments(matched)
        out.append((mean - d.mean) / max(d.sd / np.sqrt(d.n), SE_FLOOR["mean"]))
        out.append((sd - d.sd) / max(d.sd / np.sqrt(2 * d.n), SE_FLOOR["sd"]))
    return np.array(out)


@dataclass(frozen=True)
class Prior:
    """Normal priors on (free-scale) parameters: {key: (centre, width)}."""

    terms: dict[str, tuple[float, float]]

    def penalty(self, p: Params) -> FloatArray:
        """Standardised distances from the prior."""
        return np.array([(to_free(k, getattr(p, k)) - c) / w for k, (c, w) in self.terms.items()])

    def centre(self, start: Params) -> Params:
        """`start` with every parameter the prior covers set to the prior's centre."""
        return replace(start, **{k: from_free(k, c) for k, (c, _) in self.terms.items()})


def fit(
    m: Market,
    t: PublishedFigures,
    start: Params,
    keys: tuple[str, ...],
    prior: Prior,
    max_nfev: int = 300,
) -> tuple[Params, float]:
    """Minimum-distance fit of `keys` (others held at `start`); returns (params, cost)."""
    lb = np.array([BOUNDS[k][0] for k in keys])
    ub = np.array([BOUNDS[k][1] for k in keys])
    x0 = np.clip(start.vector(keys), lb + 1e-6, ub - 1e-6)

    def fun(x: FloatArray) -> FloatArray:
        p = start.with_vector(keys, x)
        return np.concatenate((residuals(m, p, t), prior.penalty(p)))

    from scipy.optimize import (
        least_squares,  # scipy.stats/optimize load in ~1 s: only when fitting, not when serving
    )

    res = least_squares(fun, x0, bounds=(lb, ub), xtol=1e-6, ftol=1e-8, max_nfev=max_nfev)
    return start.with_vector(keys, res.x), float(res.cost)
