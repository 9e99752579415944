"""The program-rate model: each program's 2026 non-US IMG interview rate, from its own count and
its older features (a zero-inflated hierarchical logistic).

For program i with n_i non-US IMG applicants of whom k_i were invited (known only to the interval
[lo_i, hi_i] the whole-percent rounding allows, `evidence.invited_bounds`):

    k_i | p_i ~ Binomial(n_i, p_i)                       (the probability of the rounding interval)
    with probability 1 - pi_i ("open"):   logit p_i = x_i' b + e_i,   e_i ~ N(0, tau^2)
    with probability pi_i ("closed"):     logit p_i ~ N(mu0, 0.7^2)   (invites almost no non-US IMG)
    logit pi_i = x_i' g

x_i are the older catalog features (`features`). b, g, tau and mu0 are fitted by marginal maximum
likelihood on a fine grid of logit p (the likelihood of each program's rounding interval is
computed once, so the fit has analytic gradients), with a ridge prior N(0, ridge^2) on the
standardised slopes. tau is the shrinkage strength, estimated from the data: a program's own rate
dominates when n_i p_i (1 - p_i) >> 1 / tau^2. Zero inflation is needed: a tenth of the IM programs
with 300 or more non-US IMG applicants invited 0-1 of them, which one logit-normal cannot hold.

- A program with 2026 data: the posterior of p_i given its own count (on the grid).
- A program without: the predictive mixture of both components, parameter covariance included
  (wider).

`plain_logistic` is the baseline of bench/programs_2026.py: a binomial GLM without e_i.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import betainc, expit, log_expit, logit, ndtr

from smartpick.core.chances.evidence import invited_bounds, type_rate
from smartpick.core.programs import Program

FloatArray = NDArray[np.float64]

ETA = np.arange(-13.0, 2.0, 0.02)  # grid of logit p: fine enough for the largest counts
_DETA = 0.02


# The closed component: programs that invite (almost) no non-US IMG. Its logit-rate spread is
# fixed (a few per thousand at most); its centre mu0 is fitted.
CLOSED_MU = -8.0
CLOSED_TAU = 0.7
# Normal scores at which a rate's quantile function is tabulated: a draw with standard-normal
# noise t takes the rate's quantile at Phi(t), so the draws follow the rate's own distribution.
NORMAL_SCORES = np.linspace(-4.0, 4.0, 33)
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(32)
_GH_WEIGHTS = _GH_WEIGHTS / _GH_WEIGHTS.sum()


def interval_prob(lo: FloatArray, hi: FloatArray, n: FloatArray, p: FloatArray) -> FloatArray:
    """P(lo <= K <= hi) for K ~ Binomial(n, p), broadcasting (programs x nodes)."""
    p = np.clip(p, 1e-12, 1 - 1e-12)
    # P(K <= k) = I_{1-p}(n - k, k + 1); P(K <= -1) = 0; P(K <= n) = 1.
    upper = np.where(hi >= n, 1.0, betainc(np.maximum(n - hi, 1e-9), hi + 1.0, 1.0 - p))
    lower = np.where(lo <= 0, 0.0, betainc(n - lo + 1.0, np.maximum(lo, 1e-9), 1.0 - p))
    return np.maximum(upper - lower, 1e-300)


@dataclass(frozen=True)
class Counts:
    """Observed data of programs with 2026 evidence: rounding interval of k, n, observed rate."""

    lo: FloatArray
    hi: FloatArray
    n: FloatArray
    rate: FloatArray  # the published (rounded) rate, 0-1

    @classmethod
    def of(cls, programs: Sequence[Program]) -> Counts:
        """The non-US IMG counts of the programs that publish them (`features.has_rate`)."""
        evs = [p.interview_evidence for p in programs if type_rate(p.interview_evidence)]
        bounds = np.array(
            [invited_bounds(ev) for ev in evs if ev is not None], dtype=np.float64
        ).reshape(-1, 2)
        rcs = [type_rate(ev) for ev in evs]
        n = np.array([float(rc.applicants or 0) for rc in rcs if rc is not None])
        rate = np.array([float(rc.rate or 0.0) for rc in rcs if rc is not None])
        return cls(bounds[:, 0], bounds[:, 1], n, rate)

    def subset(self, idx: NDArray[np.int64]) -> Counts:
        """The counts of some programs (positions in this object)."""
        return Counts(self.lo[idx], self.hi[idx], self.n[idx], self.rate[idx])


@dataclass(frozen=True)
class Posterior:
    """Per program: mean rate, 10% and 90% quantiles, logit mean / SD, P(closed), and the logit
    rate's quantiles at `NORMAL_SCORES` (P, K)."""

    mean: FloatArray
    low: FloatArray
    high: FloatArray
    logit_mean: FloatArray
    logit_sd: FloatArray
    closed: FloatArray
    logit_quantiles: FloatArray


