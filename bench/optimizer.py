"""Figures for the list optimizer. Run: .venv/bin/python bench/optimizer.py [--quick] [--only ...]

(1) Optimality at real sizes: for the six reference profiles x budgets $500-$3,000 x one and two
    specialties, the shipped list's P(match) against the LP upper bound (`core.lists.bound`): no
    list can beat the bound, so the difference bounds the shipped list's gap (target: largest gap
    <= 0.3 pp). The same instances with every stage polished (swaps and signal moves; the shipped
    optimizer polishes small lists only) show what the polish would add. Then the MILP optimum on the instances with the largest gaps (time-limited).
(2) Optimality gap against exhaustive enumeration (every list and signal assignment) on random
    instances small enough to enumerate: single specialty under the real 2026 fees with a count,
    two specialties under a compressed fee schedule with a budget (the knapsack case), and with
    preference values.
(3) For the reference profiles: P(match) of the optimized list against naive lists of the same
    cost: top-N by P(interview), top-N by the applicant's preference, and random IMG-friendly
    lists of the guide's 60-120 size.
(4) Median time to build a list from the whole Internal Medicine catalog.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from smartpick.core.chances.matrix import SIGNAL_LEVELS, ChanceMatrix, p_match
from smartpick.core.lists.bound import lp_bound, milp_bound
from smartpick.core.lists.fees import FeeTier, custom_schedule, fee_schedule
from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.reference import exhaustive_list
from smartpick.core.lists.types import (
    POLISH_EVERY,
    POLISH_MAX_CANDIDATES,
    ListProblem,
    ListSolution,
)
from smartpick.core.plan.guide import SECOND_SPECIALTY
from smartpick.testing import EXAMPLES, REFERENCE_NAMES, optimizer_calls, synthetic_chances

PROFILES = EXAMPLES
TIGHT = custom_schedule(
    (FeeTier(1, 3, "per_program", 11), FeeTier(4, None, "per_program", 30)), transcript_fee_usd=80
)


def gap_instances(count: int, n: int) -> list[tuple[str, ListProblem]]:
    """Random small instances of three kinds, with signals (IM 1 gold + 2 silver, FM 1)."""
    out = []
    for seed in range(count):
        rng = np.random.default_rng(1000 + seed)
        kind = ("count, 1 specialty", "budget, 2 specialties", "preferences, budget")[seed % 3]
        chances = synthetic_chances(n, seed=1000 + seed, nodes=10, draws=2, sigma_u=1.5)
        if kind.startswith("count"):
            groups = ("IM",) * n
            constraints = {"max_programs": int(rng.integers(2, n))}
            schedule = fee_schedule(2026)
        else:
            groups = tuple(str(g) for g in rng.choice(["IM", "FM"], size=n))
            constraints = {"budget_usd": float(rng.integers(110, 300))}
            schedule = TIGHT
        values = tuple(rng.uniform(0.2, 1.0, size=n)) if kind.startswith("pref") else None
        out.append(
            (
                kind,
                ListProblem(
                    chances=chances,
                    fee_groups=groups,
                    fee_schedule=schedule,
                    signal_groups=groups,
                    signal_allowances={"IM": (1, 2), "FM": (1, 0)},
                    values=values,
                    horizon=n,
                    **constraints,  # type: ignore[arg-type]
                ),
            )
        )
    return out


BUDGETS = (500, 1000, 1500, 2000, 2500, 3000)
GAP_TARGET_PP = 0.3


@dataclass(frozen=True)
class Instance:
    """One real list problem: the shipped list, its LP bound and every stage polished on it."""

    profile: str
    specialties: tuple[str, ...]
    budget: int
    problem: ListProblem
    shipped: ListSolution
    shipped_seconds: float
    bound: float
    bound_seconds: float
    polished: float  # P(match) with every stage polished (swaps and signal moves)
    polished_seconds: float

    @property
    def gap_pp(self) -> float:
        return 100 * (self.bound - self.shipped.stage.objective)

    @property
    def polish_pp(self) -> float:
        return 100 * (self.polished - self.shipped.stage.objective)


def _timed(run: Callable[[], float]) -> tuple[float, float]:
    t0 = time.perf_counter()
    value = run()
    return value, time.perf_counter() - t0


def specialty_sets(first: str, specialties: tuple[str, ...]) -> list[tuple[str, ...]]:
    """One specialty (the first), and two: the profile's own pair or the guide's second choice."""
    second = specialties[1] if len(specialties) > 1 else SECOND_SPECIALTY.get(first, ("",))[0]
    return [(first,), (first, second)] if second else [(first,)]


def real_instances(names: tuple[str, ...], budgets: tuple[int, ...]) -> list[Instance]:
    from smartpick.core.profile import load_profile
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend

    catalog = open_catalog()
    out = []
    for name in names:
        profile = load_profile(PROFILES / f"{name}.toml")
        for specialties in specialty_sets(profile.specialties[0], tuple(profile.specialties)):
            assessment = None
            for budget in budgets:
                with optimizer_calls() as seen:
                    rec = recommend(
                        profile,
                        budget_usd=budget,
                        specialties=specialties,
                        catalog=catalog,
                        assessment=assessment,
                    )
                assessment = rec.assessment
                problem, shipped, shipped_seconds = seen[-1]
                bound = lp_bound(problem)
                polished, polished_seconds = _timed(
                    lambda p=problem: optimize_list(p, polish=True).stage.objective
                )
                out.append(
                    Instance(
                        name,
                        specialties,
                        budget,
                        problem,
                        shipped,
                        shipped_seconds,
                        bound.bound,
                        bound.seconds,
                        polished,
                        polished_seconds,
                    )
                )
                _print_instance(out[-1])
    return out


def _quiet(pp: float) -> float:
    """Solver and float noise (below 0.0005 pp) shows as 0."""
    return 0.0 if abs(pp) < 0.0005 else pp


def _print_instance(x: Instance) -> None:
    short = "+".join("".join(w[0] for w in s.split()) for s in x.specialties)
    print(
        f"    {x.profile:15s} {short:6s} ${x.budget:5d} {x.problem.size:5d} "
        f"{x.shipped.stage.applications:4d}  {100 * x.shipped.stage.objective:7.3f}%  "
        f"{100 * x.bound:7.3f}%  {_quiet(x.gap_pp):6.3f}  {x.bound_seconds:5.2f}   "
        f"{100 * x.polished:7.3f}%  {_quiet(x.polish_pp):+7.3f}   {x.shipped_seconds:5.2f}  "
        f"{x.polished_seconds:5.2f}",
        flush=True,
    )


def part_bound(budgets: tuple[int, ...], milp_count: int, milp_seconds: float) -> None:
    print(
        "(1) Shipped list vs the LP upper bound (no list can beat it), reference profiles, 2028 "
        "Match (2026 fees)\n    profile         spec.   budget  progs apps  shipped P  LP bound  "
        "gap pp  LP s    polished  polish pp  opt s  polished s"
    )
    found = real_instances(REFERENCE_NAMES, budgets)
    gaps = [x.gap_pp for x in found]
    polish = [x.polish_pp for x in found]
    verdict = "met" if max(gaps) <= GAP_TARGET_PP else "MISSED"
    print(
        f"    {len(found)} instances: largest gap {max(gaps):.3f} pp (target <= {GAP_TARGET_PP}: "
        f"{verdict}), median {statistics.median(gaps):.3f} pp; LP median "
        f"{statistics.median(x.bound_seconds for x in found):.2f} s, "
        f"largest {max(x.bound_seconds for x in found):.2f} s"
    )
    helped = [p for p in polish if p > 0.0005]
    print(
        f"    polishing every stage (swaps + signal moves) over the shipped list (above "
        f"{POLISH_MAX_CANDIDATES} candidates: every {POLISH_EVERY}th stage and the last that fits): "
        f"+{max(polish):.3f} pp at most, "
        f"mean {statistics.fmean(polish):+.4f} pp; adds > 0.0005 pp on {len(helped)} of "
        f"{len(found)}, lowers the objective on {sum(p < -0.0005 for p in polish)}; time "
        f"{sum(x.shipped_seconds for x in found):.1f} s shipped vs "
        f"{sum(x.polished_seconds for x in found):.1f} s polished"
    )
    if milp_count:
        print(
            f"    MILP (binary lists, {milp_seconds:.0f} s limit) on the {milp_count} largest gaps:"
        )
        for x in sorted(found, key=lambda i: -i.gap_pp)[:milp_count]:
            m = milp_bound(x.problem, time_limit=milp_seconds)
            best = m.list_objective or 0.0
            print(
                f"    {x.profile:15s} {'+'.join(x.specialties):40s} ${x.budget:5d}: optimum "
                f"{'' if m.proven else '>= '}{100 * best:.3f}% (bound {100 * m.bound:.3f}%), "
                f"shipped {100 * x.shipped.stage.objective:.3f}% (short by "
                f"{100 * (best - x.shipped.stage.objective):.3f} pp), "
                f"{'proven' if m.proven else 'time limit'} in {m.seconds:.1f} s",
                flush=True,
            )


def part_gap(count: int, n: int) -> None:
    print(f"(2) Optimality gap vs exhaustive enumeration: {count} random instances, {n} programs")
    gaps: dict[str, list[float]] = {}
    started = time.perf_counter()
    for kind, problem in gap_instances(count, n):
        best, _, _ = exhaustive_list(problem)
        found = optimize_list(problem).stage.objective
        gaps.setdefault(kind, []).append(best - found)
    every = [g for values in gaps.values() for g in values]
    for kind, values in gaps.items():
        print(
            f"    {kind:24s} n={len(values):3d}  largest gap {100 * max(values):.3f} pp  "
            f"mean {100 * statistics.fmean(values):.4f} pp  exact optimum found in "
            f"{sum(g < 1e-9 for g in values)}/{len(values)}"
        )
    print(
        f"    all                      n={len(every):3d}  largest gap {100 * max(every):.3f} pp  "
        f"mean {100 * statistics.fmean(every):.4f} pp  ({time.perf_counter() - started:.0f} s)"
    )


def _signals_in_order(
    order: list[int], specialty_of: list[str], allowances: dict[str, tuple[int, int]], levels: int
) -> list[int]:
    """A naive applicant signals the first programs of their own list: gold first, then silver."""
    left = {s: list(a) for s, a in allowances.items()}
    out = []
    for i in order:
        gold, silver = left.get(specialty_of[i], [0, 0])
        if gold and levels > 2:
            left[specialty_of[i]][0] -= 1
            out.append(SIGNAL_LEVELS.index("gold"))
        elif silver and levels > 1:
            left[specialty_of[i]][1] -= 1
            out.append(SIGNAL_LEVELS.index("silver"))
        else:
            out.append(0)
    return out


def _p(cm: ChanceMatrix, order: list[int], levels: list[int]) -> float:
    return float(p_match(cm, order, levels)[0]) if order else 0.0


def _pp(difference: float) -> str:
    """A signed difference in percentage points; float noise below 0.05 pp shows as +0.0."""
    value = 100 * difference
    return f"{0.0 if abs(value) < 0.05 else value:+5.1f} pp"


def _best_at_cost(curve: list[dict], fee_usd: int) -> float:
    fitting = [c["p_match"]["point"] for c in curve if c["fees_usd"] <= fee_usd]
    return max(fitting) if fitting else 0.0


def _preference_order(profile: object, programs: list) -> list[int]:
    """The applicant's own order: their preferred area first, then university programs, then size."""
    preferred = set(profile.preferred_regions)  # type: ignore[attr-defined]
    states = set(profile.preferred_states) | set(profile.ties_states)  # type: ignore[attr-defined]

    def key(i: int) -> tuple[bool, bool, float, int]:
        p = programs[i]
        in_area = p.region.value in preferred or p.state.value in states
        return (not in_area, p.setting.value != "university", -(p.pgy1_positions.value or 0), i)

    return sorted(range(len(programs)), key=key)


