"""Do two checkouts give the same lists and the same shown P(match)? For an optimizer change that
should not move any result (or a change to which stages are polished).

    .venv/bin/python bench/same_lists.py --before /path/to/other/checkout   # its own .venv

Instances that differ only in the ends of intervals (a change to the bootstrap draws' rounding)
are counted apart, with the largest difference. Instances: the six reference profiles x budgets
$500-$5,000 and the default volume (no budget) x one and two specialties (the profile's second, else Family or Internal Medicine), and counts
of 40, 100 and 160 programs without a budget (one specialty), plus 24 seeded random variants of
them (Step 2 CK, months of hands-on US clinical experience, year of graduation, changed as the
what-if does) at $1,200, $3,000 and the default volume. For each: the programs with their
signals and P(interview), P(match) with its interval, every curve point (fees, P(match) with
interval, objective), the fees, the stopping point, and what limited the list with the gain of
one more application, compared exactly (repr of every float); for the curve, the largest
difference of the unrounded objectives is printed too (a change in how a sum is ordered moves
them by about 1e-16).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

BUDGETS = (500, 1000, 1500, 2000, 3000, 5000, None)
COUNTS = (40, 100, 160)  # without a budget: the list ends at the count or at its stopping stage
VARIANT_BUDGETS = (1200, 3000, None)
VARIANTS = 24


def _estimate(e: Any) -> list[str] | None:
    return None if e is None else [repr(e.point), repr(e.low), repr(e.high)]


def _dump(rec: Any) -> dict[str, Any]:
    return {
        "programs": [[r.program.id, r.signal, repr(r.p_interview.point)] for r in rec.programs],
        "p_match": _estimate(rec.p_match),
        "curve": [
            [c.applications, c.fees_usd, _estimate(c.p_match), repr(c.objective)] for c in rec.curve
        ],
        "fees": rec.program_fees_usd,
        "stop": rec.stop_at_applications,
        "limited_by": [rec.binding, repr(rec.next_gain_pp)],
    }


def _without_ranges(dump: dict[str, Any]) -> dict[str, Any]:
    """The dump with every interval's ends left out (the point estimates kept)."""
    return {
        **dump,
        "p_match": dump["p_match"] and dump["p_match"][:1],
        "curve": [[*c[:2], c[2] and c[2][:1], c[3]] for c in dump["curve"]],
    }