def _summaries(w: FloatArray, level: float, closed: FloatArray) -> Posterior:
    rate = expit(ETA)
    cdf = np.cumsum(w, axis=1)
    tail = (1 - level) / 2
    lm = w @ ETA
    levels = ndtr(NORMAL_SCORES)
    at = [np.minimum(np.searchsorted(row, levels), ETA.size - 1) for row in cdf]
    return Posterior(
        w @ rate,
        rate[np.argmax(cdf >= tail, axis=1)],
        rate[np.argmax(cdf >= 1 - tail, axis=1)],
        lm,
        np.sqrt(np.maximum(w @ ETA**2 - lm**2, 1e-12)),
        closed,
        ETA[np.array(at, dtype=np.int64).reshape(len(cdf), levels.size)],
    )


def logit_normal_quantiles(mean: FloatArray, sd: FloatArray) -> FloatArray:
    """(P, K) logit quantiles at `NORMAL_SCORES` of the logit-normal with logit SD `sd` whose
    mean in probability space is `mean`: its centre m solves E[expit(m + sd Z)] = mean (Newton
    on Gauss-Hermite quadrature). A rate posterior kept only as (mean, logit SD) is drawn from it,
    so that its draws average to the posterior mean rather than scatter around it."""
    mean = np.clip(np.asarray(mean, dtype=np.float64), 1e-6, 0.95)
    sd = np.asarray(sd, dtype=np.float64)
    m = np.asarray(logit(mean))
    for _ in range(100):
        p = expit(m[:, None] + sd[:, None] * _GH_NODES)
        gap = p @ _GH_WEIGHTS - mean
        slope = (p * (1 - p)) @ _GH_WEIGHTS
        m = m - np.clip(gap / np.maximum(slope, 1e-300), -2.0, 2.0)
        if np.all(np.abs(gap) <= 1e-10 * mean):
            break
    return np.asarray(m[:, None] + sd[:, None] * NORMAL_SCORES)


def quantile_logits(table: FloatArray, noise: FloatArray) -> FloatArray:
    """(D, P) each program's logit rate at standard-normal `noise` (D, P), interpolated in its
    quantile table (P, K) at `NORMAL_SCORES` (held at the ends beyond +-4)."""
    step = NORMAL_SCORES[1] - NORMAL_SCORES[0]
    pos = np.clip((noise - NORMAL_SCORES[0]) / step, 0.0, NORMAL_SCORES.size - 1.0)
    lo = np.minimum(np.floor(pos).astype(np.int64), NORMAL_SCORES.size - 2)
    frac = pos - lo
    cols = np.arange(table.shape[0])[None, :]
    return np.asarray(table[cols, lo] * (1.0 - frac) + table[cols, lo + 1] * frac)


