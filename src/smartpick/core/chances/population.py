"""The population model of one specialty, with the program layer inside (calibration v2).

An applicant has Step 2 CK s ~ N(mu, sd) and a latent strength z ~ N(0, 1) with corr(s, z) = rho
(fitted where the data call for selection: Family Medicine). They send N applications, each to a
program drawn with the specialty's non-US IMG application weights w_i, carrying the signal level l
with the program's non-US IMG signal mix m_il (a list "as the cohort applied" has the cohort's
typical signals). At program i:

    logit q_il(s, z) = alpha_i + gamma_il + beta_i (s - 240) / 10 + sigma z,   beta_i = beta + d_i

where alpha_i is *solved* so that the program's applicant pool (the same s, z distribution and
signal mix) has the program's 2026 non-US IMG interview rate r_i (`solve_alpha`, the pool
equation): the interview side is anchored on what programs did, and alpha_i is the no-signal
baseline, so signals are counted once. K | s, z ~ Binomial(N, qbar(s, z)), qbar = sum_i w_i
sum_l m_il q_il; each interview converts with c_i = expit(logit c + k_i), so P(match | K) =
1 - (1 - cbar)^K with cbar the interview-weighted mean of c_i.

A specialty without 2026 program data has one typical program: alpha = a is free, and its signal
mix is the specialty's allowance spread over N applications.

Charting Outcomes counts applicants who ranked at least one program (K >= 1); `stats` gives the
figures among them, `p_match_by_score(..., ranked=True)` the curve they describe, and the
unconditional curve (no interview, no match) is what a user's own P(match) means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, gammaln, logit

FloatArray = NDArray[np.float64]

SCORE_CENTER = 240.0  # Step 2 CK at which alpha is the no-score log-odds
S_GRID = np.arange(186.0, 295.0, 2.0)
S_HALF = 1.0
_Z, _ZW = np.polynomial.hermite_e.hermegauss(16)
Z_NODES: FloatArray = _Z
Z_WEIGHTS: FloatArray = _ZW / _ZW.sum()
_T, _TW = np.polynomial.hermite_e.hermegauss(20)
POOL_NODES: FloatArray = _T
POOL_WEIGHTS: FloatArray = _TW / _TW.sum()


@dataclass(frozen=True)
class Market:
    """Fixed inputs of a specialty's population model (arrays over its programs)."""

    name: str
    n_apps: float  # applications per applicant: the anchor (prior centre of N)
    weight: FloatArray  # (P,) sums to 1
    rate: FloatArray | None  # (P,) pool interview rates; None: one typical program, free `a`
    gamma: FloatArray  # (P, L) signal effects, level 0 = no signal
    mix: FloatArray  # (P, L) the cohort's signal mix at each program
    beta_offset: FloatArray  # (P,)
    conv_offset: FloatArray  # (P,)


@dataclass(frozen=True)
class Params:
    """Population parameters (`a` only for a market without rates)."""

    mu: float
    sd: float
    beta: float
    sigma: float
    c: float
    rho: float = 0.0
    a: float = -3.5
    n_apps: float = 0.0  # applications per applicant; 0: the market's anchor

    def vector(self, keys: tuple[str, ...]) -> FloatArray:
        """Unconstrained values of `keys`."""
        return np.array([to_free(k, getattr(self, k)) for k in keys])

    def with_vector(self, keys: tuple[str, ...], x: FloatArray) -> Params:
        """A copy with `keys` set from unconstrained values."""
        return replace(self, **{k: from_free(k, v) for k, v in zip(keys, x, strict=True)})

    def to_dict(self) -> dict[str, float]:
        """Plain values (for the fitted file)."""
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Params:
        """Inverse of `to_dict`."""
        return cls(**{k: float(v) for k, v in d.items()})


def to_free(k: str, v: float) -> float:
    """A parameter on its unconstrained (fitting) scale."""
    if k in ("sd", "sigma", "n_apps"):
        return float(np.log(v))
    if k == "c":
        return float(logit(v))
    if k == "rho":
        return float(np.arctanh(v))
    return float(v)


def from_free(k: str, v: float) -> float:
    """Inverse of `to_free`."""
    if k in ("sd", "sigma", "n_apps"):
        return float(np.exp(v))
    if k == "c":
        return float(expit(v))
    if k == "rho":
        return float(np.tanh(v))
    return float(v)


def program_betas(m: Market, p: Params) -> FloatArray:
    """Each program's score slope (never below 0: a higher score never lowers a chance)."""
    return np.maximum(p.beta + m.beta_offset, 0.0)