def _range_gap(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The largest difference between the two dumps' interval ends (same shapes)."""
    curves = zip(a["curve"], b["curve"], strict=True)
    pairs = [(a["p_match"], b["p_match"]), *((x[2], y[2]) for x, y in curves)]
    ends = ((u, v) for x, y in pairs if x and y for u, v in zip(x[1:], y[1:], strict=True))
    return max((abs(float(u) - float(v)) for u, v in ends), default=0.0)


def probe(root: Path) -> dict[str, Any]:
    """Every instance's list and shown P(match), from the checkout this interpreter imports."""
    from smartpick.core.profile import load_profile
    from smartpick.core.profile.whatif import apply_changes
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend

    catalog = open_catalog()
    files = sorted((root / "examples" / "profiles").glob("*.toml"))
    profiles = {f.stem: (load_profile(f), BUDGETS) for f in files}
    rng = random.Random(7)
    for i in range(VARIANTS):
        name = rng.choice(sorted(p for p in profiles if not p.startswith("variant")))
        base = profiles[name][0]
        change: dict[str, Any] = {}
        if rng.random() < 0.8:
            change["step2ck"] = rng.randint(200, 270)
        if rng.random() < 0.8:
            change["usce_months"] = float(rng.randint(0, 12))
        if rng.random() < 0.8:
            change["graduation_year"] = rng.randint(base.match_year - 12, base.match_year - 1)
        if change:
            profiles[f"variant{i}-{name}"] = (apply_changes(base, change)[0], VARIANT_BUDGETS)
    instances: dict[str, tuple[Any, dict[str, Any]]] = {}  # key -> (profile, recommend options)
    for name, (profile, budgets) in profiles.items():
        first = profile.specialties[0]
        other = "Family Medicine" if first != "Family Medicine" else "Internal Medicine"
        second = profile.specialties[1] if len(profile.specialties) > 1 else other
        unlimited = profile.model_copy(update={"budget_usd": None})
        for specialties in ([first], [first, second]):
            for budget in budgets:
                key = f"{name} | {' + '.join(specialties)} | {budget or 'default volume'}"
                options = {"budget_usd": budget, "specialties": specialties}
                instances[key] = (profile if budget is not None else unlimited, options)
        if not name.startswith("variant"):
            for count in COUNTS:
                key = f"{name} | {first} | {count} programs"
                instances[key] = (unlimited, {"count": count, "specialties": [first]})
    out: dict[str, Any] = {}
    for key, (profile, options) in instances.items():
        try:
            out[key] = _dump(recommend(profile, catalog=catalog, **options))
        except Exception as error:  # an error is a result too: both must give it
            out[key] = f"{type(error).__name__}: {error}"
    return out


def main() -> int:
    """Compare this checkout with `--before`; exit 1 if any instance differs."""
    parser = argparse.ArgumentParser(description="Same lists and P(match) in two checkouts?")
    parser.add_argument("--before", type=Path, help="the other checkout (with its .venv)")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:
        print(json.dumps(probe(args.probe)))
        return 0
    if args.before is None:
        parser.error("--before: give the checkout to compare with")
    results = {}
    for name, checkout in (
        ("after", Path(__file__).resolve().parent.parent),
        ("before", args.before),
    ):
        python = checkout.resolve() / ".venv" / "bin" / "python"
        done = subprocess.run(
            [str(python), str(Path(__file__).resolve()), "--probe", str(checkout.resolve())],
            capture_output=True,
            text=True,
            check=True,
        )
        results[name] = json.loads(done.stdout)
    after, before = results["after"], results["before"]
    differ = [key for key in after if after[key] != before.get(key)]
    lists = [
        k
        for k in differ
        if not isinstance(after[k], str) and after[k]["programs"] != before[k]["programs"]
    ]
    print(f"{len(after)} instances; {len(differ)} differ (lists differ in {len(lists)})")
    # a change to how the bootstrap draws are rounded moves the intervals' ends only
    ranges_only = [
        k
        for k in differ
        if isinstance(after[k], dict)
        and isinstance(before.get(k), dict)
        and _without_ranges(after[k]) == _without_ranges(before[k])
    ]
    if ranges_only:
        gap = max(_range_gap(after[k], before[k]) for k in ranges_only)
        print(
            f"{len(ranges_only)} of them differ only in the ends of intervals, by up to {gap:.1e}"
            " (lists, points, fees, curves and limits the same)"
        )
    for key in (k for k in differ if k not in ranges_only):
        a, b = after[key], before.get(key)
        if isinstance(a, str) or not isinstance(b, dict):
            print(f"  {key}: {a!r} / {b!r}")
            continue
        pairs = list(zip(a["curve"], b["curve"], strict=False))
        curve = [x[0] for x, y in pairs if x[:3] != y[:3]]
        points = f"{len(b['curve'])} -> {len(a['curve'])} curve points, of which "
        objective = max((abs(float(x[3]) - float(y[3])) for x, y in pairs), default=0.0)
        limit = (
            "the same"
            if a["limited_by"] == b.get("limited_by")
            else f"{b.get('limited_by')} -> {a['limited_by']}"
        )
        print(
            f"  {key}: list {'same' if a['programs'] == b['programs'] else 'DIFFERENT'}, "
            f"P(match) {'same' if a['p_match'] == b['p_match'] else 'DIFFERENT'}, "
            f"limited by {limit}, "
            f"{points}{len(curve)} differ in size, fees or P(match) "
            f"(from {min(curve, default='-')} applications); objectives differ by up to "
            f"{objective:.1e}"
        )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
