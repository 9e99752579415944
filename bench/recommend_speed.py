"""Speed of `recommend()` in process after warm-up, with and without the curve's intervals.

    .venv/bin/python bench/recommend_speed.py [--before CHECKOUT] [--repeats 25]

guide-sample at $1,200 (signals) on Internal Medicine and on IM + Family Medicine: the median
thread CPU time and wall time (ms) of `recommend()` after 3 warm-up calls, with intervals (what
a results page shows) and with `intervals=False` (what a priced what-if needs). With `--before`
the same calls run on that checkout too (its own `.venv`, in a child process, then this one) and
the table shows both; a checkout without the lean option shows "n/a" there. The machine is
shared: thread CPU time is the steadier figure, and only figures of one run compare.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CASES = (("IM", ("Internal Medicine",)), ("IM+FM", ("Internal Medicine", "Family Medicine")))
BUDGET = 1200.0


def probe(root: Path, repeats: int) -> dict[str, Any]:
    """Median CPU and wall ms of each case, from the checkout this interpreter imports."""
    from smartpick.core.profile import load_profile
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend

    catalog = open_catalog(Path(tempfile.mkdtemp()) / "user.sqlite")
    profile = load_profile(root / "examples" / "profiles" / "guide-sample.toml")
    lean = "intervals" in inspect.signature(recommend).parameters
    out: dict[str, Any] = {}
    for name, specialties in CASES:
        for intervals in (True, False):
            key = f"{name}, {'with' if intervals else 'without'} intervals"
            if not intervals and not lean:
                out[key] = None
                continue
            options: dict[str, Any] = {} if intervals else {"intervals": False}

            call = functools.partial(
                recommend,
                profile,
                budget_usd=BUDGET,
                specialties=specialties,
                catalog=catalog,
                **options,
            )
            for _ in range(3):
                call()
            cpu, wall = [], []
            for _ in range(repeats):
                c, t = time.thread_time(), time.perf_counter()
                call()
                cpu.append(time.thread_time() - c)
                wall.append(time.perf_counter() - t)
            out[key] = (1e3 * statistics.median(cpu), 1e3 * statistics.median(wall))
    return out


def main() -> int:
    """Print the table for this checkout (and `--before`)."""
    parser = argparse.ArgumentParser(description="recommend() speed, in process")
    parser.add_argument("--before", type=Path, help="another checkout (with its .venv)")
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:
        print(json.dumps(probe(args.probe, args.repeats)))
        return 0
    checkouts = {"after": Path(__file__).resolve().parent.parent}
    if args.before is not None:
        checkouts = {"before": args.before.resolve(), **checkouts}
    results = {}
    for label, checkout in checkouts.items():
        done = subprocess.run(
            [
                str(checkout / ".venv" / "bin" / "python"),
                str(Path(__file__).resolve()),
                "--probe",
                str(checkout),
                "--repeats",
                str(args.repeats),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results[label] = json.loads(done.stdout)
    print(f"recommend(), guide-sample, ${BUDGET:,.0f}, median of {args.repeats} (ms, CPU / wall)")
    for key in results["after"]:
        cells = [
            "n/a" if v is None else f"{v[0]:6.1f} / {v[1]:6.1f}"
            for v in (results[label][key] for label in results)
        ]
        print(
            f"  {key:<30} "
            + "   ".join(f"{label}: {c}" for label, c in zip(results, cells, strict=True))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
