"""What a "handoff" move, which the optimizer does not make, would add to the shipped lists where
they fall short of the MILP optimum. A study for a future polish, not the product's code.

    .venv/bin/python bench/handoff.py [--instances 4] [--milp-seconds 60]   (a few minutes)

`bench/optimizer.py --only bound` finds the shipped list short of the MILP optimum by up to about
0.2 pp on the reference profiles' lists with the largest gaps to the LP bound, the optimum moving
signals to programs worth listing only with one. The polish swaps one program for another, or
upgrades or exchanges one signal, at a time. The handoff move changes up to four programs at
once:
- a program d not on the list comes in at signal level s (gold or silver);
- the program q of d's signal group that holds level s steps down to a lower level s2;
- if s2 is a signal level, the program r that holds s2 steps down to no signal;
- a listed program c without a signal, of d's fee group, leaves (so the fees stay the same).

Here the move is searched exhaustively with numpy, taking the best one each time until none
raises P(match). The script prints, for the `--instances` lists with the largest gaps to the LP
bound (as `bench/optimizer.py` picks them), the shipped P(match), the handoff search's result and
the MILP optimum.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from optimizer import real_instances  # noqa: E402  (a sibling module of this script)

from smartpick.core.lists.bound import milp_bound  # noqa: E402
from smartpick.core.lists.types import _M_CAP, ListProblem  # noqa: E402
from smartpick.testing import REFERENCE_NAMES  # noqa: E402

BUDGETS = (500, 1000, 1500, 2000, 2500, 3000)  # as bench/optimizer.py's bound part
_GAIN = 1e-12  # a move must raise P(match) by more than this


def _terms(problem: ListProblem) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """m per (level, program, node) at the point estimate (capped as the optimizer caps it) and
    the nodes' weights."""
    cm = problem.chances
    levels = range(cm.levels)
    m = np.stack([np.minimum(cm.point_interview[s] * cm.point_conversion, _M_CAP) for s in levels])
    return m, cm.weights


def p_match(m: NDArray[np.float64], w: NDArray[np.float64], level: dict[int, int]) -> float:
    """1 - w . (product of (1 - m) over the listed programs)."""
    q = np.ones(m.shape[2])
    for i, s in level.items():
        q *= 1.0 - m[s, i]
    return float(1.0 - q @ w)


def best_handoff(
    problem: ListProblem, m: NDArray[np.float64], w: NDArray[np.float64], level: dict[int, int]
) -> tuple[float, tuple[int, int, int, int, int | None, int]] | None:
    """The handoff (d, s, q, s2, r, c) that raises P(match) most, with its new P(match)."""
    groups, fees = problem.signal_groups, problem.fee_groups
    q_now = np.ones(m.shape[2])
    for i, s in level.items():
        q_now *= 1.0 - m[s, i]
    wq, now = w * q_now, float(1.0 - q_now @ w)
    holders: dict[tuple[str | None, int], list[int]] = {}
    for i, s in level.items():
        if s > 0:
            holders.setdefault((groups[i], s), []).append(i)
    best: tuple[float, tuple[int, int, int, int, int | None, int]] | None = None
    for fee_group in sorted(set(fees)):
        leave = [c for c, s in level.items() if s == 0 and fees[c] == fee_group]
        if not leave:
            continue
        keep = 1.0 / (1.0 - m[0, leave])  # (C, K): c's factor divided out
        for (group, s), holding in holders.items():
            come = [
                d
                for d in range(m.shape[1])
                if d not in level and groups[d] == group and fees[d] == fee_group
            ]
            if not come:
                continue
            for q in holding:
                for s2 in range(s):
                    for r in [None] if s2 == 0 else holders.get((group, s2), []):
                        if r == q:
                            continue
                        factor = (1.0 - m[s2, q]) / (1.0 - m[s, q])
                        if r is not None:
                            factor = factor * (1.0 - m[0, r]) / (1.0 - m[s2, r])
                        # new P(match) for every (d, c): 1 - sum_k wq (1 - m_ds) factor / (1 - m_c)
                        after = 1.0 - ((1.0 - m[s, come]) * (wq * factor)) @ keep.T
                        j, k = np.unravel_index(int(np.argmax(after)), after.shape)
                        value = float(after[j, k])
                        if value > now + _GAIN and (best is None or value > best[0]):
                            best = (value, (come[j], s, q, s2, r, leave[k]))
    return best


def handoff_search(problem: ListProblem, level: dict[int, int]) -> tuple[float, int]:
    """P(match) after taking the best handoff until none raises it, and the moves taken."""
    m, w = _terms(problem)
    level, moves = dict(level), 0
    while (found := best_handoff(problem, m, w, level)) is not None:
        d, s, q, s2, r, c = found[1]
        del level[c]
        level[d], level[q] = s, s2
        if r is not None:
            level[r] = 0
        moves += 1
    return p_match(m, w, level), moves


def main() -> int:
    """Print the shipped, handoff and MILP P(match) on the lists with the largest gaps."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=4)
    parser.add_argument("--milp-seconds", type=float, default=60.0)
    args = parser.parse_args()
    if not (1 <= args.instances <= 20 and 1 <= args.milp_seconds <= 600):
        parser.error("instances 1-20, milp-seconds 1-600")
    found = real_instances(REFERENCE_NAMES, BUDGETS)
    print("\nP(match) of the shipped list, after the handoff search, and the MILP optimum")
    for x in sorted(found, key=lambda i: -i.gap_pp)[: args.instances]:
        stage = x.shipped.stage
        shipped = dict(zip(stage.selected, stage.lists.lists[1], strict=True))
        started = time.perf_counter()
        handed, moves = handoff_search(x.problem, shipped)
        seconds = time.perf_counter() - started
        optimum = milp_bound(x.problem, time_limit=args.milp_seconds)
        best = optimum.list_objective or 0.0
        closed = (
            (handed - stage.objective) / (best - stage.objective) if best > stage.objective else 1
        )
        print(
            f"  {x.profile:15s} {'+'.join(x.specialties):40s} ${x.budget:5d}: shipped "
            f"{100 * stage.objective:.3f}%, handoff {100 * handed:.3f}% ({moves} moves, "
            f"{seconds:.1f} s), MILP {'' if optimum.proven else '>= '}{100 * best:.3f}%: "
            f"{100 * closed:.0f}% of the gap closed",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
