"""The population model of one specialty: Step 2 CK, latent strength, interviews and a match.

- an applicant's Step 2 CK score s ~ Normal(mu, sd); their latent strength z ~ Normal(0, 1);
- at a typical program the applicant applies to, P(interview) q = expit(a + beta (s - 240) / 10 +
  sigma_u z); the applicant applies to `n_apps` programs, so the interview count K ~ Binomial(
  n_apps, q) given (s, z). Everyone interviewed is ranked: contiguous ranks = K;
- each ranked program matches independently with probability c (the interview-to-match
  conversion), so P(match | K) = 1 - (1 - c)^K.

Integration is exact on a grid in s, Gauss-Hermite nodes in z and the binomial pmf in K. The
parameters are fitted by `chances.calibration`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, gammaln, logit

FloatArray = NDArray[np.float64]

SCORE_CENTER = 240.0  # Step 2 CK at which `a` is the interview log-odds
N_APPS = 80  # applications per applicant (IMGs: 77 IM applications in 2016, +7% since; rows 82, 99)
S_GRID = np.arange(170.0, 301.0, 2.0)
S_HALF = 1.0
_Z, _ZW = np.polynomial.hermite_e.hermegauss(16)
Z_NODES: FloatArray = _Z
Z_WEIGHTS: FloatArray = _ZW / _ZW.sum()


@dataclass(frozen=True)
class SpecialtyParams:
    """Fitted population parameters of one specialty (see the module docstring)."""

    mu: float
    sd: float
    a: float
    beta: float
    sigma_u: float
    c: float
    n_apps: int = N_APPS

    def vector(self) -> FloatArray:
        """Unconstrained parameter vector for the optimizer."""
        return np.array(
            [
                self.mu,
                np.log(self.sd),
                self.a,
                self.beta,
                np.log(self.sigma_u),
                float(logit(self.c)),
            ]
        )

    @classmethod
    def from_vector(cls, x: FloatArray, n_apps: int = N_APPS) -> SpecialtyParams:
        """Inverse of `vector`."""
        return cls(
            mu=float(x[0]),
            sd=float(np.exp(x[1])),
            a=float(x[2]),
            beta=float(x[3]),
            sigma_u=float(np.exp(x[4])),
            c=float(expit(x[5])),
            n_apps=n_apps,
        )

    def to_dict(self) -> dict[str, float]:
        """Plain values (for the fitted-parameters file)."""
        return {k: float(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class PopulationStats:
    """What the population model predicts for the applicants who ranked (K >= 1)."""

    match_rate: float
    score_edges: FloatArray  # bin edges of the Step 2 CK grid
    score_matched_cdf: FloatArray  # CDF at the edges
    score_not_matched_cdf: FloatArray
    ranks_matched_pmf: FloatArray  # over K = 1..n_apps
    ranks_not_matched_pmf: FloatArray

    def score_cdf(self, matched: bool, x: FloatArray) -> FloatArray:
        """CDF of Step 2 CK at x (linear within the grid's bins)."""
        cdf = self.score_matched_cdf if matched else self.score_not_matched_cdf
        return np.interp(x, self.score_edges, cdf)

    def score_quantiles(self, matched: bool, ps: Sequence[float] = (0.25, 0.5, 0.75)) -> FloatArray:
        """Step 2 CK quantiles."""
        cdf = self.score_matched_cdf if matched else self.score_not_matched_cdf
        return np.interp(np.asarray(ps), cdf, self.score_edges)

    def ranks_moments(self, matched: bool) -> tuple[float, float]:
        """Mean and SD of contiguous ranks."""
        pmf = self.ranks_matched_pmf if matched else self.ranks_not_matched_pmf
        k = np.arange(1, pmf.size + 1)
        mean = float(k @ pmf)
        variance = float(((k - mean) ** 2) @ pmf)
        return mean, float(np.sqrt(max(variance, 0.0)))

    def ranks_quantiles(self, matched: bool, ps: Sequence[float] = (0.25, 0.5, 0.75)) -> FloatArray:
        """Contiguous-ranks quantiles of an integer count (averaging at exact ties)."""
        pmf = self.ranks_matched_pmf if matched else self.ranks_not_matched_pmf
        cdf = np.cumsum(pmf)
        out = []
        for p in ps:
            i = int(np.searchsorted(cdf, p - 1e-9))
            value = i + 1.0
            if i < cdf.size - 1 and abs(cdf[i] - p) < 1e-3:
                value += 0.5
            out.append(value)
        return np.array(out)


def _log_binom_coef(n: int) -> FloatArray:
    k = np.arange(n + 1)
    return np.asarray(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1), dtype=np.float64)


def interview_prob(params: SpecialtyParams, s: FloatArray, z: FloatArray) -> FloatArray:
    """P(interview) at a typical program for scores s (..., 1) and latent z (1, ...)."""
    eta = params.a + params.beta * (s - SCORE_CENTER) / 10.0 + params.sigma_u * z
    return np.asarray(expit(eta), dtype=np.float64)


def population_stats(params: SpecialtyParams) -> PopulationStats:
    """Predicted Charting Outcomes figures of a specialty under `params`."""
    n = params.n_apps
    ws = np.exp(-0.5 * ((S_GRID - params.mu) / params.sd) ** 2)
    ws /= ws.sum()
    q = np.clip(interview_prob(params, S_GRID[:, None], Z_NODES[None, :]), 1e-12, 1 - 1e-12)
    k = np.arange(n + 1)
    logpmf = (
        _log_binom_coef(n)[None, None, :]
        + k[None, None, :] * np.log(q)[:, :, None]
        + (n - k)[None, None, :] * np.log1p(-q)[:, :, None]
    )
    joint = np.exp(logpmf) * (ws[:, None] * Z_WEIGHTS[None, :])[:, :, None]
    p_match_k = 1.0 - (1.0 - params.c) ** k[1:]
    ranked = joint[:, :, 1:]
    m = ranked * p_match_k
    u = ranked - m
    m_total = float(m.sum())
    u_total = float(u.sum())
    by_s_m = m.sum(axis=(1, 2)) / max(m_total, 1e-300)
    by_s_u = u.sum(axis=(1, 2)) / max(u_total, 1e-300)
    edges = np.concatenate(([S_GRID[0] - S_HALF], S_GRID + S_HALF))
    return PopulationStats(
        match_rate=m_total / max(m_total + u_total, 1e-300),
        score_edges=edges,
        score_matched_cdf=np.concatenate(([0.0], np.cumsum(by_s_m))),
        score_not_matched_cdf=np.concatenate(([0.0], np.cumsum(by_s_u))),
        ranks_matched_pmf=m.sum(axis=(0, 1)) / max(m_total, 1e-300),
        ranks_not_matched_pmf=u.sum(axis=(0, 1)) / max(u_total, 1e-300),
    )


def p_match_by_score(params: SpecialtyParams, scores: FloatArray) -> FloatArray:
    """P(match) for an applicant applying as the specialty's applicants do, per Step 2 CK score.

    Unconditional on ranking: an applicant with no interview does not match.
    """
    q = interview_prob(params, np.asarray(scores, dtype=np.float64)[:, None], Z_NODES[None, :])
    no_match = (1.0 - params.c * q) ** params.n_apps
    return np.asarray((1.0 - no_match) @ Z_WEIGHTS, dtype=np.float64)
