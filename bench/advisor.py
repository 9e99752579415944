"""Figures for the strategy advisor. Run: .venv/bin/python bench/advisor.py

For each of the six reference profiles: the default list (no budget or count: the value rule) with
its length, chance of matching, fees, tier mix and the time of `recommend`; the time to build the
whole priced plan (`advise`), the
number of optimizer runs it made (one baseline plus one per distinct what-if), the steps and how
many are priced, and each priced step's change in P(match) with its interval; then the time of one
`whatif` (two optimizer runs). Times are wall-clock on this machine, first run after a warm-up.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

from smartpick.core.lists.tiers import TIERS  # noqa: E402
from smartpick.core.profile import load_profile  # noqa: E402
from smartpick.service import pricing  # noqa: E402
from smartpick.service.advise import advise  # noqa: E402
from smartpick.service.catalog import open_catalog  # noqa: E402
from smartpick.service.recommend import recommend  # noqa: E402
from smartpick.service.whatif import whatif  # noqa: E402

PROFILES = ("guide-sample", "low-score-late", "average-img", "strong-img", "us-img-fm", "psych-img")
TODAY = dt.date(2026, 11, 24)


class Counting:
    """Counts the optimizer runs of the plan's own path: the shown list (`recommend`) and the
    priced ones (`price_list`), both looked up by `pricing.Pricer` when a plan starts."""

    def __init__(self) -> None:
        self.runs = 0

    def __enter__(self) -> Counting:
        self._saved = pricing.recommend, pricing.price_list
        pricing.recommend, pricing.price_list = map(self._counted, self._saved)
        return self

    def __exit__(self, *exc: object) -> None:
        pricing.recommend, pricing.price_list = self._saved

    def _counted(self, run: Callable[..., Any]) -> Callable[..., Any]:
        def counted(profile: Any, **options: Any) -> Any:
            self.runs += 1
            return run(profile, **options)

        return counted


def main() -> int:
    catalog = open_catalog()
    warm = load_profile(ROOT / "examples" / "profiles" / "strong-img.toml")
    recommend(warm, catalog=catalog)
    print(f"{'profile':<16}{'programs':>9}{'chance':>8}{'fees':>8}  reach/target/likely  seconds")
    for name in PROFILES:
        profile = load_profile(ROOT / "examples" / "profiles" / f"{name}.toml")
        start = time.perf_counter()
        rec = recommend(profile, catalog=catalog)
        seconds = time.perf_counter() - start
        tiers = [sum(1 for row in rec.programs if row.tier == t) for t in TIERS]
        print(
            f"{name:<16}{len(rec.programs):>9}{100 * rec.p_match.point:>7.1f}%"
            f"{rec.total_fees_usd:>8}  {'/'.join(map(str, tiers)):<20}{seconds:>7.2f}"
        )
    print(
        f"{'profile':<16}{'seconds':>9}{'runs':>6}{'steps':>7}{'priced':>8}  priced steps (delta P(match))"
    )
    for name in PROFILES:
        profile = load_profile(ROOT / "examples" / "profiles" / f"{name}.toml")
        with Counting() as counter:
            start = time.perf_counter()
            plan = advise(profile, catalog=catalog, today=TODAY)
            seconds = time.perf_counter() - start
        priced = [s for s in plan.steps if s.price is not None]
        deltas = ", ".join(
            f"{s.id} {100 * s.price.delta_p_match.point:+.1f}pp"
            f" [{100 * s.price.delta_p_match.low:+.1f},{100 * s.price.delta_p_match.high:+.1f}]"
            for s in priced
        )
        print(
            f"{name:<16}{seconds:>9.1f}{counter.runs:>6}{len(plan.steps):>7}{len(priced):>8}  "
            f"{deltas}"
        )
    sample = load_profile(ROOT / "examples" / "profiles" / "guide-sample.toml")
    start = time.perf_counter()
    result = whatif(sample, {"step3": 235, "usce_months": 4}, catalog=catalog)
    print(
        f"whatif guide-sample step3=235 usce_months=4: {time.perf_counter() - start:.1f} s, "
        f"P(match) {100 * result.price.baseline.p_match.point:.1f}% -> "
        f"{100 * result.price.changed.p_match.point:.1f}%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
