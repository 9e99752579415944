"""Calibration v2: the population model of one specialty, with the program layer inside.

An applicant has Step 2 CK s ~ N(mu, sd) and a latent strength z ~ N(0, 1) with corr(s, z) = rho
(0 except where a specialty's data call for selection, e.g. Family Medicine). They send N
applications (anchored on the 2026 totals and ERAS applicant counts for IM and FM), each to a
program drawn with the specialty's non-US IMG application weights w_i, carrying the signal level
l with the program's non-US IMG signal mix m_{il} (so a list "as the cohort applied" uses the
cohort's typical signals). At program i:

    logit q_il(s, z) = alpha_i + gamma_il + beta_i (s - 240) / 10 + sigma z,   beta_i = beta + d_i

where alpha_i is *solved* so that the program's applicant pool (the same s, z distribution and
signal mix) has the program's 2026 non-US IMG interview rate r_i: the interview side is anchored
on what programs did, and alpha_i is the no-signal baseline (signals are not counted twice).
K | s, z ~ Binomial(N, qbar(s, z)), qbar = sum_i w_i sum_l m_il q_il; each interview converts
with c_i = expit(logit c + k_i) (program conversion offsets), P(match | K) = 1 - (1 - cbar)^K
with cbar the interview-weighted mean of c_i.

A specialty without a program layer (no 2026 data) has one typical program: alpha = a is free and
the signal mix is the specialty's allowance over N applications with a pooled signal effect.

Fitted to Charting Outcomes 2026 (applicants who ranked, K >= 1): the match rate, the Step 2 CK
quartiles, mean and SD of matched and not matched, and the contiguous-ranks mean and SD.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares
from scipy.special import expit, gammaln, logit

from smartpick.core.calibration import SE_FLOOR, PopulationStats, Targets, _usable

FloatArray = NDArray[np.float64]

SCORE_CENTER = 240.0
S_GRID = np.arange(186.0, 295.0, 2.0)
S_HALF = 1.0
_Z, _ZW = np.polynomial.hermite_e.hermegauss(16)
Z_NODES = _Z
Z_WEIGHTS = _ZW / _ZW.sum()
_T, _TW = np.polynomial.hermite_e.hermegauss(20)
_TW = _TW / _TW.sum()


@dataclass(frozen=True)
class Market:
    """Fixed inputs of a specialty's population model (arrays over its programs)."""

    name: str
    n_apps: float
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
        return np.array([_to_free(k, getattr(self, k)) for k in keys])

    def with_vector(self, keys: tuple[str, ...], x: FloatArray) -> Params:
        """A copy with `keys` set from unconstrained values."""
        return replace(self, **{k: _from_free(k, v) for k, v in zip(keys, x, strict=True)})


def _to_free(k: str, v: float) -> float:
    if k in ("sd", "sigma", "n_apps"):
        return float(np.log(v))
    if k == "c":
        return float(logit(v))
    if k == "rho":
        return float(np.arctanh(v))
    return float(v)


def _from_free(k: str, v: float) -> float:
    if k in ("sd", "sigma", "n_apps"):
        return float(np.exp(v))
    if k == "c":
        return float(expit(v))
    if k == "rho":
        return float(np.tanh(v))
    return float(v)


def _betas(m: Market, p: Params) -> FloatArray:
    return np.maximum(p.beta + m.beta_offset, 0.0)


def solve_alpha(m: Market, p: Params, iters: int = 30) -> FloatArray:
    """Per program, the no-signal baseline alpha_i whose pool average is the 2026 rate r_i."""
    if m.rate is None:
        return np.full(m.weight.size, p.a)
    b = _betas(m, p)
    mean = b * (p.mu - SCORE_CENTER) / 10.0
    var = (b * p.sd / 10.0) ** 2 + p.sigma**2 + 2.0 * p.rho * b * p.sd * p.sigma / 10.0
    u = mean[:, None] + np.sqrt(np.maximum(var, 1e-9))[:, None] * _T[None, :]  # (P, G)
    r = np.clip(m.rate, 1e-6, 0.95)
    alpha = np.log(r / (1 - r)) - mean - 0.5 * np.sqrt(var)
    for _ in range(iters):
        q = expit(alpha[:, None, None] + m.gamma[:, :, None] + u[:, None, :])  # (P, L, G)
        f = np.einsum("plg,pl,g->p", q, m.mix, _TW) - r
        df = np.einsum("plg,pl,g->p", q * (1 - q), m.mix, _TW)
        step = np.clip(f / np.maximum(df, 1e-12), -2.0, 2.0)
        alpha = alpha - step
        if np.max(np.abs(step)) < 1e-7:
            break
    return alpha


