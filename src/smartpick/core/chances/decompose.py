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
under the additive assumption) and each type's mix over the levels (the published non-US IMG
rate averages over the non-US IMG mix). It runs at fit time only (about a minute per specialty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from smartpick.core.programs import APPLICANT_TYPES, InterviewEvidence, RateCount

FloatArray = NDArray[np.float64]
TYPES = APPLICANT_TYPES
NONUS = TYPES.index("non_us_img")
_NONE = RateCount(None, None)
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


def _get(table: Mapping[str, RateCount], key: str) -> RateCount:
    return table.get(key, _NONE)


def _type_counts(evs: Sequence[InterviewEvidence]) -> tuple[FloatArray, FloatArray]:
    cells = [[_get(e.by_type, t) for t in TYPES] for e in evs]
    n = np.array([[c.applicants or 0 for c in row] for row in cells], dtype=np.float64)
    r = np.array([[np.nan if c.rate is None else c.rate for c in row] for row in cells])
    return n, r


def _level_counts(
    evs: Sequence[InterviewEvidence], factor: str, levels: tuple[str, ...]
) -> tuple[FloatArray, FloatArray]:
    def get(e: InterviewEvidence, lv: str) -> RateCount:
        table: Mapping[str, RateCount] = getattr(e, factor)
        return _get(table, lv)

    n = np.array([[get(e, lv).applicants or 0 for lv in levels] for e in evs], dtype=np.float64)
    r = np.array(
        [[np.nan if get(e, lv).rate is None else get(e, lv).rate for lv in levels] for e in evs]
    )
    return n, r


def type_shares(n_type: FloatArray, n_level: FloatArray) -> FloatArray:
    """Share of each type's applications at each level (types x levels, + "unstated" column),
    by non-negative least squares across programs."""
    from scipy.optimize import (
        nnls,  # scipy.stats/optimize load in ~1 s: only when fitting, not when serving
    )

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


def joint_tables(n_t: FloatArray, n_l: FloatArray, seed: FloatArray, iters: int = 30) -> FloatArray:
    """Joint counts (programs x types x levels + unstated) matching each program's type and
    observed-level margins (iterative proportional fitting from the shares `seed`)."""
    table = n_t[:, :, None] * seed[None] + 1e-9
    open_unstated = n_l.sum(axis=1) < n_t.sum(axis=1) - 0.5
    for _ in range(iters):
        cols = table[:, :, :-1].sum(axis=1)
        table[:, :, :-1] *= np.where(cols > 0, n_l / np.maximum(cols, 1e-12), 0.0)[:, None, :]
        table[:, :, -1] *= open_unstated[:, None]
        rows = table.sum(axis=2)
        table *= np.where(rows > 0, n_t / np.maximum(rows, 1e-12), 0.0)[:, :, None]
    return table


@dataclass(frozen=True)
class Decomposition:
    """One factor's per-program results (rows: programs of the specialty, in file order)."""

    factor: str
    levels: tuple[str, ...]  # reference first
    gamma: FloatArray  # programs x levels (gamma[:, 0] = 0), shrunk
    gamma_raw: FloatArray  # the same without shrinkage (diagnostics)
    mix: FloatArray  # programs x types x levels: share of each type's applicants at each level
    prior_center: FloatArray  # across-program median per level
    prior_sd: FloatArray
    shares: FloatArray  # types x (levels + unstated)


def _residuals(
    x: FloatArray,
    tables: FloatArray,
    obs_t: FloatArray,
    obs_l: FloatArray,
    ok_t: FloatArray,
    ok_l: FloatArray,
    unstated: FloatArray,
    center: FloatArray,
    sd: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Residuals (N, R) and their Jacobian (N, R, 4 + L) of every program at once.

    x = (alpha_t for the 4 types, gamma_l for the levels after the reference, gamma_unstated);
    rows: the 4 type margins, the L level margins (masked where not published), the prior on the
    gammas (second pass) and a weak prior on the unstated level (where it has applicants)."""
    n, _, c = tables.shape
    levels = c - 1
    alpha = x[:, :4]
    gamma = np.concatenate((np.zeros((n, 1)), x[:, 4:]), axis=1)  # (N, C)
    p = expit(alpha[:, :, None] + gamma[:, None, :])
    tp = tables * p
    ts = tp * (1.0 - p)
    st = np.sqrt(obs_t + 1.0)
    sl = np.sqrt(obs_l + 1.0)
    r_type = (tp.sum(axis=2) - obs_t) / st * ok_t
    r_level = (tp[:, :, :levels].sum(axis=1) - obs_l) / sl * ok_l
    j_type = np.zeros((n, 4, 4 + levels))
    j_type[:, np.arange(4), np.arange(4)] = ts.sum(axis=2)
    j_type[:, :, 4:] = ts[:, :, 1:]
    j_type *= (ok_t / st)[:, :, None]
    j_level = np.zeros((n, levels, 4 + levels))
    j_level[:, :, :4] = np.swapaxes(ts[:, :, :levels], 1, 2)
    idx = np.arange(1, levels)
    j_level[:, idx, 3 + idx] += ts[:, :, idx].sum(axis=1)
    j_level *= (ok_l / sl)[:, :, None]
    rows = [r_type, r_level]
    jacs = [j_type, j_level]
    if sd is not None and levels > 1:
        rows.append((gamma[:, 1:levels] - center[1:]) / sd[1:])
        j_prior = np.zeros((n, levels - 1, 4 + levels))
        j_prior[:, idx - 1, 3 + idx] = 1.0 / sd[1:]
        jacs.append(j_prior)
    rows.append((gamma[:, -1:] / 2.0) * unstated[:, None])
    j_un = np.zeros((n, 1, 4 + levels))
    j_un[:, 0, -1] = 0.5 * unstated
    jacs.append(j_un)
    return np.concatenate(rows, axis=1), np.concatenate(jacs, axis=1)


def _solve_all(
    tables: FloatArray,
    r_t: FloatArray,
    r_l: FloatArray,
    center: FloatArray,
    sd: FloatArray | None,
    iters: int = 200,
) -> FloatArray:
    """(alpha_t, gamma_l) of every program by bounded least squares on the published margins
    (Levenberg-Marquardt steps, all programs at once); returns gamma (N, levels + 1)."""
    n, _, c = tables.shape
    levels = c - 1
    n_t = tables.sum(axis=2)
    n_l = tables[:, :, :levels].sum(axis=1)
    ok_t = ((n_t > 0) & ~np.isnan(r_t)).astype(np.float64)
    ok_l = ((n_l > 0) & ~np.isnan(r_l)).astype(np.float64)
    obs_t = np.nan_to_num(r_t) * n_t
    obs_l = np.nan_to_num(r_l) * n_l
    unstated = (tables[:, :, -1].sum(axis=1) > 0.5).astype(np.float64)
    mean_t = np.array([np.nanmean(row) if (~np.isnan(row)).any() else 0.05 for row in r_t])
    base = np.clip(np.where(np.isnan(r_t), mean_t[:, None], r_t), 0.005, 0.9)
    x = np.concatenate(
        (np.log(base / (1 - base)), np.tile(center[1:], (n, 1)), np.zeros((n, 1))), axis=1
    )
    lb = np.concatenate((np.full(4, -12.0), np.full(levels, -GAMMA_BOUND)))
    ub = np.concatenate((np.full(4, 6.0), np.full(levels, GAMMA_BOUND)))
    x = np.clip(x, lb, ub)
    free = np.ones_like(x)
    free[:, -1] = unstated  # no applicants at the unstated level: its effect stays 0
    args = (tables, obs_t, obs_l, ok_t, ok_l, unstated, center, sd)
    lam = np.full(n, 1e-3)
    r, jac = _residuals(x, *args)
    cost = (r**2).sum(axis=1)
    eye = np.eye(x.shape[1])
    for _ in range(iters):
        g = np.einsum("nrp,nr->np", jac, r)
        h = np.einsum("nrp,nrq->npq", jac, jac)
        diag = np.diagonal(h, axis1=1, axis2=2)
        a = (
            h
            + (lam[:, None] * (diag + 1e-9))[:, :, None] * eye
            + ((1.0 - free) + 1e-12)[:, :, None] * eye
        )
        step = np.linalg.solve(a, -(g * free)[:, :, None])[:, :, 0] * free
        trial = np.clip(x + step, lb, ub)
        r_new, jac_new = _residuals(trial, *args)
        cost_new = (r_new**2).sum(axis=1)
        better = cost_new < cost
        x = np.where(better[:, None], trial, x)
        r = np.where(better[:, None], r_new, r)
        jac = np.where(better[:, None, None], jac_new, jac)
        gain = cost - np.where(better, cost_new, cost)
        cost = np.where(better, cost_new, cost)
        lam = np.where(better, lam / 3.0, lam * 4.0)
        done = (gain <= 1e-10 * (1.0 + cost)) & ((np.abs(step).max(axis=1) < 1e-7) | (lam > 1e8))
        if np.all(done | (lam > 1e8)):
            break
    return np.concatenate((np.zeros((n, 1)), x[:, 4:]), axis=1)


def decompose(evs: Sequence[InterviewEvidence], factor: str, specialty: str) -> Decomposition:
    """Per-program level effects of `factor`, net of the type mix, with empirical-Bayes shrinkage
    (`evs`: the 2026 evidence of the specialty's programs)."""
    levels = levels_of(factor, specialty)
    n_t, r_t = _type_counts(evs)
    n_l, r_l = _level_counts(evs, factor, levels)
    shares = type_shares(n_t, n_l)
    tables = joint_tables(n_t, n_l, shares)
    raw = _solve_all(tables, r_t, r_l, np.zeros(len(levels)), None)[:, :-1]
    # Empirical Bayes: centre and spread from programs with at least 30 applicants at each level.
    big = (n_l >= 30).all(axis=1)
    center = np.median(raw[big], axis=0)
    q75, q25 = np.percentile(raw[big], [75, 25], axis=0)
    sd = np.maximum((q75 - q25) / 1.349, 0.1)
    shrunk = _solve_all(tables, r_t, r_l, center, sd)[:, :-1]
    mix = tables / np.maximum(tables.sum(axis=2, keepdims=True), 1e-9)
    return Decomposition(factor, levels, shrunk, raw, mix[:, :, :-1], center, sd, shares)
