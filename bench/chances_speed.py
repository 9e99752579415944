"""Speed of the model side of one request, in process, on the state of a running server (catalog
open, fitted model loaded, each specialty's program side built once per process).

    .venv/bin/python bench/chances_speed.py [--before CHECKOUT] [--repeats 15]

Prints the median wall time (ms, after 3 warm-up calls) of:
- `assess()` on the Internal Medicine catalog for each reference profile (and the figure of model
  v1, data/model/v1_figures.json, for the record), and on the profile's own specialties;
- for guide-sample: `assess()` on IM and on IM + Family Medicine, the model's `predict()` alone,
  `recommend()` at $1,200 (signals, intervals) on IM and on IM + FM, and the time `recommend()`
  spends in the chance matrix's draws on demand (`interview_rows` / `conversion_rows` and
  `interview_draws` / `conversion_draws`: the intervals of the listed programs and of the
  curve); `advise()` with the default volume (median of repeats / 5 calls after one) and the
  time it spends in the model (`predict()` and the draws on demand);
- once: building the IM program side (what a server does before its first request).

With `--before CHECKOUT` the same measures run on that checkout too (its own `.venv`, in a child
process, one after the other in this one invocation) and the table shows both and the ratio
before / after. The machine is shared: compare figures measured in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
IM, FM = "Internal Medicine", "Family Medicine"
GUIDE = "guide-sample"
BUDGET = 1200


def _median_ms(run: Callable[[], object], repeats: int, warmups: int = 3) -> list[float]:
    """[median, fastest] wall time in ms of `repeats` calls after `warmups`."""
    for _ in range(warmups):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return [1000 * statistics.median(times), 1000 * min(times)]


def probe(repeats: int) -> dict[str, list[float]]:
    """The measures of the checkout whose `smartpick` this interpreter imports."""
    from smartpick.core.chances.estimator import ChanceModel
    from smartpick.core.chances.matrix import ChanceMatrix
    from smartpick.service.advise import advise
    from smartpick.service.assess import assess, fitted_model
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend
    from smartpick.testing import REFERENCE_NAMES, reference_profile

    out: dict[str, list[float]] = {}
    catalog = open_catalog(Path(tempfile.mkdtemp(prefix="smartpick-chances-")) / "user.sqlite")
    model = fitted_model()
    full = catalog.programs(specialty=IM)
    start = time.perf_counter()
    context = model.context(IM, full)
    context.alpha("non_us_img")
    built = 1000 * (time.perf_counter() - start)
    out["IM program side, built once per process"] = [built, built]
    for name in REFERENCE_NAMES:
        profile = reference_profile(name)
        out[f"assess {name}, IM"] = _median_ms(
            functools.partial(assess, profile, specialties=[IM], catalog=catalog), repeats
        )
        out[f"assess {name}, own specialties"] = _median_ms(
            functools.partial(assess, profile, catalog=catalog), repeats
        )
    guide = reference_profile(GUIDE)
    out[f"assess {GUIDE}, IM + FM"] = _median_ms(
        lambda: assess(guide, specialties=[IM, FM], catalog=catalog), repeats
    )
    programs = [p for p in full if p.track == "categorical"]
    out[f"predict {GUIDE}, IM (the model alone)"] = _median_ms(
        lambda: model.predict(guide, programs, {IM: context}), repeats
    )
    on_demand = [0.0]

    def timed(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                on_demand[0] += time.perf_counter() - start

        return run

    for specialties, label in (([IM], "IM"), ([IM, FM], "IM + FM")):
        key = f"recommend {GUIDE}, {label}, ${BUDGET:,}"
        out[key] = _median_ms(
            functools.partial(
                recommend, guide, budget_usd=BUDGET, specialties=specialties, catalog=catalog
            ),
            repeats,
        )
    # the draws' reads: the rows the curve and the list read in place, and whole copies
    for name in ("interview_rows", "conversion_rows", "interview_draws", "conversion_draws"):
        setattr(ChanceMatrix, name, timed(getattr(ChanceMatrix, name)))
    calls = []
    for _ in range(repeats):
        on_demand[0] = 0.0
        recommend(guide, budget_usd=BUDGET, specialties=[IM], catalog=catalog)
        calls.append(on_demand[0])
    out["  of which draws on demand (IM)"] = [1000 * statistics.median(calls), 1000 * min(calls)]
    # advise(): the model's part of a plan (every predict() and every draw read on demand)
    ChanceModel.predict = timed(ChanceModel.predict)
    plan = functools.partial(advise, guide, catalog=catalog, today=dt.date(2026, 11, 24))
    plan()
    whole, model_side = [], []
    for _ in range(max(1, repeats // 5)):
        on_demand[0] = 0.0
        start = time.perf_counter()
        plan()
        whole.append(time.perf_counter() - start)
        model_side.append(on_demand[0])
    out[f"advise {GUIDE}, default volume"] = [1000 * statistics.median(whole), 1000 * min(whole)]
    out["  of which the model (predict, draws on demand)"] = [
        1000 * statistics.median(model_side),
        1000 * min(model_side),
    ]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout (with its .venv)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:
        print(json.dumps(probe(args.repeats)))
        return 0
    sys.path.insert(0, str(HERE))
    from checkouts import run_probe
    from targets import _commit  # the checkout's last commit, "(+ uncommitted changes)"

    from smartpick.service.calibration import v1_figures

    v1 = v1_figures()["assess_ms_im"]
    checkouts = {"after": HERE.parent} | ({"before": args.before.resolve()} if args.before else {})
    for name, checkout in checkouts.items():
        print(f"{name:<7}{checkout}  {_commit(checkout)}")
    print(f"machine {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    before = (
        run_probe(args.before.resolve(), Path(__file__), "--repeats", str(args.repeats))
        if args.before
        else None
    )
    after = run_probe(HERE.parent, Path(__file__), "--repeats", str(args.repeats))
    print(f"load average {os.getloadavg()[0]:.1f} at the end; median ms of {args.repeats} calls")
    print(f"{'':<48}{'median (fastest) ms':>36}")
    head = f"{'measure':<48}" + (f"{'before':>16}{'after':>16}{'ratio':>7}" if before else "")
    print(head + ("" if before else f"{'after':>16}") + f"{'v1':>6}")
    for key, (median, fastest) in after.items():
        name = key.split(",")[0].removeprefix("assess ")
        line = f"{key:<48}"
        if before is not None and key in before:
            was, was_fastest = before[key]
            line += f"{was:>9.1f} ({was_fastest:4.1f})"
            ratio = f"{was / median:>6.1f}x" if median else f"{'-':>7}"
            line += f"{median:>9.1f} ({fastest:4.1f}){ratio}"
        else:
            line += f"{'':>16}" * (before is not None) + f"{median:>9.1f} ({fastest:4.1f})"
            line += f"{'':>7}" * (before is not None)
        if key.endswith(", IM") and key.startswith("assess") and name in v1:
            line += f"{v1[name]:>6.0f}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
