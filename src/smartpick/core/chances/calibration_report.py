"""Predicted vs published figures: Charting Outcomes per specialty, and 2026 rates per program.

`calibration_report`: one object per specialty of the Charting Outcomes summary,
`{"specialty", "has_measures", "applicants", "predicted": {...}, "published": {...},
"leave_one_out": {...}|null}` where predicted / published / leave_one_out hold `match_rate`,
`step2ck` and `contiguous_ranks` (`{"matched": {"q1", "median", "q3"}, "not_matched": {...}}`,
the published ones with their `n`; null where not published; the error summaries count cohorts
of 10 or more, as the fit does). `predicted` also holds `p_match_by_step2ck` (P(match) of an
applicant applying as the cohort does, [[score, P], ...] for 200..280: what a user's own figure means) and
`p_match_by_step2ck_ranked` (the same among applicants who ranked at least one program: what
Charting Outcomes describes, and what every comparison with it uses), each with its `_interval`
([[score, low, high], ...] over the bootstrap draws). `published` holds
`p_match_by_step2ck_ranked_implied`: the curve implied by the published matched and not-matched
Step 2 CK distributions (normal, at their means and SDs) at 225..260, where both are published.

`program_rates`: one object per Internal Medicine and Family Medicine categorical program of the
catalog (issue 14's contract), with the model's 2026 non-US IMG interview rate for the program's
applicant pool and the published figure (null without one).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

from smartpick.core.chances.calibration_markets import layered_market, typical_market
from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.evidence import type_rate
from smartpick.core.chances.features import LAYERED
from smartpick.core.chances.matrix import FloatArray, intervals
from smartpick.core.chances.outcomes import Distribution, SpecialtyOutcomes
from smartpick.core.chances.population import (
    Params,
    PopulationStats,
    match_curves,
    p_match_by_score,
    stats,
)
from smartpick.core.chances.program_layer import layer_arrays
from smartpick.core.chances.targets import MIN_N
from smartpick.core.programs import Program

CURVE_SCORES = np.arange(200, 281, dtype=np.float64)
IMPLIED_SCORES = np.arange(225.0, 261.0, 5.0)


def _quartiles(values: np.ndarray) -> dict[str, float]:
    return {
        "q1": round(float(values[0]), 1),
        "median": round(float(values[1]), 1),
        "q3": round(float(values[2]), 1),
    }


def _predicted(st: PopulationStats) -> dict[str, Any]:
    return {
        "match_rate": round(st.match_rate, 4),
        "step2ck": {
            "matched": _quartiles(st.score_quantiles(True)),
            "not_matched": _quartiles(st.score_quantiles(False)),
        },
        "contiguous_ranks": {
            "matched": _quartiles(st.ranks_quantiles(True)),
            "not_matched": _quartiles(st.ranks_quantiles(False)),
        },
    }


def _published_dist(d: Distribution | None) -> dict[str, float] | None:
    if d is None or not d.published:
        return None
    assert d.q1 is not None and d.median is not None and d.q3 is not None
    return {"q1": d.q1, "median": d.median, "q3": d.q3, "n": d.n}


def implied_curve(o: SpecialtyOutcomes, scores: np.ndarray = IMPLIED_SCORES) -> np.ndarray | None:
    """P(match | Step 2 CK, ranked) implied by the published matched / not-matched distributions
    (Bayes with normal densities at their means and SDs), where both are published."""
    m, u = o.step2ck_matched, o.step2ck_not_matched
    if not (m and u and m.mean and m.sd and u.mean and u.sd and m.published and u.published):
        return None
    if min(m.n, u.n) < 10:
        return None
    r = o.match_rate
    fm, fu = _normal_pdf(scores, m.mean, m.sd), _normal_pdf(scores, u.mean, u.sd)
    return np.asarray(r * fm / (r * fm + (1 - r) * fu))


def _normal_pdf(x: FloatArray, mean: float, sd: float) -> FloatArray:
    """scipy.stats.norm.pdf(x, mean, sd), the same arithmetic, without loading scipy.stats (~1 s
    of a server's start)."""
    z = (np.asarray(x, dtype=float) - mean) / sd
    return np.asarray(np.exp(-(z**2) / 2.0) / np.sqrt(2 * np.pi) / sd)


def curve_blocks(model: ChanceModel, name: str) -> dict[str, list[Any]]:
    """The unconditional and the ranked curves with their intervals over the draws."""
    st = model.state_
    params: Sequence[Params] = st.params[name]
    arrays = layer_arrays(st.layers[name]) if name in LAYERED else None
    rows = []
    for d, p in enumerate(params):
        a = st.assumptions[d]
        if name in LAYERED:
            n = st.anchors[name].apps_per_applicant[0]
            market = layered_market(name, st.layers[name], a, n, arrays)
        else:
            market = typical_market(model.outcomes_[name], a)
        rows.append(match_curves(market, p, CURVE_SCORES))
    out: dict[str, list[Any]] = {}
    for k, key in enumerate(("p_match_by_step2ck", "p_match_by_step2ck_ranked")):
        curves = np.vstack([r[k] for r in rows])
        out[key] = [
            [int(s), round(float(v), 4)] for s, v in zip(CURVE_SCORES, curves[0], strict=True)
        ]
        ci = intervals(curves, model.level)
        out[f"{key}_interval"] = [
            [int(s), round(lo, 4), round(hi, 4)]
            for s, (_, lo, hi) in zip(CURVE_SCORES, ci, strict=True)
        ]
    return out


def calibration_report(
    model: ChanceModel,
    specialties: Collection[str] | None = None,
    curves: Mapping[str, dict[str, list[Any]]] | None = None,
) -> list[dict[str, Any]]:
    """One object per Charting Outcomes specialty (or per one of `specialties`): predicted,
    published and leave-one-out. `curves`: `curve_blocks(model, name)` already computed for this
    model, by specialty (they take seconds: one market simulation per bootstrap draw)."""
    out = []
    st = model.state_
    for name, o in model.outcomes_.items():
        if specialties is not None and name not in specialties:
            continue
        p0 = st.params[name][0]
        predicted = _predicted(model.population(name))
        predicted.update(curves[name] if curves and name in curves else curve_blocks(model, name))
        predicted["applications_per_applicant"] = round(
            p0.n_apps if p0.n_apps > 0 else model.market(name).n_apps, 1
        )
        implied = implied_curve(o)
        published = {
            "match_rate": round(o.match_rate, 4),
            "step2ck": {
                "matched": _published_dist(o.step2ck_matched),
                "not_matched": _published_dist(o.step2ck_not_matched),
            },
            "contiguous_ranks": {
                "matched": _published_dist(o.ranks_matched),
                "not_matched": _published_dist(o.ranks_not_matched),
            },
            "p_match_by_step2ck": None,
            "p_match_by_step2ck_ranked_implied": None
            if implied is None
            else [
                [int(s), round(float(v), 4)] for s, v in zip(IMPLIED_SCORES, implied, strict=True)
            ],
        }
        loo = st.loo.get(name)
        loo_block = None
        if loo is not None:
            market = model.market(name)
            loo_block = _predicted(stats(market, loo))
            curve = p_match_by_score(market, loo, IMPLIED_SCORES, ranked=True)
            loo_block["p_match_by_step2ck_ranked"] = [
                [int(s), round(float(v), 4)] for s, v in zip(IMPLIED_SCORES, curve, strict=True)
            ]
        out.append(
            {
                "specialty": name,
                "has_measures": st.has_measures[name],
                "applicants": o.applicants,
                "predicted": predicted,
                "published": published,
                "leave_one_out": loo_block,
            }
        )
    return out


def _errors(report: list[dict[str, Any]], which: str) -> dict[str, float]:
    e: dict[str, list[float]] = {k: [] for k in ("rate", "median", "s2ck_q", "ranks_q", "curve")}
    for row in report:
        pred = row[which]
        if pred is None:
            continue
        pub = row["published"]
        e["rate"].append(abs(pred["match_rate"] - pub["match_rate"]) * 100.0)
        for cohort in ("matched", "not_matched"):
            published = pub["step2ck"][cohort]
            if published is not None and published["n"] >= MIN_N:
                e["median"].append(abs(pred["step2ck"][cohort]["median"] - published["median"]))
                e["s2ck_q"].extend(
                    abs(pred["step2ck"][cohort][q] - published[q]) for q in ("q1", "median", "q3")
                )
            ranks = pub["contiguous_ranks"][cohort]
            if ranks is not None and ranks["n"] >= MIN_N:
                e["ranks_q"].extend(
                    abs(pred["contiguous_ranks"][cohort][q] - ranks[q])
                    for q in ("q1", "median", "q3")
                )
        implied = pub["p_match_by_step2ck_ranked_implied"]
        if implied is not None:
            curve = dict((int(s), v) for s, v in pred["p_match_by_step2ck_ranked"])
            e["curve"].extend(abs(curve[int(s)] - v) * 100.0 for s, v in implied)
    return {k: round(float(np.mean(v)), 2) if v else float("nan") for k, v in e.items()}


def summary_errors(report: list[dict[str, Any]]) -> dict[str, float]:
    """Mean absolute errors, in-sample and leave-one-specialty-out: match rates (pp), Step 2 CK
    medians and quartiles (points, both cohorts), contiguous-ranks quartiles, and the conditional
    curve P(match | Step 2 CK, ranked) against the published distributions' implied curve (pp)."""
    fit, loo = _errors(report, "predicted"), _errors(report, "leave_one_out")
    return {
        "match_rate_mae_pp": fit["rate"],
        "step2ck_median_mae_points": fit["median"],
        "step2ck_quartile_mae_points": fit["s2ck_q"],
        "ranks_quartile_mae": fit["ranks_q"],
        "conditional_curve_mae_pp": fit["curve"],
        "loo_match_rate_mae_pp": loo["rate"],
        "loo_step2ck_median_mae_points": loo["median"],
        "loo_step2ck_quartile_mae_points": loo["s2ck_q"],
        "loo_ranks_quartile_mae": loo["ranks_q"],
        "loo_conditional_curve_mae_pp": loo["curve"],
    }


def program_rates(model: ChanceModel, programs: Sequence[Program]) -> list[dict[str, Any]]:
    """One object per IM / FM categorical program among `programs` (issue 14's contract)."""
    out = []
    for specialty in LAYERED:
        group = [p for p in programs if p.specialty == specialty]
        base = model.context(specialty, group).base
        for i, p in enumerate(base.programs):
            if p.track != "categorical":
                continue
            rc = type_rate(p.interview_evidence)
            ev = p.interview_evidence
            out.append(
                {
                    "program_id": p.id,
                    "acgme_code": p.acgme_code,
                    "specialty": specialty,
                    "predicted": {
                        "nonus_img_interview_rate": round(float(base.rate[i]), 5),
                        "low": round(float(base.rate_low[i]), 5),
                        "high": round(float(base.rate_high[i]), 5),
                    },
                    "published": None
                    if rc is None or ev is None
                    else {
                        "nonus_img_interview_rate": rc.rate,
                        "applicants": rc.applicants,
                        "year": ev.year,
                    },
                }
            )
    return out
