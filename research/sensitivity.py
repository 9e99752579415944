"""Sensitivity of the six reference profiles' P(match) (80 optimized applications) to every
assumption's range, one at a time and jointly, for today's model (v1) and v2.

Usage: .venv/bin/python -m research.sensitivity   (about 20 minutes; cached in research/cache)

v1: each of the shipped assumed effects (core/effects.py) at the low and high end of its range
(its draws' range), the rest at their points. v2: each assumption of `program_layer.RANGES` (the
calibration is refitted when it depends on it) and each assumed applicant effect v2 still uses
(scaled into the variance budget). Joint: 12 draws of every assumption together (normal around the
point, SD a quarter of the range, clipped: v1's own rule), the 10th-90th percentiles.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from research.dataset import CACHE, catalog
from research.figures_v2 import PROFILES, profile
from research.individual import predict
from research.lists import optimized, v2_list
from research.program_layer import DEFAULT, RANGES, Assumptions
from research.specialties_v2 import fit_all, load_fits
from smartpick.core.effects import EFFECTS
from smartpick.core.model import ChanceModel
from smartpick.service.chances import assess

# Assumptions whose change needs a refit of the calibration.
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
V2_EFFECTS = (
    "usce_hands_on_per_month",
    "observership_weight",
    "us_letter",
    "us_letter_in_specialty",
    "years_since_graduation",
    "step3_passed",
    "step3_per_10_points",
    "step1_per_10_points",
    "research_item_university",
    "us_img",
)
OUT = CACHE / "sensitivity.json"
N_JOINT = 12


def _v2_all(a: Assumptions, effects: dict[str, float] | None, fits) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {
        n: v2_list(predict(profile(n), fits, a=a, effects=effects), 80).p_match for n in PROFILES
    }


def _v1_all(model: ChanceModel) -> dict[str, float]:
    out = {}
    for n in PROFILES:
        a = assess(profile(n), catalog=catalog(), model=model)
        out[n] = optimized(a.programs, a.chances, 80).p_match
    return out


def _v1_model(values: dict[str, float]) -> ChanceModel:
    m = ChanceModel.load()
    for k, v in values.items():
        arr = m.effects_[k].copy()
        arr[0] = v
        m.effects_[k] = arr
    return m


def run() -> dict:  # type: ignore[type-arg]
    """Compute (or load) every figure."""
    if OUT.exists():
        return json.loads(OUT.read_text())
    res: dict = {"v1": {}, "v2": {}}  # type: ignore[type-arg]
    res["v1"]["point"] = _v1_all(ChanceModel.load())
    for key, e in EFFECTS.items():
        if e.low == e.high or key in ("us_md", "us_do"):
            continue
        res["v1"][key] = [_v1_all(_v1_model({key: e.low})), _v1_all(_v1_model({key: e.high}))]
        print("v1", key, flush=True)
    rng = np.random.default_rng(0)
    joint = []
    for _ in range(N_JOINT):
        vals = {
            k: float(np.clip(rng.normal(e.value, (e.high - e.low) / 4), e.low, e.high))
            for k, e in EFFECTS.items()
            if e.low != e.high
        }
        joint.append(_v1_all(_v1_model(vals)))
    res["v1"]["joint"] = joint
    fits0 = load_fits()
    res["v2"]["point"] = _v2_all(DEFAULT, None, fits0)
    for key, (_, lo, hi) in RANGES.items():
        ends = []
        for v in (lo, hi):
            a = replace(DEFAULT, **{key: v})
            fits = fit_all(leave_one_out=False, a=a) if key in CALIBRATION_KEYS else fits0
            ends.append(_v2_all(a, None, fits))
        res["v2"][key] = ends
        print("v2", key, flush=True)
    for key in V2_EFFECTS:
        e = EFFECTS[key]
        res["v2"][key] = [
            _v2_all(DEFAULT, {key: e.low}, fits0),
            _v2_all(DEFAULT, {key: e.high}, fits0),
        ]
        print("v2", key, flush=True)
    joint = []
    for _ in range(N_JOINT):
        a = Assumptions(
            **{
                k: float(np.clip(rng.normal(p, (hi - lo) / 4), lo, hi))
                for k, (p, lo, hi) in RANGES.items()
            }
        )
        eff = {
            k: float(
                np.clip(
                    rng.normal(EFFECTS[k].value, (EFFECTS[k].high - EFFECTS[k].low) / 4),
                    EFFECTS[k].low,
                    EFFECTS[k].high,
                )
            )
            for k in V2_EFFECTS
        }
        joint.append(_v2_all(a, eff, fit_all(leave_one_out=False, a=a)))
        print("v2 joint", len(joint), flush=True)
    res["v2"]["joint"] = joint
    OUT.write_text(json.dumps(res, indent=1))
    return res


def main() -> None:
    """Print, per model, each assumption's swing (max - min over its two ends) per profile, the
    assumptions that move any profile by 2 pp or more, and the joint 10-90% spread."""
    res = run()
    for model in ("v1", "v2"):
        r = res[model]
        point = r["point"]
        print(
            f"{model}: P(match) with 80 optimized applications; point, then swing (pp) per assumption"
        )
        print(f"  {'assumption':32} " + " ".join(f"{n[:11]:>11}" for n in PROFILES))
        print(f"  {'point':32} " + " ".join(f"{point[n]:11.1%}" for n in PROFILES))
        for key, ends in r.items():
            if key in ("point", "joint"):
                continue
            swing = [100 * abs(ends[1][n] - ends[0][n]) for n in PROFILES]
            if max(swing) >= 2.0:
                print(f"  {key[:32]:32} " + " ".join(f"{s:11.1f}" for s in swing))
        joint = np.array([[d[n] for n in PROFILES] for d in r["joint"]])
        lo, hi = np.percentile(joint, [10, 90], axis=0)
        print(
            f"  {'joint 10-90% (pp wide)':32} "
            + " ".join(f"{100 * (h - lo_):11.1f}" for lo_, h in zip(lo, hi, strict=True))
        )
        print(f"  {'joint 10%':32} " + " ".join(f"{x:11.1%}" for x in lo))
        print(f"  {'joint 90%':32} " + " ".join(f"{x:11.1%}" for x in hi))


if __name__ == "__main__":
    main()
