"""Per-program effects of signals, failed attempts, geographic preference and home state, net of
the applicant-type mix (the published factor rates mix US MD, DO, US IMG and non-US IMG).

For a factor with levels l (e.g. gold / silver / none) at program i, the model is additive on the
log-odds scale:

    logit P(invited | type t, level l) = alpha_{t,i} + gamma_{l,i},     gamma_{ref,i} = 0.

The site publishes only the two margins: the rate per type (all levels) and per level (all types).
The joint counts n_{t,l,i} are filled by iterative proportional fitting from a seed: each type's
share of applications at each level, estimated across programs by non-negative least squares of
the level counts on the type counts (programs differ in their type mix, which identifies it).
Then (alpha, gamma) solve the margins' invitation counts; gamma is shrunk toward the across-program
median with the across-program spread (a two-pass empirical Bayes), so a program with few
applicants at a level borrows from the others. Levels whose counts do not add up to all
applicants (geographic preference is stated by about 60%) get an extra "unstated" level with a
free effect and no published rate.

What it gives, per program: gamma_{l,i} (the effect of the level for any applicant, IMGs included,
under the additive assumption) and the non-US IMG applicants' mix over the levels (which the
published non-US IMG rate averages over).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares, nnls
from scipy.special import expit

from research import re2026

FloatArray = NDArray[np.float64]
TYPES = re2026.TYPES
NONUS = TYPES.index("non_us_img")
GAMMA_BOUND = 6.0  # |gamma| at most this (a 0% level with many applicants hits it: a screen)
FACTORS = {
    "signal": None,  # levels from the specialty (IM gold/silver/none, FM sent/none)
    "step1_failed": ("never", "ever"),
    "step2ck_failed": ("never", "ever"),
    "geographic": ("no_preference", "aligned", "not_aligned"),
    "home_state": ("out_of_state", "in_state"),
}


def levels_of(factor: str, specialty: str) -> tuple[str, ...]:
    """The levels of a factor, the reference level first."""
    if factor == "signal":
        return ("none", "gold", "silver") if specialty == "Internal Medicine" else ("none", "sent")
    levels = FACTORS[factor]
    assert levels is not None
    return levels


def _type_counts(evs: tuple[re2026.Evidence, ...]) -> tuple[FloatArray, FloatArray]:
    n = np.array([[e.by_type[t].applicants or 0 for t in TYPES] for e in evs], dtype=np.float64)
    r = np.array(
        [[np.nan if e.by_type[t].rate is None else e.by_type[t].rate for t in TYPES] for e in evs]
    )
    return n, r


def _level_counts(
    evs: tuple[re2026.Evidence, ...], factor: str, levels: tuple[str, ...]
) -> tuple[FloatArray, FloatArray]:
    def get(e: re2026.Evidence, lv: str) -> re2026.RateCount:
        d: dict[str, re2026.RateCount] = getattr(e, factor)
        return d[lv]

    n = np.array([[get(e, lv).applicants or 0 for lv in levels] for e in evs], dtype=np.float64)
    r = np.array(
        [[np.nan if get(e, lv).rate is None else get(e, lv).rate for lv in levels] for e in evs]
    )
    return n, r


def type_shares(n_type: FloatArray, n_level: FloatArray) -> FloatArray:
    """Share of each type's applications at each level (types x levels, + "unstated" column),
    by non-negative least squares across programs."""
    total = n_type.sum(axis=1)
    ok = total > 0
    w = 1.0 / np.sqrt(np.maximum(total[ok], 1.0))
    cols = []
    for j in range(n_level.shape[1]):
        f, _ = nnls(n_type[ok] * w[:, None], n_level[ok, j] * w)
        cols.append(f)
    shares = np.clip(np.column_stack(cols), 0.0, 1.0)
    stated = shares.sum(axis=1, keepdims=True)
    shares = np.where(stated > 1.0, shares / stated, shares)
    return np.column_stack((shares, 1.0 - shares.sum(axis=1)))


def joint_table(n_t: FloatArray, n_l: FloatArray, seed: FloatArray, iters: int = 30) -> FloatArray:
    """Joint counts (types x levels + unstated) matching the type and observed-level margins."""
    table = n_t[:, None] * seed + 1e-9
    open_unstated = n_l.sum() < n_t.sum() - 0.5
    for _ in range(iters):
        cols = table[:, :-1].sum(axis=0)
        table[:, :-1] *= np.where(cols > 0, n_l / np.maximum(cols, 1e-12), 0.0)
        if not open_unstated:
            table[:, -1] = 0.0
        rows = table.sum(axis=1)
        table *= np.where(rows > 0, n_t / np.maximum(rows, 1e-12), 0.0)[:, None]
    return table


@dataclass(frozen=True)
class Decomposition:
    """One factor's per-program results (rows: programs of the specialty, in file order)."""

    factor: str
    levels: tuple[str, ...]  # reference first
    gamma: FloatArray  # programs x levels (gamma[:, 0] = 0), shrunk
    gamma_raw: FloatArray  # the same without shrinkage (diagnostics)
    nonus_mix: FloatArray  # programs x levels: share of non-US IMG applicants at each level
    nonus_unstated: FloatArray  # share of non-US IMG applicants with no stated level
    prior_center: FloatArray  # across-program median per level
    prior_sd: FloatArray
    shares: FloatArray  # types x (levels + unstated)


