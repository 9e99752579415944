"""Per-program fitted quantities for IM and FM (computed once, at build/fit time).

For every categorical catalog program of the specialty (with or without 2026 data):

- `rate`, `rate_low`, `rate_high`, `logit_mean`, `logit_sd`, `closed`: the program's non-US IMG
  interview rate for its applicant pool (posterior given its own 2026 count, or the feature
  prediction without data; `program_model`);
- `weight`: its share of the specialty's non-US IMG applications (2026 count; predicted without);
- signal, failed-attempt, geographic and home-state effects on the log-odds (`decompose`, with the
  level set by `RANGES` and the program's own deviation from the median kept, shrunk), and the
  non-US IMG applicants' mix over those levels;
- `beta_offset`: the program's score slope minus the specialty's, from the Step 2 CK of the non-US
  IMGs it invited (exponential tilting: invited mean - pool mean = beta sd^2 / 10), shrunk;
- `conv_offset`: log-odds offset of P(match | interview) from positions per interview and 2026 fill.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from research import program_model as pm
from research import re2026
from research.dataset import CACHE, RIDGE, joined
from research.decompose import Decomposition, decompose, levels_of

FloatArray = NDArray[np.float64]

# Level of each per-program effect (log-odds, net of applicant type). The decomposition's median
# is weakly identified (types and signals are confounded in the published margins), so the level is
# an assumption with a range; each program keeps its own deviation from the median (shrunk).
# Every assumption is (point, low, high); `Assumptions` holds the values in use.
RANGES: dict[str, tuple[float, float, float]] = {
    "im_signal_gold": (math.log(6.0), math.log(3.0), math.log(12.0)),
    "im_signal_silver": (math.log(3.0), math.log(2.0), math.log(6.0)),
    "fm_signal_sent": (math.log(3.0), math.log(2.0), math.log(4.5)),
    # Multipliers on the decomposition's median: aligned applicants are often locals with ties,
    # and a US graduate's home state is often their school's.
    "geo_scale": (0.5, 0.25, 1.0),
    "home_scale": (0.5, 0.25, 1.0),
    # Step 2 CK points that applicants who ever failed score below the others (the part of the
    # published failed-attempt gap that the score term already carries).
    "score_gap_failed": (12.0, 5.0, 20.0),
    # Weight kept on a program's deviation from the median effect (the rest is estimation noise).
    "deviation_weight": (0.5, 0.25, 0.75),
    # Weight of a program's invited-score evidence on its own score slope.
    "beta_shrink": (0.5, 0.0, 1.0),
    # log-odds of P(match | interview) per log(positions / interviews), and the 2026-unfilled boost.
    "conv_slope": (0.75, 0.5, 1.0),
    "conv_unfilled": (0.3, 0.0, 0.6),
    # Calibration: the FM score slope (floored prior: 0 = programs ignore the score, 0.3 = the
    # tilting estimate from FM programs' invited Step 2 CK), the 2026 applications anchor's scale,
    # and applications per applicant outside IM/FM (no anchor there).
    "fm_beta": (0.15, 0.0, 0.3),
    "anchor_scale": (1.0, 0.81, 1.23),
    "other_n_apps": (90.0, 55.0, 130.0),
    # Individual: share of non-US IMG applicants needing a visa (reasoned), and the share of the
    # calibrated latent variance the assumed applicant effects may take (variance budget).
    "visa_share": (0.65, 0.5, 0.8),
    "budget_share": (0.5, 0.3, 0.8),
}
BETA_POOL_SD = {"Internal Medicine": 15.6, "Family Medicine": 13.1}  # CO-fitted pool SD


@dataclass(frozen=True)
class Assumptions:
    """Values of the program-layer assumptions (defaults: the points of `RANGES`)."""

    im_signal_gold: float = RANGES["im_signal_gold"][0]
    im_signal_silver: float = RANGES["im_signal_silver"][0]
    fm_signal_sent: float = RANGES["fm_signal_sent"][0]
    geo_scale: float = RANGES["geo_scale"][0]
    home_scale: float = RANGES["home_scale"][0]
    score_gap_failed: float = RANGES["score_gap_failed"][0]
    deviation_weight: float = RANGES["deviation_weight"][0]
    beta_shrink: float = RANGES["beta_shrink"][0]
    conv_slope: float = RANGES["conv_slope"][0]
    conv_unfilled: float = RANGES["conv_unfilled"][0]
    fm_beta: float = RANGES["fm_beta"][0]
    anchor_scale: float = RANGES["anchor_scale"][0]
    other_n_apps: float = RANGES["other_n_apps"][0]
    visa_share: float = RANGES["visa_share"][0]
    budget_share: float = RANGES["budget_share"][0]

    def signal(self, specialty: str, level: str) -> float:
        """Median log-odds effect of a signal level."""
        if specialty == "Internal Medicine":
            return self.im_signal_gold if level == "gold" else self.im_signal_silver
        return self.fm_signal_sent


DEFAULT = Assumptions()


@dataclass(frozen=True)
class Layer:
    """Per-program arrays aligned with `joined(specialty).programs`."""

    specialty: str
    ids: tuple[str, ...]
    has: FloatArray
    rate: FloatArray
    rate_low: FloatArray
    rate_high: FloatArray
    logit_mean: FloatArray
    logit_sd: FloatArray
    closed: FloatArray
    weight: FloatArray
    signal_levels: tuple[str, ...]  # reference ("none") first
    signal_gamma: FloatArray  # programs x levels
    signal_mix: FloatArray  # programs x levels: non-US IMG applications at each level
    fail1: FloatArray  # log-odds of an ever-failed Step 1, score held fixed
    fail2: FloatArray
    geo_aligned: FloatArray  # vs no stated preference
    geo_not_aligned: FloatArray
    home_in_state: FloatArray
    beta_offset: FloatArray
    conv_offset: FloatArray
    published_rate: FloatArray  # NaN without data
    published_n: FloatArray


def _map(evs: tuple[re2026.Evidence, ...], d: Decomposition, col: int) -> dict[str, float]:
    return {e.acgme_code: float(d.gamma[i, col]) for i, e in enumerate(evs)}


@cache
def decompositions(specialty: str) -> dict[str, Decomposition]:
    """Every factor's decomposition (cached on disk: about a minute per specialty)."""
    path = CACHE / f"decomp_{specialty.replace(' ', '_')}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())  # noqa: S301 - our own cache
    out = {
        f: decompose(specialty, f)
        for f in ("signal", "step1_failed", "step2ck_failed", "geographic", "home_state")
    }
    path.write_bytes(pickle.dumps(out))
    return out