def _joint_sz(p: Params) -> tuple[FloatArray, FloatArray]:
    """Weights over the (s, z) grid and the latent value at each node (with corr rho)."""
    ws = np.exp(-0.5 * ((S_GRID - p.mu) / p.sd) ** 2)
    ws /= ws.sum()
    zt = p.rho * ((S_GRID - p.mu) / p.sd)[:, None] + np.sqrt(1 - p.rho**2) * Z_NODES[None, :]
    return ws[:, None] * Z_WEIGHTS[None, :], zt


def grid(m: Market, p: Params) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(weights, qbar, cbar) over the (s, z) grid."""
    alpha = solve_alpha(m, p)
    b = _betas(m, p)
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
    """pmf of K over 0..ceil(n) for a non-integer n: the mixture of floor(n) and ceil(n) (linear
    in n, so the fit sees a smooth function)."""
    lo = int(np.floor(n))
    frac = n - lo
    q = np.clip(q, 1e-12, 1 - 1e-12)[..., None]
    out = 0.0
    for nn, wt in ((lo, 1.0 - frac), (lo + 1, frac)):
        k = np.arange(lo + 2)
        coef = gammaln(nn + 1) - gammaln(np.minimum(k, nn) + 1) - gammaln(np.maximum(nn - k, 0) + 1)
        logpmf = coef + k * np.log(q) + (nn - k) * np.log1p(-q)
        out = out + wt * np.where(k <= nn, np.exp(logpmf), 0.0)
    return np.asarray(out)


@dataclass(frozen=True)
class Stats:
    """Predicted Charting Outcomes figures (among applicants who ranked) and extras."""

    pop: PopulationStats
    score_mean: tuple[float, float]  # matched, not matched
    score_sd: tuple[float, float]
    p_ranked: float  # P(K >= 1) among all applicants
    mean_interviews: float  # E[K] over all applicants


def stats(m: Market, p: Params) -> Stats:
    """What the model predicts for the published figures."""
    n = n_of(m, p)
    w, qbar, cbar = grid(m, p)
    joint = binom_pmf(n, qbar) * w[:, :, None]  # (S, Z, K)
    k = np.arange(joint.shape[-1])
    pm_k = 1.0 - (1.0 - cbar[:, :, None]) ** k[None, None, :]
    ranked = joint[:, :, 1:]
    matched = ranked * pm_k[:, :, 1:]
    unmatched = ranked - matched
    mt, ut = float(matched.sum()), float(unmatched.sum())
    by_s_m = matched.sum(axis=(1, 2)) / max(mt, 1e-300)
    by_s_u = unmatched.sum(axis=(1, 2)) / max(ut, 1e-300)
    edges = np.concatenate(([S_GRID[0] - S_HALF], S_GRID + S_HALF))
    pop = PopulationStats(
        match_rate=mt / max(mt + ut, 1e-300),
        score_edges=edges,
        score_matched_cdf=np.concatenate(([0.0], np.cumsum(by_s_m))),
        score_not_matched_cdf=np.concatenate(([0.0], np.cumsum(by_s_u))),
        ranks_matched_pmf=matched.sum(axis=(0, 1)) / max(mt, 1e-300),
        ranks_not_matched_pmf=unmatched.sum(axis=(0, 1)) / max(ut, 1e-300),
    )

    def moments(by_s: FloatArray) -> tuple[float, float]:
        mean = float(S_GRID @ by_s)
        return mean, float(np.sqrt(max(((S_GRID - mean) ** 2) @ by_s + S_HALF**2 / 3.0, 0.0)))

    (m1, s1), (m0, s0) = moments(by_s_m), moments(by_s_u)
    return Stats(pop, (m1, m0), (s1, s0), float(ranked.sum()), float(joint.sum(axis=(0, 1)) @ k))


def p_match_by_score(m: Market, p: Params, scores: FloatArray, ranked: bool = False) -> FloatArray:
    """P(match | Step 2 CK) for an applicant applying as the cohort does (`ranked`: given K >= 1,
    the quantity Charting Outcomes describes)."""
    n = n_of(m, p)
    out = []
    for s in np.atleast_1d(scores):
        w_s, qbar, cbar = _at_score(m, p, float(s))
        no_match = (1.0 - cbar * qbar) ** n
        none = (1.0 - qbar) ** n
        pm = float((1.0 - no_match) @ w_s)
        out.append(pm / max(1.0 - float(none @ w_s), 1e-12) if ranked else pm)
    return np.array(out)


def _at_score(m: Market, p: Params, s: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Latent weights, qbar and cbar at one score (z given s when rho != 0)."""
    alpha = solve_alpha(m, p)
    b = _betas(m, p)
    zt = p.rho * (s - p.mu) / p.sd + np.sqrt(1 - p.rho**2) * Z_NODES
    eta = (alpha[:, None] + m.gamma)[None] + (b * (s - SCORE_CENTER) / 10.0)[None, :, None]
    q = expit(eta + p.sigma * zt[:, None, None])  # (Z, P, L)
    wm = m.weight[:, None] * m.mix
    qbar = np.einsum("zpl,pl->z", q, wm)
    c_i = expit(logit(p.c) + m.conv_offset)
    cbar = np.einsum("zpl,pl,p->z", q, wm, c_i) / np.maximum(qbar, 1e-300)
    return Z_WEIGHTS, qbar, cbar