class _Comparison:
    """One reference profile: its chances, its optimized curve, and naive lists to compare."""

    def __init__(self, name: str, catalog: object) -> None:
        from smartpick.core.lists.signals import signal_allowance
        from smartpick.core.profile import load_profile
        from smartpick.service.assess import assess
        from smartpick.service.recommend import recommend

        self.name = name
        self.profile = load_profile(PROFILES / f"{name}.toml")
        assessment = assess(self.profile, catalog=catalog)
        self.cm, self.programs = assessment.chances, list(assessment.programs)
        self.curve = recommend(self.profile, count=150, catalog=catalog).to_dict()["curve"]
        self.specialty_of = [p.specialty for p in self.programs]
        self.allowances = {
            s: (signal_allowance(s, 2026).gold, signal_allowance(s, 2026).silver)
            for s in set(self.specialty_of)
        }
        self.levels = len(self.cm.interview_by_signal)
        self.schedule = fee_schedule(2026)

    def cost(self, order: list[int]) -> int:
        from smartpick.core.lists.request import fee_group

        counts: dict[str, int] = {}
        for i in order:
            group = fee_group(self.programs[i])
            counts[group] = counts.get(group, 0) + 1
        return self.schedule.total_fee_usd(counts)

    def naive_p(self, order: list[int]) -> float:
        levels = _signals_in_order(order, self.specialty_of, self.allowances, self.levels)
        return _p(self.cm, order, levels)

    def row(self, label: str, order: list[int]) -> None:
        fee = self.cost(order)
        naive, best = self.naive_p(order), _best_at_cost(self.curve, fee)
        print(
            f"    {self.name:16s} {label:26s} {len(order):4d} {fee:6d}   {100 * naive:6.1f}%"
            f"      {100 * best:6.1f}%   {_pp(best - naive)}"
        )

    def random_friendly(self, lists: int) -> None:
        shares = np.array([p.pct_non_us_img.value or 0.0 for p in self.programs])
        friendly = [i for i in range(len(self.programs)) if shares[i] >= np.median(shares)]
        rng = np.random.default_rng(7)
        naive_ps, best_ps, sizes, fees = [], [], [], []
        for _ in range(lists):
            size = min(int(rng.integers(60, 121)), len(friendly))
            order = [int(i) for i in rng.choice(friendly, size=size, replace=False)]
            naive_ps.append(self.naive_p(order))
            best_ps.append(_best_at_cost(self.curve, self.cost(order)))
            sizes.append(len(order))
            fees.append(self.cost(order))
        naive, best = statistics.fmean(naive_ps), statistics.fmean(best_ps)
        print(
            f"    {self.name:16s} {'random IMG-friendly (mean)':26s} "
            f"{round(statistics.fmean(sizes)):4d} {round(statistics.fmean(fees)):6d}   "
            f"{100 * naive:6.1f}%      {100 * best:6.1f}%   {_pp(best - naive)}"
        )


