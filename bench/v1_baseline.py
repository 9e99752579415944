"""The "before" figures of chance model v1, measured once before model v2 replaced it.

Usage (at the commit that adds this file, where v1 is still the product's model):
    .venv/bin/python bench/v1_baseline.py      (about 10 minutes)

Writes bench/v1_figures.json, which bench/calibration.py, bench/sensitivity.py,
bench/programs_2026.py and bench/chances_speed.py print next to the v2 figures. v1's code is gone
after this commit; the file keeps its numbers.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit, log_expit
from scipy.stats import norm, spearmanr

from smartpick.core.chances.context import build_context, clip_logit, img_pct, interviewed_pct
from smartpick.core.chances.effects import EFFECTS
from smartpick.core.chances.outcomes import SpecialtyOutcomes, charting_outcomes
from smartpick.core.chances.persist import load_fitted_model
from smartpick.core.chances.population import (
    Z_NODES,
    Z_WEIGHTS,
    SpecialtyParams,
    interview_prob,
    population_stats,
)
from smartpick.core.profile import profile_from_dict
from smartpick.service.assess import assess
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, isolated_catalog, reference_profile

OUT = Path(__file__).resolve().parent / "v1_figures.json"
CURVE = np.arange(225.0, 261.0, 5.0)
IM, FM = "Internal Medicine", "Family Medicine"
REFERENCE_APPLICANT = {
    "name": "reference",
    "step1": "pass",
    "step2ck": 244,
    "match_year": 2027,
    "graduation_year": 2024,
    "us_letters": 3,
    "us_letters_by_specialty": {IM: 2},
    "abstracts": 2,
    "posters": 1,
    "publications": 2,
    "specialties": [IM],
    "usce": [{"months": 3, "kind": "hands_on", "specialty": IM}],
}
RED_FLAGS = {
    "name": "every-red-flag",
    "visa": "j1",
    "step1": "fail_then_pass",
    "step1_attempts": 2,
    "step2ck": 214,
    "step2ck_attempts": 2,
    "match_year": 2027,
    "graduation_year": 2015,
    "specialties": [IM],
}


def co_curve(o: SpecialtyOutcomes) -> np.ndarray | None:
    """P(match | s, ranked) implied by the published matched / not-matched normal distributions."""
    m, u = o.step2ck_matched, o.step2ck_not_matched
    if not (m and u and m.mean and m.sd and u.mean and u.sd and m.published and u.published):
        return None
    if min(m.n, u.n) < 10:
        return None
    r = o.match_rate
    fm, fu = norm.pdf(CURVE, m.mean, m.sd), norm.pdf(CURVE, u.mean, u.sd)
    return np.asarray(r * fm / (r * fm + (1 - r) * fu))


def ranked_curve(p: SpecialtyParams) -> np.ndarray:
    q = interview_prob(p, CURVE[:, None], Z_NODES[None, :])
    match = (1.0 - (1.0 - p.c * q) ** p.n_apps) @ Z_WEIGHTS
    ranked = (1.0 - (1.0 - q) ** p.n_apps) @ Z_WEIGHTS
    return np.asarray(match / np.maximum(ranked, 1e-12))


def calibration_rows() -> dict[str, Any]:
    cal = load_fitted_model().calibration_

    def row(p: SpecialtyParams) -> dict[str, Any]:
        st = population_stats(p)
        return {
            "rate": st.match_rate,
            "s2ck_matched": st.score_quantiles(True).tolist(),
            "s2ck_not_matched": st.score_quantiles(False).tolist(),
            "ranks_matched": st.ranks_quantiles(True).tolist(),
            "ranks_not_matched": st.ranks_quantiles(False).tolist(),
            "curve_ranked": ranked_curve(p).tolist(),
        }

    return {
        "in_sample": {n: row(p) for n, p in cal.params.items()},
        "leave_one_out": {n: row(p) for n, p in cal.loo.items()},
    }


def calibration_errors(rows: dict[str, Any]) -> dict[str, float]:
    outcomes = {o.specialty: o for o in charting_outcomes()}
    e: dict[str, list[float]] = {k: [] for k in ("rate", "s2ck_q", "ranks_q", "curve")}
    for name, r in rows.items():
        o = outcomes[name]
        e["rate"].append(abs(r["rate"] - o.match_rate) * 100)
        for key, d in (
            ("s2ck_matched", o.step2ck_matched),
            ("s2ck_not_matched", o.step2ck_not_matched),
        ):
            if d is not None and d.published and d.n >= 10:
                e["s2ck_q"].extend(abs(np.array(r[key]) - [d.q1, d.median, d.q3]).tolist())
        for key, d in (
            ("ranks_matched", o.ranks_matched),
            ("ranks_not_matched", o.ranks_not_matched),
        ):
            if d is not None and d.published and d.n >= 10:
                e["ranks_q"].extend(abs(np.array(r[key]) - [d.q1, d.median, d.q3]).tolist())
        c = co_curve(o)
        if c is not None:
            e["curve"].extend((abs(np.array(r["curve_ranked"]) - c) * 100).tolist())
    out = {k: float(np.mean(v)) for k, v in e.items()}
    out["specialties"] = len(rows)
    return out


def _offsets(programs: list[Any]) -> np.ndarray:
    ctx = build_context(programs[0].specialty, programs)
    out = []
    for p in programs:
        pct, _ = img_pct(p, ctx.non_us_per_img)
        setting = p.setting.value or ""
        img = (
            clip_logit(pct)
            if pct is not None
            else ctx.img_logit_by_setting.get(setting, ctx.img_logit_mean)
        )
        ipct = interviewed_pct(p)
        sel = (
            clip_logit(ipct)
            if ipct is not None
            else ctx.interviewed_logit_by_setting.get(setting, ctx.interviewed_logit_mean)
        )
        out.append(0.7 * (img - ctx.img_logit_mean) + 0.5 * (sel - ctx.interviewed_logit_mean))
    return np.array(out)


def _deviance(rate: np.ndarray, n: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    k = rate * n
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(k > 0, k * np.log(k / (n * p)), 0.0)
        t2 = np.where(n - k > 0, (n - k) * np.log((n - k) / (n * (1 - p))), 0.0)
    return float(2 * np.sum(t1 + t2))


def programs_2026(catalog: Any) -> dict[str, Any]:
    """v1's program offsets (intercept refitted on the training programs) against the 2026 rates,
    10-fold CV over programs (same folds as bench/programs_2026.py) and in-sample."""
    out = {}
    for s in (IM, FM):
        progs = [
            p
            for p in catalog.programs(specialty=s)
            if p.track == "categorical" and p.setting.value != "military"
        ]
        off_all = _offsets(progs)
        has = []
        for p in progs:
            ev = p.interview_evidence
            nu = ev.by_type.get("non_us_img") if ev else None
            has.append(bool(nu and nu.applicants and nu.rate is not None))
        idx = np.flatnonzero(has)
        rate = np.array([progs[i].interview_evidence.by_type["non_us_img"].rate for i in idx])
        n = np.array(
            [float(progs[i].interview_evidence.by_type["non_us_img"].applicants) for i in idx]
        )
        off = off_all[idx]

        def intercept(
            train: np.ndarray, rate: np.ndarray = rate, n: np.ndarray = n, off: np.ndarray = off
        ) -> float:
            k, nn, o = rate[train] * n[train], n[train], off[train]

            def nll(a: float) -> float:
                return float(-(k * log_expit(a + o) + (nn - k) * log_expit(-(a + o))).sum())

            return float(minimize_scalar(nll, bounds=(-12, 2), method="bounded").x)

        order = np.random.default_rng(0).permutation(idx.size)
        folds = [np.sort(order[i::10]) for i in range(10)]
        pred = np.zeros(idx.size)
        const = np.zeros(idx.size)
        for test in folds:
            train = np.setdiff1d(np.arange(idx.size), test)
            pred[test] = expit(intercept(train) + off[test])
            const[test] = np.sum(rate[train] * n[train]) / np.sum(n[train])
        full = expit(intercept(np.arange(idx.size)) + off)
        pooled = float(np.sum(rate * n) / np.sum(n))
        out[s] = {
            "programs": int(idx.size),
            "cv_spearman": float(spearmanr(pred, rate).statistic),
            "cv_deviance_explained": 1 - _deviance(rate, n, pred) / _deviance(rate, n, const),
            "in_spearman": float(spearmanr(full, rate).statistic),
            "in_deviance_explained": 1
            - _deviance(rate, n, full) / _deviance(rate, n, np.full_like(full, pooled)),
        }
    return out


def _rate(p: Any) -> float | None:
    ev = p.interview_evidence
    nu = ev.by_type.get("non_us_img") if ev else None
    return None if nu is None or nu.rate is None or not nu.applicants else float(nu.rate)


def guide_sample_list(catalog: Any) -> dict[str, Any]:
    profile = reference_profile("guide-sample")
    rec = recommend(profile, count=80, catalog=catalog)
    rates = [_rate(catalog.get(p.program.id)) for p in rec.programs]
    known = [r for r in rates if r is not None]
    a = assess(profile, catalog=catalog)
    pi = np.array([r.p_interview[0] for r in a.rows])
    rr = np.array([_rate(p) if _rate(p) is not None else np.nan for p in a.programs])
    ok = ~np.isnan(rr)
    return {
        "programs": len(rec.programs),
        "sum_2026_rates": float(sum(known)),
        "with_data": len(known),
        "under_1pct": sum(r < 0.01 for r in known),
        "p_match": rec.p_match.point,
        "spearman_p_interview_vs_2026_rate": float(spearmanr(pi[ok], rr[ok]).statistic),
        "spearman_programs": int(ok.sum()),
    }


def _p80(
    profile: Any, catalog: Any, model: Any = None, signals: bool = True
) -> tuple[float, float]:
    a = assess(profile, catalog=catalog, model=model)
    rec = recommend(profile, count=80, catalog=catalog, assessment=a)
    return rec.p_match.point, rec.expected_interviews.point


def profiles_80(catalog: Any) -> dict[str, Any]:
    out = {}
    for name in REFERENCE_NAMES:
        p, k = _p80(reference_profile(name), catalog)
        default = recommend(reference_profile(name), catalog=catalog)
        out[name] = {
            "p_match_80": p,
            "interviews_80": k,
            "default_list_programs": len(default.programs),
            "default_list_p_match": default.p_match.point,
        }
    ref, _ = _p80(profile_from_dict(REFERENCE_APPLICANT), catalog)
    flags, flag_int = _p80(profile_from_dict(RED_FLAGS), catalog)
    out["reference_applicant_optimized_80_with_signals"] = ref
    out["every_red_flag_80"] = {"p_match": flags, "interviews": flag_int}
    return out


def _model_with(values: dict[str, float]) -> Any:
    m = load_fitted_model()
    for k, v in values.items():
        arr = m.effects_[k].copy()
        arr[0] = v
        m.effects_[k] = arr
    return m


def sensitivity(catalog: Any) -> dict[str, Any]:
    profiles = {n: reference_profile(n) for n in REFERENCE_NAMES}

    def all_profiles(model: Any) -> dict[str, float]:
        return {n: _p80(p, catalog, model)[0] for n, p in profiles.items()}

    res: dict[str, Any] = {"point": all_profiles(load_fitted_model())}
    for key, e in EFFECTS.items():
        if e.low == e.high or key in ("us_md", "us_do"):
            continue
        res[key] = [
            all_profiles(_model_with({key: e.low})),
            all_profiles(_model_with({key: e.high})),
        ]
        print("v1 sensitivity", key, flush=True)
    rng = np.random.default_rng(0)
    joint = []
    for _ in range(12):
        vals = {
            k: float(np.clip(rng.normal(e.value, (e.high - e.low) / 4), e.low, e.high))
            for k, e in EFFECTS.items()
            if e.low != e.high
        }
        joint.append(all_profiles(_model_with(vals)))
    res["joint"] = joint
    return res


def speed(catalog: Any) -> dict[str, float]:
    out = {}
    for name in REFERENCE_NAMES:
        profile = reference_profile(name)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            assess(profile, specialties=[IM], catalog=catalog)
            times.append(time.perf_counter() - t0)
        out[name] = 1000 * statistics.median(times)
    return out


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        catalog = isolated_catalog(Path(home))
        assess(reference_profile("guide-sample"), catalog=catalog)  # warm the caches
        rows = calibration_rows()
        figures = {
            "measured_at": "commit before model v2 (v1 = the model on main at e9e6ce8)",
            "command": "bench/v1_baseline.py",
            "assess_ms_im": speed(catalog),
            "calibration": {
                **rows,
                "errors_in_sample": calibration_errors(rows["in_sample"]),
                "errors_leave_one_out": calibration_errors(rows["leave_one_out"]),
            },
            "programs_2026": programs_2026(catalog),
            "guide_sample_80": guide_sample_list(catalog),
            "profiles": profiles_80(catalog),
            "sensitivity": sensitivity(catalog),
        }
    OUT.write_text(json.dumps(figures, indent=1, default=float) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    assert math.isfinite(figures["guide_sample_80"]["sum_2026_rates"])


if __name__ == "__main__":
    main()
