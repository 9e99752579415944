"""Fit the chance model on the bundled catalog and NRMP Charting Outcomes 2026; write the file.

Usage: .venv/bin/python scripts/fit_model.py [--draws N] [--seed S] [--check]

Writes src/smartpick/data/model/chance_model.json: the program layer of IM and FM learned from
their 2026 Residency Explorer evidence (read from the catalog), every specialty's population
parameters (point, leave-one-specialty-out and N parametric-bootstrap draws, each with a joint
draw of every assumption), and the transfers of the other specialties. Deterministic on one
machine: the same catalog and seed give the same file. `--check` refits the point estimates (no
bootstrap draws) and reports the largest difference from the shipped file's point (exit status 1
when above `REPRODUCED_WITHIN` in any stored number of the point fit).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from smartpick.core.chances.estimator import ChanceModel
from smartpick.core.chances.persist import FITTED_FILE, model_json, model_to_dict
from smartpick.service.catalog import open_catalog

OUT = Path(__file__).resolve().parents[1] / "src" / "smartpick" / "data" / FITTED_FILE[0]


def fit(draws: int, seed: int) -> ChanceModel:
    """The model fitted on the bundled catalog (no user imports)."""
    with tempfile.TemporaryDirectory() as home:
        catalog = open_catalog(Path(home) / "user.sqlite")
        programs = catalog.programs()
        return ChanceModel(n_draws=draws, random_state=seed).fit(
            programs, progress=lambda msg: print(msg, file=sys.stderr, flush=True)
        )


def point_part(data: dict[str, Any]) -> dict[str, Any]:
    """The parts of a fitted file that do not depend on the bootstrap draws."""
    keep = dict(data)
    keep.pop("fit_seconds", None)
    keep.pop("settings", None)
    keep["specialties"] = {
        n: {**s, "params": s["params"][:1], "typical": s["typical"][:1]}
        for n, s in data["specialties"].items()
    }
    keep["assumptions"] = data["assumptions"][:1]
    keep["effects"] = {k: v[:1] for k, v in data["effects"].items()}
    return keep


# How closely a fresh point fit must reproduce the shipped file. numpy and its BLAS pick their
# vectorised kernels by CPU (AVX-512, AVX2...), whose results differ in the last bits, and the
# iterative fits carry that to about 1e-5: 8.3e-6 at most (a program-layer coefficient of Family
# Medicine) on an AVX-512 machine against the file written on another, 332 stored numbers
# differing. A changed method or input moves them by far more.
REPRODUCED_WITHIN = 1e-4


def largest_difference(a: Any, b: Any, where: str = "") -> tuple[float, str]:
    """The largest absolute difference between two JSON values (inf where shapes differ)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return float("inf"), where
        found = [largest_difference(a[k], b[k], f"{where}.{k}") for k in a]
        return max(found, default=(0.0, where))
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return float("inf"), where
        found = [
            largest_difference(x, y, f"{where}[{i}]")
            for i, (x, y) in enumerate(zip(a, b, strict=True))
        ]
        return max(found, default=(0.0, where))
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int | float):
        return (0.0 if a == b else float("inf")), where
    return abs(float(a) - float(b)), where


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40, help="bootstrap draws (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="compare a fresh fit to the file")
    args = parser.parse_args()
    start = time.perf_counter()
    path = OUT / FITTED_FILE[1]
    if args.check:
        fresh = point_part(model_to_dict(fit(0, args.seed)))
        shipped = point_part(json.loads(path.read_text(encoding="utf-8")))
        worst, where = largest_difference(fresh, shipped)
        print(f"largest difference from the shipped point fit: {worst:.2e} at {where or '-'}")
        return 0 if worst <= REPRODUCED_WITHIN else 1
    model = fit(args.draws, args.seed)
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_text(model_json(model), encoding="utf-8")
    print(f"wrote {path} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
