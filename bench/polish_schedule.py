"""What the polish schedule costs the curve: each stage against the same chain polished at every
stage.

    .venv/bin/python bench/polish_schedule.py [--before CHECKOUT] [--profiles 6]

The list optimizer grows a chain of lists, one program at a time, and polishes (swaps and signal
moves) only some of its stages (`core.lists.types`: the polish schedule). For the reference
profiles x one and two specialties, at the default volume (no budget: the curve of the value
rule) and at $1,000 and $3,000, the problem `recommend()` solves is run again with every stage
within the limits polished (`optimize_list(problem, polish=True)`). Per instance: the largest
shortfall of a curve stage (P(match) of the shipped chain's list of that size below the polished
one's, in percentage points) and at how many applications, how many stages fall short by more
than 0.0005 pp, and the chosen list's own shortfall. A negative shortfall is a stage the shipped
schedule does better on (a polish is local: polishing more does not always end higher).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from checkouts import measure_checkouts  # noqa: E402  (a sibling module of this script)

VOLUMES = (None, 1000, 3000)
NOISE_PP = 0.0005


def probe(root: Path, profiles: int) -> dict[str, Any]:
    """Per instance: (largest stage shortfall pp, at applications, stages short, chosen list's
    shortfall pp)."""
    from smartpick.core.lists.optimizer import optimize_list
    from smartpick.core.plan.guide import SECOND_SPECIALTY
    from smartpick.core.profile import load_profile
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend
    from smartpick.testing import EXAMPLES, REFERENCE_NAMES, optimizer_calls

    catalog = open_catalog()
    out: dict[str, Any] = {}
    for name in REFERENCE_NAMES[:profiles]:
        profile = load_profile(EXAMPLES / f"{name}.toml")
        first = profile.specialties[0]
        second = (
            profile.specialties[1]
            if len(profile.specialties) > 1
            else SECOND_SPECIALTY.get(first, ("",))[0]
        )
        for specialties in [(first,), (first, second)] if second else [(first,)]:
            for budget in VOLUMES:
                options: dict[str, Any] = {"specialties": specialties, "catalog": catalog}
                options["budget_usd"] = budget
                with optimizer_calls() as seen:
                    recommend(profile.model_copy(update={"budget_usd": None}), **options)
                problem, shipped, _ = seen[-1]
                polished = optimize_list(problem, polish=True, intervals=False)
                by_size = {s.lists.size: s.objective for s in polished.stages}
                short = [
                    (100 * (by_size[s.lists.size] - s.objective), s.lists.size)
                    for s in shipped.stages
                    if s.lists.size in by_size
                ]
                worst = max(short, default=(0.0, 0))
                chosen = 100 * (polished.stage.objective - shipped.stage.objective)
                label = (
                    f"{name}, {'+'.join(specialties)}, "
                    f"{'default volume' if budget is None else f'${budget:,}'}"
                )
                out[label] = (
                    worst[0],
                    worst[1],
                    sum(pp > NOISE_PP for pp, _ in short),
                    chosen,
                )
    return out


def main() -> None:
    """Print the table for this checkout (and `--before`)."""
    found = measure_checkouts(
        Path(__file__), ("profiles", 6, 6, "reference profiles (in their order)"), probe
    )
    if found is None:
        return
    print(
        "per instance: the curve's largest shortfall against every stage polished (pp, at N "
        "applications), stages short by more than 0.0005 pp, the chosen list's shortfall (pp)"
    )
    for key in found["after"]:
        cells = [
            "{:7.4f} at {:3d}, {:3d} short, list {:7.4f}".format(*found[label][key])
            for label in found
        ]
        print(f"  {key:<62} " + "   ".join(f"{k}: {c}" for k, c in zip(found, cells, strict=True)))
    for label, rows in found.items():
        for volume in ("default volume", "$"):
            picked = [r for key, r in rows.items() if volume in key]
            print(
                f"  {label}, {'default volume' if volume != '$' else 'budgets'}: largest "
                f"shortfall {max(r[0] for r in picked):.4f} pp, chosen lists' largest "
                f"{max(r[3] for r in picked):.4f} pp, {sum(r[2] for r in picked)} stages short "
                f"in {len(picked)} instances"
            )


if __name__ == "__main__":
    main()
