"""Sensitivity of the six reference profiles' P(match) (80 optimized applications) to every
assumption's range, one at a time, and the joint spread; before (v1: data/model/v1_figures.json) and
after (v2, the shipped model).

Usage: .venv/bin/python bench/sensitivity.py   (about 20 minutes on one core)

One at a time: each assumption (`core/chances/assumptions.py`) and each assumed applicant effect
(`core/chances/effects.py`) at the low and the high end of its range, every other at its point;
an assumption the calibration depends on (signal levels, deviation weight, slope and conversion
assumptions, the FM slope, the applications anchor) refits the population model first. Swing = |P
at the high end - P at the low end|, in percentage points; rows where some profile moves 2 pp or
more are printed. Joint: the 10th-90th percentiles of the shipped model's 40 draws, each a joint
draw of every assumption, of the published figures (the calibration refitted), of the programs'
rates and of the visa facts: the interval every list shows. v1's joint spread was 12 draws of its
assumed effects.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from smartpick.core.chances.assumptions import ASSUMPTIONS, POINT, Assumptions
from smartpick.core.chances.calibration import fit_point, residents_step1, typical_alpha
from smartpick.core.chances.effects import EFFECTS
from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.features import LAYERED
from smartpick.service.assess import assess, fitted_model
from smartpick.service.calibration import v1_figures
from smartpick.service.catalog import open_catalog
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, reference_profile

V1 = v1_figures()
# Assumptions that enter the population model's markets or priors: a change refits it.
CALIBRATION_KEYS = {
    "im_signal_gold",
    "im_signal_silver",
    "fm_signal_sent",
    "deviation_weight",
    "beta_shrink",
    "conv_slope",
    "conv_unfilled",
    "fm_beta",
    "anchor_scale",
    "other_n_apps",
}


def variant(
    base: ChanceModel, a: Assumptions, effects: dict[str, float], programs: Any
) -> ChanceModel:
    """A point-only model under other assumptions (the calibration refitted when it needs)."""
    st = base.state_
    params = {n: ps[:1] for n, ps in st.params.items()}
    if any(getattr(a, k) != getattr(POINT, k) for k in CALIBRATION_KEYS):
        rows = dict(base.outcomes_)
        fit = fit_point(rows, st.layers, st.anchors, residents_step1(programs), a, False)
        params = {n: [p] for n, p in fit.params.items()}
    typical = {
        n: [typical_alpha(n, st.layers[n], st.anchors[n], ps[0], a) if n in LAYERED else ps[0].a]
        for n, ps in params.items()
    }
    point_effects = {k: [float(v[0])] for k, v in base.effects_.items()} | {
        k: [v] for k, v in effects.items()
    }
    state = replace(st, params=params, typical=typical, assumptions=[a], effects=point_effects)
    return ChanceModel(n_draws=0, level=base.level).set_fitted(state)


def p80(model: ChanceModel, catalog: Any) -> dict[str, float]:
    out = {}
    for name in REFERENCE_NAMES:
        profile = reference_profile(name)
        a = assess(profile, catalog=catalog, model=model)
        out[name] = recommend(profile, count=80, catalog=catalog, assessment=a).p_match.point
    return out


def _table(
    title: str, point: dict[str, float], swings: dict[str, list[float]], joint: np.ndarray
) -> None:
    print(f"\n{title}: P(match) with 80 optimized applications; swing (pp) per assumption")
    print(f"  {'assumption':30} " + " ".join(f"{n[:14]:>14}" for n in REFERENCE_NAMES))
    print(f"  {'point':30} " + " ".join(f"{point[n]:14.1%}" for n in REFERENCE_NAMES))
    for key, swing in swings.items():
        if max(swing) >= 2.0:
            print(f"  {key[:30]:30} " + " ".join(f"{s:14.1f}" for s in swing))
    lo, hi = joint
    print(
        f"  {'joint 10-90% (pp wide)':30} "
        + " ".join(f"{100 * (top - bottom):14.1f}" for bottom, top in zip(lo, hi, strict=True))
    )
    print(f"  {'joint 10%':30} " + " ".join(f"{x:14.1%}" for x in lo))
    print(f"  {'joint 90%':30} " + " ".join(f"{x:14.1%}" for x in hi))


def v1_table() -> None:
    r = V1["sensitivity"]
    swings = {
        key: [100 * abs(ends[1][n] - ends[0][n]) for n in REFERENCE_NAMES]
        for key, ends in r.items()
        if key not in ("point", "joint")
    }
    joint = np.array([[d[n] for n in REFERENCE_NAMES] for d in r["joint"]])
    _table(
        "v1 (before, measured before v2)",
        r["point"],
        swings,
        np.percentile(joint, [10, 90], axis=0),
    )


def main() -> None:
    v1_table()
    base = fitted_model()
    with tempfile.TemporaryDirectory() as home:
        catalog = open_catalog(Path(home) / "user.sqlite")
        programs = catalog.programs()
        point = p80(variant(base, POINT, {}, programs), catalog)
        swings: dict[str, list[float]] = {}
        for key, e in (*ASSUMPTIONS.items(), *EFFECTS.items()):
            ends = []
            for value in (e.low, e.high):
                if key in ASSUMPTIONS:
                    model = variant(base, POINT.with_values(**{key: value}), {}, programs)
                else:
                    model = variant(base, POINT, {key: value}, programs)
                ends.append(p80(model, catalog))
            swings[key] = [100 * abs(ends[1][n] - ends[0][n]) for n in REFERENCE_NAMES]
            print(f"  ({key} done)", flush=True)
        lows, highs = {}, {}
        for name in REFERENCE_NAMES:
            rec = recommend(reference_profile(name), count=80, catalog=catalog)
            lows[name], highs[name] = rec.p_match.low, rec.p_match.high
        joint = np.array([[lows[n] for n in REFERENCE_NAMES], [highs[n] for n in REFERENCE_NAMES]])
        _table("v2 (after)", point, swings, joint)


if __name__ == "__main__":
    main()
