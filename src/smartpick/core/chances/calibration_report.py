"""Predicted vs published Charting Outcomes figures, per specialty, and the errors that sum them up.

The JSON shape (one object per specialty of the Charting Outcomes summary):
`{"specialty", "has_measures", "predicted": {...}, "published": {...}, "leave_one_out": {...}|null}`
where predicted/published/leave_one_out hold `match_rate`, `step2ck` and `contiguous_ranks`
(`{"matched": {"q1", "median", "q3"}, "not_matched": {...}}`, null where not published), and
`predicted` also `p_match_by_step2ck` ([[score, P(match)], ...] for 200..280) with
`p_match_by_step2ck_interval` ([[score, low, high], ...] from the bootstrap draws).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from smartpick.core.chances.context import SpecialtyContext, resident_weight
from smartpick.core.chances.effects import REFERENCE
from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.matrix import interval, p_match
from smartpick.core.chances.outcomes import Distribution
from smartpick.core.chances.population import SpecialtyParams, p_match_by_score, population_stats
from smartpick.core.profile import profile_from_dict
from smartpick.core.programs import Program

CURVE_SCORES = np.arange(200, 281, dtype=np.float64)


def _quartiles(values: np.ndarray) -> dict[str, float]:
    return {
        "q1": round(float(values[0]), 1),
        "median": round(float(values[1]), 1),
        "q3": round(float(values[2]), 1),
    }


def _predicted(params: SpecialtyParams) -> dict[str, Any]:
    stats = population_stats(params)
    return {
        "match_rate": round(stats.match_rate, 4),
        "step2ck": {
            "matched": _quartiles(stats.score_quantiles(True)),
            "not_matched": _quartiles(stats.score_quantiles(False)),
        },
        "contiguous_ranks": {
            "matched": _quartiles(stats.ranks_quantiles(True)),
            "not_matched": _quartiles(stats.ranks_quantiles(False)),
        },
    }


def _published_dist(d: Distribution | None) -> dict[str, float] | None:
    if d is None or not d.published:
        return None
    assert d.q1 is not None and d.median is not None and d.q3 is not None
    return {"q1": d.q1, "median": d.median, "q3": d.q3}


def calibration_report(model: ChanceModel) -> list[dict[str, Any]]:
    """One object per Charting Outcomes specialty: predicted, published and leave-one-out."""
    out = []
    cal = model.calibration_
    for name, o in model.outcomes_.items():
        params = cal.params[name]
        predicted = _predicted(params)
        curve = p_match_by_score(params, CURVE_SCORES)
        draws = cal.draws.get(name) or []
        all_curves = np.vstack([curve] + [p_match_by_score(d, CURVE_SCORES) for d in draws])
        predicted["p_match_by_step2ck"] = [
            [int(s), round(float(p), 4)] for s, p in zip(CURVE_SCORES, curve, strict=True)
        ]
        predicted["p_match_by_step2ck_interval"] = [
            [int(s), *(round(v, 4) for v in interval(all_curves[:, i], model.level)[1:])]
            for i, s in enumerate(CURVE_SCORES)
        ]
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
        }
        loo = cal.loo.get(name)
        out.append(
            {
                "specialty": name,
                "has_measures": cal.has_measures[name],
                "applicants": o.applicants,
                "predicted": predicted,
                "published": published,
                "leave_one_out": _predicted(loo) if loo is not None else None,
            }
        )
    return out


def _abs_errors(report: list[dict[str, Any]], which: str) -> dict[str, list[float]]:
    errors: dict[str, list[float]] = {"median": [], "rate": []}
    for row in report:
        pred = row[which]
        if pred is None:
            continue
        pub = row["published"]
        errors["rate"].append(abs(pred["match_rate"] - pub["match_rate"]) * 100.0)
        for cohort in ("matched", "not_matched"):
            published = pub["step2ck"][cohort]
            if published is not None:
                errors["median"].append(
                    abs(pred["step2ck"][cohort]["median"] - published["median"])
                )
    return errors


def summary_errors(report: list[dict[str, Any]]) -> dict[str, float]:
    """Mean absolute errors: Step 2 CK medians (points), match rates (pp), in-sample and LOO.

    Step 2 CK medians count matched and not-matched cohorts wherever published; leave-one-out
    covers the specialties with measures (each predicted with its measures hidden).
    """
    fit = _abs_errors(report, "predicted")
    loo = _abs_errors(report, "leave_one_out")
    return {
        "step2ck_median_mae_points": round(float(np.mean(fit["median"])), 2),
        "match_rate_mae_pp": round(float(np.mean(fit["rate"])), 2),
        "loo_step2ck_median_mae_points": round(float(np.mean(loo["median"])), 2),
        "loo_match_rate_mae_pp": round(float(np.mean(loo["rate"])), 2),
    }


def catalog_consistency(
    model: ChanceModel,
    specialty: str,
    programs: Sequence[Program],
    context: SpecialtyContext,
    scores: Sequence[int] = (230, 244, 255),
    n_sets: int = 30,
    random_state: int = 0,
) -> list[dict[str, float]]:
    """Does the program-level model add up to the calibrated population curve?

    For a reference applicant (no visa need) at each Step 2 CK score: P(match) over lists of
    `n_apps` programs drawn the way the calibration assumes IMGs apply (weighted by non-US IMG
    residents), averaged over `n_sets` lists, next to the population curve `p_match_by_step2ck`.
    """
    rng = np.random.default_rng(random_state)
    params = model.calibration_.params[model.charting_name(specialty)]
    out = []
    for score in scores:
        profile = profile_from_dict(
            {
                "graduation_year": 2024,
                "match_year": 2027,
                "specialties": [specialty],
                "step2ck": score,
                "usce": [{"months": REFERENCE.usce_hands_on_months, "kind": "hands_on"}],
                "us_letters": REFERENCE.us_letters,
                "us_letters_by_specialty": {specialty: REFERENCE.us_letters_in_specialty},
                "abstracts": REFERENCE.research_items,
            }
        )
        pred = model.predict(profile, programs, {specialty: context})
        weights = np.array([resident_weight(p, context) for p in pred.programs])
        weights /= weights.sum()
        size = min(params.n_apps, len(weights))
        lists = [rng.choice(len(weights), size, replace=False, p=weights) for _ in range(n_sets)]
        catalog_p = float(np.mean([p_match(pred.chances, list(idx))[0] for idx in lists]))
        curve_p = float(p_match_by_score(params, np.array([float(score)]))[0])
        out.append({"step2ck": score, "catalog": round(catalog_p, 4), "curve": round(curve_p, 4)})
    return out
