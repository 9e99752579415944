"""What writing the chosen list out costs, in process CPU time, on this checkout and another.

    .venv/bin/python bench/written.py [--before CHECKOUT] [--calls 9]

After the optimizer has chosen a list, `recommend()` writes it out: the curve's intervals
(`core.lists.curve.stages`, called by the optimizer) and the rows, totals and notes
(`service.recommendation.build_recommendation`). For guide-sample (the guide's sample applicant)
this prints the process CPU time of `recommend()` and of those two parts within it (median of
`--calls` after 3 warm-up calls), for Internal Medicine at $1,200 and with the default volume and
for IM + Family Medicine at $1,200; and of `advise()` (default volume and $3,000: the median of 3
after a warm-up) with the same two parts summed over its ~13 lists, and of one what-if.

CPU time, not wall time, so the other work on a shared machine disturbs it less (not at all is
too much to ask of two shared cores: compare checkouts measured in one run). Each checkout runs
in its own virtual environment (`CHECKOUT/.venv`, see `bench/checkouts.py`).
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from checkouts import measure_checkouts  # noqa: E402  (a sibling module of this script)

LISTS = {
    "IM $1,200": {"budget_usd": 1200.0},
    "IM default volume": {},
    "IM + FM $1,200": {
        "budget_usd": 1200.0,
        "specialties": ["Internal Medicine", "Family Medicine"],
    },
}
PLANS = {"default volume": None, "$3,000": 3000.0}


def probe(root: Path, calls: int) -> dict[str, Any]:
    """The measures of the checkout whose `smartpick` this interpreter imports."""
    import smartpick.core.lists.optimizer as optimizer
    import smartpick.service.recommend as recommending
    from smartpick.core.profile import load_profile
    from smartpick.service.advise import advise
    from smartpick.service.catalog import open_catalog
    from smartpick.service.whatif import whatif

    spent = {"curve": 0.0, "build": 0.0}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - start

        return run

    optimizer.curve_stages = timed("curve", optimizer.curve_stages)  # type: ignore[assignment]
    recommending.build_recommendation = timed("build", recommending.build_recommendation)  # type: ignore[assignment]

    def measure(call: Callable[[], Any], warm: int, times: int) -> dict[str, float]:
        for _ in range(warm):
            call()
        gc.collect()
        found: dict[str, list[float]] = {"total": [], "curve": [], "build": []}
        for _ in range(times):
            spent.update(curve=0.0, build=0.0)
            start = time.process_time()
            call()
            found["total"].append(time.process_time() - start)
            found["curve"].append(spent["curve"])
            found["build"].append(spent["build"])
        return {k: 1000 * statistics.median(v) for k, v in found.items()}

    profile = load_profile(root / "examples" / "profiles" / "guide-sample.toml")
    catalog = open_catalog(Path(tempfile.mkdtemp(prefix="smartpick-written-")) / "user.sqlite")
    out: dict[str, Any] = {}
    for name, options in LISTS.items():
        out[f"recommend {name}"] = measure(
            lambda o=options: recommending.recommend(profile, catalog=catalog, **o), 3, calls
        )
    today = dt.date(2026, 11, 24)
    for name, budget in PLANS.items():
        out[f"advise {name}"] = measure(
            lambda b=budget: advise(profile, budget_usd=b, catalog=catalog, today=today), 1, 3
        )
    change = {"step3": 235, "usce_months": 4}
    out["what-if"] = measure(lambda: whatif(profile, change, catalog=catalog), 1, 5)
    return out


def main() -> None:
    """Measure this checkout (and `--before`) and print the figures side by side."""
    found = measure_checkouts(
        Path(__file__), ("calls", 9, 50, "timed recommend() calls per list"), probe
    )
    if found is None:
        return
    print("process CPU, ms (median)" + "".join(f"{n:>24}" for n in found))
    print(f"{'':<32}" + "".join(f"{'total  curve  written':>24}" for _ in found))
    for key in found["after"]:
        cells = "".join(
            f"{f[key]['total']:>10.1f}{f[key]['curve']:>7.1f}{f[key]['build']:>7.1f}"
            for f in found.values()
        )
        print(f"{key:<32}{cells}")


if __name__ == "__main__":
    main()
