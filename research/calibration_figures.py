"""Calibration figures before (the shipped v1) and after (v2): in-sample and leave-one-specialty-out.

Usage: .venv/bin/python -m research.calibration_figures

Per specialty: match rate among rankers, Step 2 CK quartiles (matched, not matched), contiguous-
ranks quartiles, and the conditional curve P(match | Step 2 CK, ranked) against the curve implied
by Charting Outcomes (Bayes with normal score distributions of matched and not-matched, from the
published means and SDs), compared at 225-260. Then mean absolute errors over specialties.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import numpy as np
from scipy.stats import norm

from research import population as pop
from research.dataset import CACHE
from research.specialties_v2 import fit_all
from smartpick.core.calibration import Z_NODES as V1_Z
from smartpick.core.calibration import Z_WEIGHTS as V1_W
from smartpick.core.calibration import SpecialtyParams, interview_prob, population_stats
from smartpick.core.model import ChanceModel
from smartpick.core.outcomes import SpecialtyOutcomes, charting_outcomes

CURVE = np.arange(225.0, 261.0, 5.0)


def co_curve(o: SpecialtyOutcomes) -> np.ndarray | None:
    """P(match | s, ranked) implied by the published matched / not-matched score distributions."""
    m, u = o.step2ck_matched, o.step2ck_not_matched
    if not (m and u and m.mean and m.sd and u.mean and u.sd and m.published and u.published):
        return None
    if min(m.n, u.n) < 10:
        return None
    r = o.match_rate
    fm, fu = norm.pdf(CURVE, m.mean, m.sd), norm.pdf(CURVE, u.mean, u.sd)
    return r * fm / (r * fm + (1 - r) * fu)


def v1_ranked_curve(p: SpecialtyParams, scores: np.ndarray) -> np.ndarray:
    """v1's P(match | s, ranked) (v1 shipped only the unconditional curve)."""
    q = interview_prob(p, scores[:, None], V1_Z[None, :])
    match = (1.0 - (1.0 - p.c * q) ** p.n_apps) @ V1_W
    ranked = (1.0 - (1.0 - q) ** p.n_apps) @ V1_W
    return match / np.maximum(ranked, 1e-12)


def _row(stats_rate, sq_m, sq_u, rq_m, rq_u, curve) -> dict:  # type: ignore[no-untyped-def]
    return {
        "rate": float(stats_rate),
        "s2ck_matched": [float(x) for x in sq_m],
        "s2ck_not_matched": [float(x) for x in sq_u],
        "ranks_matched": [float(x) for x in rq_m],
        "ranks_not_matched": [float(x) for x in rq_u],
        "curve": [float(x) for x in curve],
    }


def v1_rows() -> tuple[dict, dict]:
    """v1 in-sample and LOO rows per specialty."""
    cal = ChanceModel.load().calibration_

    def row(p: SpecialtyParams) -> dict:
        st = population_stats(p)
        return _row(
            st.match_rate,
            st.score_quantiles(True),
            st.score_quantiles(False),
            st.ranks_quantiles(True),
            st.ranks_quantiles(False),
            v1_ranked_curve(p, CURVE),
        )

    return {n: row(p) for n, p in cal.params.items()}, {n: row(p) for n, p in cal.loo.items()}


def v2_rows() -> tuple[dict, dict, dict]:
    """v2 in-sample and LOO rows per specialty, and the fitted parameters."""
    t0 = time.perf_counter()
    fits = fit_all()
    seconds = time.perf_counter() - t0

    def row(m: pop.Market, p: pop.Params) -> dict:
        st = pop.stats(m, p)
        return _row(
            st.pop.match_rate,
            st.pop.score_quantiles(True),
            st.pop.score_quantiles(False),
            st.pop.ranks_quantiles(True),
            st.pop.ranks_quantiles(False),
            pop.p_match_by_score(m, p, CURVE, ranked=True),
        )

    ins = {n: row(fits.markets[n], p) for n, p in fits.params.items()}
    loo = {n: row(fits.loo_markets[n], p) for n, p in fits.loo.items()}
    params = {
        n: asdict(p) | {"n_apps_used": pop.n_of(fits.markets[n], p)} for n, p in fits.params.items()
    }
    params["_fit_seconds"] = seconds  # type: ignore[assignment]
    return ins, loo, params


def errors(rows: dict, outcomes: dict[str, SpecialtyOutcomes]) -> dict[str, float]:
    """Mean absolute errors against the published figures."""
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
            e["curve"].extend((abs(np.array(r["curve"]) - c) * 100).tolist())
    return {k: float(np.mean(v)) if v else float("nan") for k, v in e.items()}


def main() -> None:
    """Print the before / after table and the error summary (cached in research/cache)."""
    outcomes = {o.specialty: o for o in charting_outcomes()}
    v1_in, v1_loo = v1_rows()
    v2_in, v2_loo, params = v2_rows()
    (CACHE / "calibration_v2.json").write_text(
        json.dumps(
            {"v1_in": v1_in, "v1_loo": v1_loo, "v2_in": v2_in, "v2_loo": v2_loo, "params": params},
            indent=1,
        )
    )
    print(
        f"{'specialty':32} {'rate pub':>8} {'v1':>6} {'v2':>6} | S2CK med M pub v1 v2 | U pub v1 v2 | ranks med M pub v1 v2 | U pub v1 v2"
    )
    for name, o in outcomes.items():
        m, u = o.step2ck_matched, o.step2ck_not_matched
        rm, ru = o.ranks_matched, o.ranks_not_matched

        def pub(d):  # type: ignore[no-untyped-def]
            return f"{d.median:5.0f}" if d is not None and d.published and d.n >= 10 else "    -"

        print(
            f"{name[:32]:32} {o.match_rate:8.1%} {v1_in[name]['rate']:6.1%} {v2_in[name]['rate']:6.1%} |"
            f" {pub(m)} {v1_in[name]['s2ck_matched'][1]:5.1f} {v2_in[name]['s2ck_matched'][1]:5.1f} |"
            f" {pub(u)} {v1_in[name]['s2ck_not_matched'][1]:5.1f} {v2_in[name]['s2ck_not_matched'][1]:5.1f} |"
            f" {pub(rm)} {v1_in[name]['ranks_matched'][1]:4.1f} {v2_in[name]['ranks_matched'][1]:4.1f} |"
            f" {pub(ru)} {v1_in[name]['ranks_not_matched'][1]:4.1f} {v2_in[name]['ranks_not_matched'][1]:4.1f}"
        )
    print("Mean absolute errors (rate: pp; Step 2 CK quartiles: points; ranks quartiles: ranks;")
    print("conditional curve P(match | Step 2 CK, ranked) vs the CO-implied curve at 225-260: pp)")
    for label, rows in (
        ("v1 in-sample", v1_in),
        ("v2 in-sample", v2_in),
        ("v1 leave-one-out", v1_loo),
        ("v2 leave-one-out", v2_loo),
    ):
        e = errors(rows, outcomes)
        print(
            f"  {label:18} rate {e['rate']:5.2f} | S2CK quartiles {e['s2ck_q']:5.2f} | ranks quartiles"
            f" {e['ranks_q']:5.2f} | curve {e['curve']:5.2f} | specialties {len(rows)}"
        )
    print(f"v2 fit time (all specialties, point + leave-one-out): {params['_fit_seconds']:.0f}s")


if __name__ == "__main__":
    main()