def part_naive(names: list[str], random_lists: int) -> None:
    from smartpick.service.catalog import open_catalog

    print("(3) P(match) of the optimized list vs naive lists of the same cost (2026 fees)")
    print(
        "    profile          list                          N   fees   naive P   optimized P   gain"
    )
    catalog = open_catalog()
    for name in names:
        c = _Comparison(name, catalog)
        p_interview = (c.cm.interview[0] @ c.cm.weights).tolist()
        by_interview = sorted(range(len(c.programs)), key=lambda i: (-p_interview[i], i))
        by_preference = _preference_order(c.profile, c.programs)
        for n in (30, 60, 100):
            c.row(f"top-{n} by P(interview)", by_interview[:n])
        for n in (30, 60, 100):
            c.row(f"top-{n} by preference", by_preference[:n])
        c.random_friendly(random_lists)


def part_timing(repeats: int) -> None:
    from smartpick.core.profile import load_profile
    from smartpick.service.assess import assess
    from smartpick.service.catalog import open_catalog
    from smartpick.service.recommend import recommend

    print("(4) Time to build a list from the whole Internal Medicine catalog (categorical)")
    catalog = open_catalog()
    profile = load_profile(PROFILES / "guide-sample.toml")
    # a profile with no visa need keeps (almost) every IM program eligible: the largest instance
    open_profile = profile.model_copy(update={"visa": "none", "applicant_type": "us_img"})
    for label, prof in (("guide-sample (J-1)", profile), ("no visa need", open_profile)):
        recommend(prof, budget_usd=1200, catalog=catalog)  # warm caches
        total, model_only = [], []
        with optimizer_calls() as calls:  # the optimizer alone, inside recommend()
            for _ in range(repeats):
                t0 = time.perf_counter()
                assessment = assess(prof, catalog=catalog)
                t1 = time.perf_counter()
                recommend(prof, budget_usd=1200, catalog=catalog)
                t2 = time.perf_counter()
                model_only.append(t1 - t0)
                total.append(t2 - t1)
        cm = assessment.chances
        print(
            f"    {label:20s} {len(assessment.programs)} eligible programs "
            f"(K={cm.weights.size} nodes, {cm.conversion.shape[0] - 1} draws), budget $1200: "
            f"recommend() median {statistics.median(total):.2f} s, of which the optimizer "
            f"{statistics.median(seconds for _, _, seconds in calls):.2f} s (assess() alone "
            f"{statistics.median(model_only):.2f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer instances and repeats")
    parser.add_argument("--only", choices=("bound", "gap", "naive", "timing"), default=None)
    parser.add_argument("--milp", type=int, default=4, help="MILP runs (largest gaps first)")
    parser.add_argument("--milp-seconds", type=float, default=60.0, help="time limit per MILP")
    args = parser.parse_args()
    if args.only in (None, "bound"):
        budgets = (500, 1500, 3000) if args.quick else BUDGETS
        part_bound(budgets, 1 if args.quick else args.milp, args.milp_seconds)
    if args.only in (None, "gap"):
        part_gap(count=30 if args.quick else 60, n=9)
    if args.only in (None, "naive"):
        part_naive(list(REFERENCE_NAMES), random_lists=5 if args.quick else 20)
    if args.only in (None, "timing"):
        part_timing(repeats=3 if args.quick else 7)


if __name__ == "__main__":
    main()