def _program_effect(
    codes: list[str],
    evs: tuple[re2026.Evidence, ...],
    d: Decomposition,
    col: int,
    level: float,
    sign: int,
    weight: float = RANGES["deviation_weight"][0],
) -> FloatArray:
    """Level + the program's shrunk deviation from the median (0 deviation without data), kept
    on the side of zero given by `sign` (+1: never below 0; -1: never above 0)."""
    by = _map(evs, d, col)
    center = float(d.prior_center[col])
    out = np.array([level + weight * (by[c] - center if c in by else 0.0) for c in codes])
    return np.maximum(out, 0.0) if sign > 0 else np.minimum(out, 0.0)


@cache
def rate_model(specialty: str) -> tuple[FloatArray, ...]:
    """(rate, low, high, logit mean, logit SD, P(closed)) per program: the posterior given the
    program's own 2026 count, or the feature prediction (wider) without one."""
    j = joined(specialty)
    X = j.columns()
    f = pm.fit(X[j.has], j.counts, ridge=RIDGE, inflated=True)
    post = pm.posterior(f, X[j.has], j.counts)
    pred = f.predictive_rate(X)
    out = [pred.mean, pred.low, pred.high, pred.logit_mean, pred.logit_sd, pred.closed]
    idx = np.flatnonzero(j.has)
    for arr, val in zip(
        out,
        (post.mean, post.low, post.high, post.logit_mean, post.logit_sd, post.closed),
        strict=True,
    ):
        arr[idx] = val
    return tuple(out)


@cache
def hidden_rate_model(specialty: str, k: int = 10, seed: int = 0) -> tuple[FloatArray, ...]:
    """`rate_model` with every program's own 2026 data hidden (10-fold cross-validation): what a
    program without 2026 data gets, for programs where the truth is known."""
    j = joined(specialty)
    X = j.columns()
    out = [a.copy() for a in rate_model(specialty)]
    idx = np.flatnonzero(j.has)
    c = j.counts
    for test in pm.folds(idx.size, k, seed):
        train = np.setdiff1d(np.arange(idx.size), test)
        sub = pm.Counts(c.lo[train], c.hi[train], c.n[train], c.rate[train])
        f = pm.fit(X[idx[train]], sub, ridge=RIDGE, inflated=True)
        pred = f.predictive_rate(X[idx[test]])
        for arr, val in zip(
            out,
            (pred.mean, pred.low, pred.high, pred.logit_mean, pred.logit_sd, pred.closed),
            strict=True,
        ):
            arr[idx[test]] = val
    return tuple(out)