MEAN_SE_FLOOR = 0.75  # points: the published mean and SD of Step 2 CK, held this closely at most


def residuals(m: Market, p: Params, t: Targets) -> FloatArray:
    """Standardised differences from the published figures (v1's targets plus the score means and
    SDs, which v1 left unused)."""
    st = stats(m, p)
    total = t.matched + t.not_matched
    rate = t.match_rate
    se_rate = min(max(np.sqrt(rate * (1 - rate) / total), SE_FLOOR["rate"]), 0.02)
    out = [(st.pop.match_rate - rate) / se_rate]
    for idx, (matched, d) in enumerate(((True, t.step2ck_matched), (False, t.step2ck_not_matched))):
        if d is None or not _usable(d):
            continue
        for q, x in ((0.25, d.q1), (0.5, d.median), (0.75, d.q3)):
            assert x is not None
            se = max(np.sqrt(q * (1 - q) / d.n), SE_FLOOR["cdf"])
            out.append((float(st.pop.score_cdf(matched, np.array([x]))[0]) - q) / se)
        if d.mean is not None and d.sd is not None:
            out.append((st.score_mean[idx] - d.mean) / max(d.sd / np.sqrt(d.n), MEAN_SE_FLOOR))
            out.append((st.score_sd[idx] - d.sd) / max(d.sd / np.sqrt(2 * d.n), MEAN_SE_FLOOR))
    for matched, d in ((True, t.ranks_matched), (False, t.ranks_not_matched)):
        if d is None or not _usable(d) or d.mean is None or d.sd is None:
            continue
        mean, sd = st.pop.ranks_moments(matched)
        out.append((mean - d.mean) / max(d.sd / np.sqrt(d.n), SE_FLOOR["mean"]))
        out.append((sd - d.sd) / max(d.sd / np.sqrt(2 * d.n), SE_FLOOR["sd"]))
    return np.array(out)


@dataclass(frozen=True)
class Prior:
    """Normal priors on (free-scale) parameters: {key: (centre, width)}."""

    terms: dict[str, tuple[float, float]]

    def penalty(self, p: Params) -> FloatArray:
        """Standardised distances from the prior."""
        return np.array([(_to_free(k, getattr(p, k)) - c) / w for k, (c, w) in self.terms.items()])


BOUNDS = {
    "mu": (200.0, 285.0),
    "sd": (np.log(6.0), np.log(30.0)),
    "beta": (0.0, 2.0),
    "sigma": (np.log(0.05), np.log(4.0)),
    "c": (logit(0.01), logit(0.9)),
    "rho": (np.arctanh(-0.9), np.arctanh(0.9)),
    "a": (-14.0, 4.0),
    "n_apps": (np.log(20.0), np.log(250.0)),
}


def fit(
    m: Market, t: Targets, start: Params, keys: tuple[str, ...], prior: Prior
) -> tuple[Params, float]:
    """Minimum-distance fit of `keys` (others held at `start`); returns (params, cost)."""
    lb = np.array([BOUNDS[k][0] for k in keys])
    ub = np.array([BOUNDS[k][1] for k in keys])
    x0 = np.clip(start.vector(keys), lb + 1e-6, ub - 1e-6)

    def fun(x: FloatArray) -> FloatArray:
        p = start.with_vector(keys, x)
        return np.concatenate((residuals(m, p, t), prior.penalty(p)))

    res = least_squares(fun, x0, bounds=(lb, ub), xtol=1e-6, ftol=1e-8, max_nfev=300)
    return start.with_vector(keys, res.x), float(res.cost)