@dataclass(frozen=True)
class Fit:
    """Fitted open-component b (intercept first) and tau; for the zero-inflated model also the
    closed-component share's coefficients g (logit pi = z' g) and its logit-rate centre mu0.
    `cov` is the covariance of b (inverse Hessian block)."""

    b: FloatArray
    tau: float
    cov: FloatArray
    loglik: float
    g: FloatArray | None = None
    mu0: float = CLOSED_MU

    def linear(self, X: FloatArray) -> FloatArray:
        """x' b for a feature matrix (without the intercept column)."""
        return self.b[0] + X @ self.b[1:]

    def closed_share(self, X: FloatArray) -> FloatArray:
        """Prior probability that a program is closed to non-US IMGs (0 without inflation)."""
        if self.g is None:
            return np.zeros(len(X))
        return np.asarray(expit(self.g[0] + X @ self.g[1:]))

    def predictive(self, X: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Mean and SD of the open component's logit p (parameter uncertainty included)."""
        Z = np.column_stack((np.ones(len(X)), X))
        var = np.einsum("ij,jk,ik->i", Z, self.cov, Z)
        return self.linear(X), np.sqrt(self.tau**2 + np.maximum(var, 0.0))

    def to_dict(self) -> dict[str, Any]:
        """Plain values for the fitted file."""
        return {
            "b": self.b.tolist(),
            "tau": self.tau,
            "cov": self.cov.tolist(),
            "loglik": self.loglik,
            "g": None if self.g is None else self.g.tolist(),
            "mu0": self.mu0,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Fit:
        """Inverse of `to_dict`."""
        return cls(
            np.array(d["b"], dtype=np.float64),
            float(d["tau"]),
            np.array(d["cov"], dtype=np.float64),
            float(d["loglik"]),
            None if d["g"] is None else np.array(d["g"], dtype=np.float64),
            float(d["mu0"]),
        )

    def predictive_rate(self, X: FloatArray, level: float = 0.8) -> Posterior:
        """The rate of a program without data: the mixture of both components."""
        m, s = self.predictive(X)
        pi = self.closed_share(X)
        w = (1 - pi)[:, None] * _density(ETA[None, :], m[:, None], s[:, None])
        w = w + pi[:, None] * _density(ETA[None, :], self.mu0, CLOSED_TAU)
        return _summaries(w / w.sum(axis=1, keepdims=True), level, pi)


def likelihood_grid(c: Counts) -> FloatArray:
    """P(observed rounding interval | logit p = ETA[g]) per program (rows) and grid point."""
    return interval_prob(c.lo[:, None], c.hi[:, None], c.n[:, None], expit(ETA)[None, :])


def _density(eta: FloatArray, m: FloatArray | float, s: FloatArray | float) -> FloatArray:
    return np.asarray(np.exp(-0.5 * ((eta - m) / s) ** 2) / (s * np.sqrt(2 * np.pi)))


def _negloglik(
    theta: FloatArray, Z: FloatArray, L: FloatArray, ridge: float, inflated: bool
) -> tuple[float, FloatArray]:
    k = Z.shape[1]
    b, log_tau = theta[:k], theta[k]
    tau = float(np.exp(log_tau))
    u = (ETA[None, :] - (Z @ b)[:, None]) / tau
    Ld = L * np.exp(-0.5 * u**2) / (tau * np.sqrt(2 * np.pi))
    A = Ld.sum(axis=1) * _DETA
    dA_m = (Ld * u).sum(axis=1) * _DETA / tau
    dA_logtau = (Ld * (u**2 - 1.0)).sum(axis=1) * _DETA
    pen = 0.5 * np.sum(b[1:] ** 2) / ridge**2
    grad_b_pen = np.concatenate(([0.0], b[1:] / ridge**2))
    if not inflated:
        like = A + 1e-300
        grad = np.concatenate((-(Z.T @ (dA_m / like)) + grad_b_pen, [-np.sum(dA_logtau / like)]))
        return float(-np.sum(np.log(like)) + pen), grad
    g, mu0 = theta[k + 1 : 2 * k + 1], theta[2 * k + 1]
    pi = expit(Z @ g)
    u0 = (ETA[None, :] - mu0) / CLOSED_TAU
    Lc = L * np.exp(-0.5 * u0**2) / (CLOSED_TAU * np.sqrt(2 * np.pi))
    B = Lc.sum(axis=1) * _DETA
    dB_mu0 = (Lc * u0).sum(axis=1) * _DETA / CLOSED_TAU
    like = (1 - pi) * A + pi * B + 1e-300
    pen += 0.5 * np.sum(g[1:] ** 2) / ridge**2
    grad = np.concatenate(
        (
            -(Z.T @ ((1 - pi) * dA_m / like)) + grad_b_pen,
            [-np.sum((1 - pi) * dA_logtau / like)],
            -(Z.T @ ((B - A) * pi * (1 - pi) / like)) + np.concatenate(([0.0], g[1:] / ridge**2)),
            [-np.sum(pi * dB_mu0 / like)],
        )
    )
    return float(-np.sum(np.log(like)) + pen), grad


def fit(
    X: FloatArray,
    c: Counts,
    ridge: float = 1.0,
    L: FloatArray | None = None,
    inflated: bool = True,
) -> Fit:
    """Marginal maximum likelihood with a ridge prior on the slopes (`inflated`: with the closed
    component)."""
    Z = np.column_stack((np.ones(len(X)), X))
    k = Z.shape[1]
    L = likelihood_grid(c) if L is None else L
    pooled = max(float(np.sum(c.rate * c.n) / np.sum(c.n)), 1e-3)
    start = np.concatenate(([np.log(pooled / (1 - pooled))], np.zeros(k - 1), [np.log(0.7)]))
    if inflated:
        start = np.concatenate((start, [-2.0], np.zeros(k - 1), [CLOSED_MU]))
    bounds: list[tuple[float | None, float | None]] = [(None, None)] * k
    bounds += [(float(np.log(0.05)), float(np.log(5.0)))]
    if inflated:
        bounds += [(None, None)] * k + [(-12.0, -6.0)]
    from scipy.optimize import (
        minimize,  # scipy.stats/optimize load in ~1 s: only when fitting, not when serving
    )

    res = minimize(
        _negloglik, start, args=(Z, L, ridge, inflated), jac=True, method="L-BFGS-B", bounds=bounds
    )
    theta = res.x
    cov = _inverse_hessian(theta, Z, L, ridge, inflated)
    return Fit(
        theta[:k],
        float(np.exp(theta[k])),
        cov[:k, :k],
        float(-res.fun),
        theta[k + 1 : 2 * k + 1] if inflated else None,
        float(theta[2 * k + 1]) if inflated else CLOSED_MU,
    )


def _inverse_hessian(
    theta: FloatArray, Z: FloatArray, L: FloatArray, ridge: float, inflated: bool
) -> FloatArray:
    """Covariance of the estimates: inverse of the finite-difference Hessian of the gradient."""
    k = theta.size
    h = 1e-4
    H = np.zeros((k, k))
    for i in range(k):
        step = np.eye(k)[i] * h
        up = _negloglik(theta + step, Z, L, ridge, inflated)[1]
        down = _negloglik(theta - step, Z, L, ridge, inflated)[1]
        H[:, i] = (up - down) / (2 * h)
    H = 0.5 * (H + H.T)
    try:
        return np.asarray(np.linalg.inv(H + 1e-8 * np.eye(k)))
    except np.linalg.LinAlgError:
        return np.eye(k) * 1e-2


def posterior(
    f: Fit, X: FloatArray, c: Counts, level: float = 0.8, L: FloatArray | None = None
) -> Posterior:
    """The program's rate given its own count, shrunk toward its feature prediction."""
    L = likelihood_grid(c) if L is None else L
    pi = f.closed_share(X)
    open_w = (1 - pi)[:, None] * L * _density(ETA[None, :], f.linear(X)[:, None], f.tau)
    closed_w = pi[:, None] * L * _density(ETA[None, :], f.mu0, CLOSED_TAU)
    w = open_w + closed_w
    total = w.sum(axis=1, keepdims=True)
    return _summaries(w / total, level, closed_w.sum(axis=1) / total[:, 0])


def plain_logistic(X: FloatArray, c: Counts, ridge: float = 1.0) -> FloatArray:
    """Binomial GLM on the observed (rounded) counts: the baseline; returns b with intercept."""
    Z = np.column_stack((np.ones(len(X)), X))
    k = c.rate * c.n

    def nll(b: FloatArray) -> tuple[float, FloatArray]:
        eta = Z @ b
        ll = k * log_expit(eta) + (c.n - k) * log_expit(-eta)
        grad = Z.T @ (k - c.n * expit(eta))
        pen = 0.5 * np.sum(b[1:] ** 2) / ridge**2
        gpen = np.concatenate(([0.0], b[1:] / ridge**2))
        return float(-ll.sum() + pen), -grad + gpen

    pooled = max(float(k.sum() / c.n.sum()), 1e-3)
    b0 = np.concatenate(([np.log(pooled / (1 - pooled))], np.zeros(X.shape[1])))
    from scipy.optimize import (
        minimize,  # scipy.stats/optimize load in ~1 s: only when fitting, not when serving
    )

    return np.asarray(minimize(nll, b0, jac=True, method="L-BFGS-B").x)


def deviance(rate_obs: FloatArray, n: FloatArray, p: FloatArray) -> float:
    """Binomial deviance of predicted rates p for observed rates (k = rate x n)."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    k = rate_obs * n
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(k > 0, k * np.log(k / (n * p)), 0.0)
        t2 = np.where(n - k > 0, (n - k) * np.log((n - k) / (n * (1 - p))), 0.0)
    return float(2 * np.sum(t1 + t2))


def scores(rate_obs: FloatArray, n: FloatArray, p: FloatArray, p_const: float) -> dict[str, float]:
    """Spearman correlation and the share of deviance explained against a constant rate."""
    from scipy.stats import (
        spearmanr,  # scipy.stats/optimize load in ~1 s: only when fitting, not when serving
    )

    d = deviance(rate_obs, n, p)
    d0 = deviance(rate_obs, n, np.full_like(p, p_const))
    return {
        "spearman": float(spearmanr(p, rate_obs).statistic),
        "deviance_explained": 1.0 - d / d0,
        "n_programs": float(len(p)),
    }


def folds(n: int, k: int, seed: int = 0) -> list[NDArray[np.int64]]:
    """k random folds of range(n) (fixed seed): cross-validation over programs."""
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(order[i::k]) for i in range(k)]