def solve_alpha(
    rate: FloatArray,
    gamma: FloatArray,
    mix: FloatArray,
    betas: FloatArray,
    mu: FloatArray | float,
    sd: FloatArray | float,
    sigma: FloatArray | float,
    rho: FloatArray | float = 0.0,
    iters: int = 40,
) -> FloatArray:
    """The no-signal baseline alpha whose pool average is `rate` (the pool equation).

    Shapes broadcast over leading axes (e.g. draws x programs): `rate`, `betas` (..., P); `gamma`,
    `mix` (..., P, L); the population parameters scalars or (..., 1). The pool's score term and
    latent term are one normal per program: mean beta (mu - 240) / 10, variance
    (beta sd / 10)^2 + sigma^2 + 2 rho beta sd sigma / 10; Newton steps, 20 quadrature nodes."""
    mean = betas * (mu - SCORE_CENTER) / 10.0
    var = (betas * sd / 10.0) ** 2 + sigma**2 + 2.0 * rho * betas * sd * sigma / 10.0
    u = mean[..., None] + np.sqrt(np.maximum(var, 1e-9))[..., None] * POOL_NODES  # (..., P, G)
    r = np.clip(rate, 1e-6, 0.95)
    alpha = np.log(r / (1 - r)) - mean - 0.5 * np.sqrt(var)
    for _ in range(iters):
        q = expit(alpha[..., None, None] + gamma[..., None] + u[..., None, :])  # (..., P, L, G)
        qw = q @ POOL_WEIGHTS  # (..., P, L)
        f = np.sum(qw * mix, axis=-1) - r
        df = np.sum(((q * (1 - q)) @ POOL_WEIGHTS) * mix, axis=-1)
        step = np.clip(f / np.maximum(df, 1e-12), -2.0, 2.0)
        alpha = alpha - step
        if np.max(np.abs(step)) < 1e-9:
            break
    return np.asarray(alpha, dtype=np.float64)


def market_alpha(m: Market, p: Params) -> FloatArray:
    """The programs' baselines under `p` (the free intercept where the market has no rates)."""
    if m.rate is None:
        return np.full(m.weight.size, p.a)
    return solve_alpha(m.rate, m.gamma, m.mix, program_betas(m, p), p.mu, p.sd, p.sigma, p.rho)


def _joint_sz(p: Params) -> tuple[FloatArray, FloatArray]:
    """Weights over the (s, z) grid and the latent value at each node (with corr rho)."""
    ws = np.exp(-0.5 * ((S_GRID - p.mu) / p.sd) ** 2)
    ws /= ws.sum()
    zt = p.rho * ((S_GRID - p.mu) / p.sd)[:, None] + np.sqrt(1 - p.rho**2) * Z_NODES[None, :]
    return ws[:, None] * Z_WEIGHTS[None, :], zt