def _solve(
    table: FloatArray,
    r_t: FloatArray,
    r_l: FloatArray,
    center: FloatArray,
    sd: FloatArray | None,
) -> FloatArray:
    """(alpha_t, gamma_l for l >= 1, gamma_unstated) for one program; returns gamma (levels + 1)."""
    n_t = table.sum(axis=1)
    n_l = table[:, :-1].sum(axis=0)
    n_levels = table.shape[1]
    has_unstated = table[:, -1].sum() > 0.5
    ok_t = (n_t > 0) & ~np.isnan(r_t)
    ok_l = (n_l > 0) & ~np.isnan(r_l)

    def unpack(x: FloatArray) -> tuple[FloatArray, FloatArray]:
        alpha = x[:4]
        gamma = np.concatenate(([0.0], x[4 : 4 + n_levels - 2], [x[-1] if has_unstated else 0.0]))
        return alpha, gamma

    def resid(x: FloatArray) -> FloatArray:
        alpha, gamma = unpack(x)
        p = expit(alpha[:, None] + gamma[None, :])
        inv_t = (table * p).sum(axis=1)
        inv_l = (table * p)[:, :-1].sum(axis=0)
        out = []
        obs_t, obs_l = r_t * n_t, r_l * n_l
        out.append(((inv_t - obs_t) / np.sqrt(obs_t + 1.0))[ok_t])
        out.append(((inv_l - obs_l) / np.sqrt(obs_l + 1.0))[ok_l])
        if sd is not None:
            out.append((gamma[1:-1] - center[1:]) / sd[1:])
        out.append(np.array([(gamma[-1] - 0.0) / 2.0]) if has_unstated else np.zeros(0))
        return np.concatenate(out)

    base = np.where(np.isnan(r_t), np.nanmean(r_t) if ok_t.any() else 0.05, r_t)
    x0 = np.concatenate(
        (np.log(np.clip(base, 0.005, 0.9) / (1 - np.clip(base, 0.005, 0.9))), center[1:], [0.0])
    )
    if not has_unstated:
        x0 = x0[:-1]
    lb = np.concatenate((np.full(4, -12.0), np.full(x0.size - 4, -GAMMA_BOUND)))
    ub = np.concatenate((np.full(4, 6.0), np.full(x0.size - 4, GAMMA_BOUND)))
    x = least_squares(resid, np.clip(x0, lb + 1e-6, ub - 1e-6), bounds=(lb, ub)).x
    return unpack(np.concatenate((x, [0.0])) if not has_unstated else x)[1]


def decompose(specialty: str, factor: str) -> Decomposition:
    """Per-program level effects of `factor`, net of the type mix, with empirical-Bayes shrinkage."""
    evs = re2026.evidence(specialty)
    levels = levels_of(factor, specialty)
    n_t, r_t = _type_counts(evs)
    n_l, r_l = _level_counts(evs, factor, levels)
    shares = type_shares(n_t, n_l)
    tables = [joint_table(n_t[i], n_l[i], shares) for i in range(len(evs))]
    zero_center = np.zeros(len(levels))
    raw = np.array(
        [_solve(tables[i], r_t[i], r_l[i], zero_center, None)[:-1] for i in range(len(evs))]
    )
    # Empirical Bayes: centre and spread from programs with at least 30 applicants at each level.
    big = (n_l >= 30).all(axis=1)
    center = np.median(raw[big], axis=0)
    q75, q25 = np.percentile(raw[big], [75, 25], axis=0)
    sd = np.maximum((q75 - q25) / 1.349, 0.1)
    shrunk = np.array([_solve(tables[i], r_t[i], r_l[i], center, sd)[:-1] for i in range(len(evs))])
    mix = np.array([t[NONUS] / max(t[NONUS].sum(), 1e-9) for t in tables])
    return Decomposition(factor, levels, shrunk, raw, mix[:, :-1], mix[:, -1], center, sd, shares)
