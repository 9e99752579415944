"""Fit the chance model to NRMP Charting Outcomes 2026 and write the shipped parameters.

Usage: .venv/bin/python scripts/fit_model.py [--draws N] [--check]

Writes src/smartpick/data/model/calibration.json (point estimates, leave-one-specialty-out fits,
parametric-bootstrap draws). `--check` refits the point estimates only and reports the largest
difference from the shipped file (exit status 1 when it is more than 1e-3).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.persist import load_fitted_model, model_to_dict

OUT = Path(__file__).resolve().parents[1] / "src" / "smartpick" / "data" / "model"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40, help="bootstrap draws (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="compare a fresh fit to the file")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.check:
        fresh = model_to_dict(ChanceModel(n_draws=0, random_state=args.seed).fit())["specialties"]
        shipped = model_to_dict(load_fitted_model())["specialties"]
        worst = max(
            abs(fresh[name]["params"][k] - shipped[name]["params"][k])
            for name in fresh
            for k in fresh[name]["params"]
        )
        print(f"largest difference from the shipped parameters: {worst:.2e}")
        return 0 if worst <= 1e-3 else 1
    model = ChanceModel(n_draws=args.draws, random_state=args.seed).fit(
        progress=lambda msg: print(msg, file=sys.stderr)
    )
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "calibration.json"
    path.write_text(json.dumps(model_to_dict(model), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