def grid(m: Market, p: Params) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(weights, qbar, cbar) over the (s, z) grid."""
    alpha = market_alpha(m, p)
    b = program_betas(m, p)
    w, zt = _joint_sz(p)
    base = alpha[:, None] + m.gamma  # (P, L)
    score = b[None, :] * (S_GRID[:, None] - SCORE_CENTER) / 10.0  # (S, P)
    eta = base[None, None] + score[:, None, :, None] + (p.sigma * zt)[:, :, None, None]
    q = expit(eta)  # (S, Z, P, L)
    wm = m.weight[:, None] * m.mix  # (P, L)
    qbar = np.einsum("szpl,pl->sz", q, wm)
    c_i = expit(logit(p.c) + m.conv_offset)
    cbar = np.einsum("szpl,pl,p->sz", q, wm, c_i) / np.maximum(qbar, 1e-300)
    return w, qbar, cbar


def n_of(m: Market, p: Params) -> float:
    """Applications per applicant in use (fitted, else the market's anchor)."""
    return p.n_apps if p.n_apps > 0 else m.n_apps


def binom_pmf(n: float, q: FloatArray) -> FloatArray:
    """pmf of K over 0..floor(n)+1 for a non-integer n: the mixture of floor(n) and ceil(n)
    (linear in n, so the fit sees a smooth function)."""
    lo = int(np.floor(n))
    frac = n - lo
    q = np.clip(q, 1e-12, 1 - 1e-12)[..., None]
    out: FloatArray = np.zeros(q.shape[:-1] + (lo + 2,))
    for nn, wt in ((lo, 1.0 - frac), (lo + 1, frac)):
        k = np.arange(lo + 2)
        coef = gammaln(nn + 1) - gammaln(np.minimum(k, nn) + 1) - gammaln(np.maximum(nn - k, 0) + 1)
        logpmf = coef + k * np.log(q) + (nn - k) * np.log1p(-q)
        out = out + wt * np.where(k <= nn, np.exp(logpmf), 0.0)
    return out


@dataclass(frozen=True)
class PopulationStats:
    """What the population model predicts for the applicants who ranked (K >= 1)."""

    match_rate: float
    score_edges: FloatArray  # bin edges of the Step 2 CK grid
    score_matched_cdf: FloatArray  # CDF at the edges
    score_not_matched_cdf: FloatArray
    ranks_matched_pmf: FloatArray  # over K = 1..
    ranks_not_matched_pmf: FloatArray
    score_mean: tuple[float, float]  # matched, not matched
    score_sd: tuple[float, float]
    p_ranked: float  # P(K >= 1) among all applicants
    mean_interviews: float  # E[K] over all applicants

    def score_cdf(self, matched: bool, x: FloatArray) -> FloatArray:
        """CDF of Step 2 CK at x (linear within the grid's bins)."""
        cdf = self.score_matched_cdf if matched else self.score_not_matched_cdf
        return np.asarray(np.interp(x, self.score_edges, cdf))

    def score_quantiles(self, matched: bool, ps: Sequence[float] = (0.25, 0.5, 0.75)) -> FloatArray:
        """Step 2 CK quantiles."""
        cdf = self.score_matched_cdf if matched else self.score_not_matched_cdf
        return np.asarray(np.interp(np.asarray(ps), cdf, self.score_edges))

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


def stats(m: Market, p: Params) -> PopulationStats:
    """What the model predicts for the published figures (among applicants who ranked)."""
    w, qbar, cbar = grid(m, p)
    joint = binom_pmf(n_of(m, p), qbar) * w[:, :, None]  # (S, Z, K)
    k = np.arange(joint.shape[-1])
    pm_k = 1.0 - (1.0 - cbar[:, :, None]) ** k[None, None, :]
    ranked = joint[:, :, 1:]
    matched = ranked * pm_k[:, :, 1:]
    unmatched = ranked - matched
    mt, ut = float(matched.sum()), float(unmatched.sum())
    by_s_m = matched.sum(axis=(1, 2)) / max(mt, 1e-300)
    by_s_u = unmatched.sum(axis=(1, 2)) / max(ut, 1e-300)

    def moments(by_s: FloatArray) -> tuple[float, float]:
        mean = float(S_GRID @ by_s)
        var = float(((S_GRID - mean) ** 2) @ by_s) + S_HALF**2 / 3.0
        return mean, float(np.sqrt(max(var, 0.0)))

    (m1, s1), (m0, s0) = moments(by_s_m), moments(by_s_u)
    return PopulationStats(
        match_rate=mt / max(mt + ut, 1e-300),
        score_edges=np.concatenate(([S_GRID[0] - S_HALF], S_GRID + S_HALF)),
        score_matched_cdf=np.concatenate(([0.0], np.cumsum(by_s_m))),
        score_not_matched_cdf=np.concatenate(([0.0], np.cumsum(by_s_u))),
        ranks_matched_pmf=matched.sum(axis=(0, 1)) / max(mt, 1e-300),
        ranks_not_matched_pmf=unmatched.sum(axis=(0, 1)) / max(ut, 1e-300),
        score_mean=(m1, m0),
        score_sd=(s1, s0),
        p_ranked=float(ranked.sum()),
        mean_interviews=float(joint.sum(axis=(0, 1)) @ k),
    )


def match_curves(m: Market, p: Params, scores: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(P(match | Step 2 CK), P(match | Step 2 CK, ranked at least one program)) for an
    applicant applying as the cohort does: what a user's own figure means, and what Charting
    Outcomes describes."""
    n = n_of(m, p)
    alpha = market_alpha(m, p)
    b = program_betas(m, p)
    wm = m.weight[:, None] * m.mix
    c_i = expit(logit(p.c) + m.conv_offset)
    s = np.atleast_1d(np.asarray(scores, dtype=np.float64))
    zt = p.rho * ((s - p.mu) / p.sd)[:, None] + np.sqrt(1 - p.rho**2) * Z_NODES[None, :]  # (S, Z)
    eta = (alpha[:, None] + m.gamma)[None, None] + (
        b[None, :] * (s[:, None] - SCORE_CENTER) / 10.0
    )[:, None, :, None]
    q = expit(eta + (p.sigma * zt)[:, :, None, None])  # (S, Z, P, L)
    qbar = np.einsum("szpl,pl->sz", q, wm)
    cbar = np.einsum("szpl,pl,p->sz", q, wm, c_i) / np.maximum(qbar, 1e-300)
    match = (1.0 - (1.0 - cbar * qbar) ** n) @ Z_WEIGHTS
    some = (1.0 - (1.0 - qbar) ** n) @ Z_WEIGHTS
    return np.asarray(match), np.asarray(match / np.maximum(some, 1e-12))


def p_match_by_score(m: Market, p: Params, scores: FloatArray, ranked: bool = False) -> FloatArray:
    """P(match | Step 2 CK) for an applicant applying as the cohort does; `ranked`: given that
    they ranked at least one program (K >= 1), the quantity Charting Outcomes describes."""
    return match_curves(m, p, scores)[1 if ranked else 0]