@cache
def layer(
    specialty: str, a: Assumptions = DEFAULT, beta_s: float = 0.35, hidden: bool = False
) -> Layer:
    """The program layer of IM or FM under the assumptions `a` (`beta_s`: the specialty's score
    slope, for the score part of the failed-attempt gap)."""
    j = joined(specialty)
    X = j.columns()
    rate, low, high, lm, ls, closed = (hidden_rate_model if hidden else rate_model)(specialty)
    codes = [p.acgme_code for p in j.programs]
    evs = re2026.evidence(specialty)
    ev = re2026.by_code(specialty)
    # Application weights: the 2026 non-US IMG counts; without data, a ridge regression of
    # log(count) on the features predicts them.
    n = np.array(
        [
            float(ev[cd].nonus.applicants or 0) if h else np.nan
            for cd, h in zip(codes, j.has, strict=True)
        ]
    )
    Z = np.column_stack((np.ones(len(X)), j.design.X))
    A = Z[j.has]
    coef = np.linalg.solve(A.T @ A + np.eye(A.shape[1]), A.T @ np.log1p(n[j.has]))
    weight = np.where(j.has, n, np.maximum(np.expm1(Z @ coef), 1.0))
    weight = weight / weight.sum()
    if hidden:  # a program without 2026 data: no per-program signal, screen or score evidence
        evs, ev = (), {}
    dec = decompositions(specialty)
    sig_levels = levels_of("signal", specialty)
    mix_mean = dec["signal"].nonus_mix.mean(axis=0)
    mix_by = {e.acgme_code: dec["signal"].nonus_mix[i] for i, e in enumerate(evs)}
    signal_mix = np.array([mix_by.get(cd, mix_mean) for cd in codes])
    empty = signal_mix.sum(axis=1) <= 1e-9
    signal_mix[empty] = mix_mean
    signal_mix = signal_mix / signal_mix.sum(axis=1, keepdims=True)
    gamma = np.zeros((len(codes), len(sig_levels)))
    for k, lv in enumerate(sig_levels[1:], start=1):
        gamma[:, k] = _program_effect(
            codes, evs, dec["signal"], k, a.signal(specialty, lv), 1, a.deviation_weight
        )
    score_part = beta_s * a.score_gap_failed / 10.0
    fail = []
    for key in ("step1_failed", "step2ck_failed"):
        d = dec[key]
        fail.append(
            _program_effect(
                codes,
                evs,
                d,
                1,
                min(float(d.prior_center[1]) + score_part, 0.0),
                -1,
                a.deviation_weight,
            )
        )
    geo = dec["geographic"]
    s_geo = a.geo_scale
    geo_al = _program_effect(
        codes, evs, geo, 1, s_geo * float(geo.prior_center[1]), 1, a.deviation_weight
    )
    geo_not = _program_effect(
        codes, evs, geo, 2, s_geo * float(geo.prior_center[2]), -1, a.deviation_weight
    )
    home = dec["home_state"]
    home_in = _program_effect(
        codes, evs, home, 1, a.home_scale * float(home.prior_center[1]), 1, a.deviation_weight
    )
    return Layer(
        specialty,
        tuple(p.id for p in j.programs),
        j.has.astype(np.float64),
        rate,
        low,
        high,
        lm,
        ls,
        closed,
        weight,
        sig_levels,
        gamma,
        signal_mix,
        fail[0],
        fail[1],
        geo_al,
        geo_not,
        home_in,
        _beta_offsets(specialty, codes, ev, a.beta_shrink),
        _conversion_offsets(codes, ev, rate * weight, a),
        np.array(
            [
                float(re2026.by_code(specialty)[cd].nonus.rate) if h else np.nan
                for cd, h in zip(codes, j.has, strict=True)
            ]
        ),
        np.where(j.has, n, np.nan),
    )


def _beta_offsets(
    specialty: str, codes: list[str], ev: dict[str, re2026.Evidence], shrink: float
) -> FloatArray:
    """Program slope minus the specialty's, from the invited non-US IMGs' Step 2 CK median."""
    sd = BETA_POOL_SD[specialty]
    med = np.full(len(codes), np.nan)
    rel = np.zeros(len(codes))
    for i, cd in enumerate(codes):
        e = ev.get(cd)
        if e is None:
            continue
        r = e.step2ck_invited["non_us_img"]
        if r.shown and r.median is not None:
            med[i] = r.median
            rel[i] = 1.0 if r.reliable else 0.5
    ok = ~np.isnan(med)
    if not ok.any():
        return np.zeros(len(codes))
    center = float(np.average(med[ok], weights=rel[ok]))
    raw = np.where(ok, 10.0 * (np.nan_to_num(med) - center) / sd**2, 0.0)
    return shrink * rel * raw


def _conversion_offsets(
    codes: list[str], ev: dict[str, re2026.Evidence], invites_weight: FloatArray, a: Assumptions
) -> FloatArray:
    """log-odds offset of P(match | interview): positions per interview, and 2026 unfilled."""
    lpi = np.full(len(codes), np.nan)
    unfilled = np.zeros(len(codes))
    for i, cd in enumerate(codes):
        e = ev.get(cd)
        if e is None or not e.positions_offered:
            continue
        invited = sum(
            (e.by_type[t].rate or 0.0) * (e.by_type[t].applicants or 0) for t in re2026.TYPES
        )
        if invited > 0:
            lpi[i] = math.log(e.positions_offered / invited)
        if e.positions_filled is not None and e.positions_filled < e.positions_offered:
            unfilled[i] = 1.0
    ok = ~np.isnan(lpi)
    if not ok.any():
        return np.zeros(len(codes))
    center = float(np.average(lpi[ok], weights=invites_weight[ok] + 1e-12))
    dev = np.where(ok, np.nan_to_num(lpi) - center, 0.0)
    out = a.conv_slope * dev + a.conv_unfilled * unfilled
    # Centre on the interview-weighted mean so the specialty's c stays the average conversion.
    return out - float(np.average(out, weights=invites_weight + 1e-12))
