"""Upper bounds on the list objective at real sizes: a linear program (LP) and a MILP (HiGHS).

Why a bound exists. Write x_is = 1 when program i is in the list at signal level s (at most one
level per program) and a_isk = -log(1 - m_is(u_k)), with m the program's P(match | u_k) at that
level. Given the shared applicant effect u_k the programs are independent, so

    P(no match | u_k) = prod (1 - m_is)^x_is = exp(-y_k),   y_k = sum_is a_isk x_is,
    F(x) = sum_k w_k (1 - exp(-y_k)),

and 1 - exp(-y) is concave: F is concave in x and exact at 0/1 points. With preference values
v_i the objective E[max v_i over matched i] splits into layers: for the distinct values
v(1) > ... > v(J) > v(J+1) = 0,

    F(x) = sum_j (v(j) - v(j+1)) sum_k w_k (1 - exp(-y_jk)),   y_jk = sum over v_i >= v(j),

still concave (one layer with the P(match) objective). Every tangent of 1 - exp(-y) lies above
it, so replacing each 1 - exp(-y_jk) by a variable t_jk below some tangents gives a linear
program whose optimum is at least F(x) for every feasible x: an upper bound on every list.

Constraints, all linear: the ERAS fees of each specialty's n programs are replaced by the
lower convex envelope of the fee schedule (for the 2025-2026 schedules, $11 then $30, the
envelope is the schedule itself), the budget is on programs' fees (budget minus the transcript
fee), the count, the signal allowances per specialty and level, must-include and excluded
programs.

The LP (`lp_bound`) relaxes x to [0, 1] and adds tangents where they matter (Kelley's cutting
planes): start from a fixed grid, solve, add the tangent at each y_jk of the solution, and stop
when the LP optimum is within `tolerance` of F at its own solution. Every round's optimum is a
valid bound; the rounds only tighten it. The MILP (`milp_bound`) keeps x binary (and, for fee
schedules that are not convex, such as the 2024 flat first tier, models the fee tiers exactly
with one binary per tier); within its time limit it finds a list (whose exact objective is a
lower bound on the optimum) and a dual bound (an upper bound), and adds tangents at its list
until the two agree. Both use the point estimate (draw 0), as the optimizer does, with the
optimizer's cap on m (1 - 1e-9); the model itself is in `core.lists.bound_model`. They hold up to
HiGHS's feasibility tolerance (1e-7 per row): a bound may sit ~1e-7 below a list it matches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from smartpick.core.lists.bound_model import TangentModel
from smartpick.core.lists.types import ListProblem


@dataclass(frozen=True)
class ListBound:
    """An upper bound on the objective of every list that meets the problem's constraints.

    `bound`: no feasible list does better. `method`: "LP" or "MILP". `cuts`: tangents in the
    final model; `rounds`: solves. MILP only: `selected`/`signals` (positions and levels of the
    best list it found), `list_objective` (that list's exact objective) and `proven` (the solver
    closed its gap within the time limit, so `bound` is the optimum up to the tolerance).
    """

    bound: float
    method: Literal["LP", "MILP"]
    seconds: float
    cuts: int
    rounds: int
    selected: tuple[int, ...] = ()
    signals: tuple[int, ...] = ()
    list_objective: float | None = None
    proven: bool = False


def lp_bound(problem: ListProblem, *, tolerance: float = 1e-7, max_rounds: int = 60) -> ListBound:
    """The LP relaxation's optimum: an upper bound on the objective of every feasible list."""
    started = time.perf_counter()
    model = TangentModel(problem)
    if model.empty:
        return ListBound(0.0, "LP", time.perf_counter() - started, 0, 0)
    value = model.refine(tolerance, max_rounds)
    return ListBound(value, "LP", time.perf_counter() - started, model.cuts, model.rounds)


def milp_bound(
    problem: ListProblem,
    *,
    time_limit: float = 60.0,
    tolerance: float = 1e-7,
    max_rounds: int = 4,
) -> ListBound:
    """The integer program: the best list within `time_limit` seconds and a bound on any list.

    Starts from the converged LP (its tangents and its bound), then solves with binary x and adds
    the tangents at the list found until its modelled and exact objectives agree.
    """
    started = time.perf_counter()
    model = TangentModel(problem)
    if model.empty:
        return ListBound(0.0, "MILP", time.perf_counter() - started, 0, 0, proven=True)
    lp_value = model.refine(tolerance, 60)
    model.make_integer()
    best: tuple[float, NDArray[np.int64]] = (-1.0, np.zeros(0, dtype=np.int64))
    bound, proven = lp_value, False
    for _ in range(max_rounds):
        left = time_limit - (time.perf_counter() - started)
        if left <= 0:
            break
        model.highs.setOptionValue("time_limit", float(left))
        found = model.solve_integer()
        if found is None:
            break
        modelled, dual, optimal, chosen = found
        exact = model.exact_list_objective(chosen)
        if exact > best[0]:
            best = (exact, chosen)
        bound = min(bound, dual)
        proven = optimal
        if modelled - exact <= tolerance or model.add_cuts_at_solution(tolerance) == 0:
            break
    selected, signals = model.list_of(best[1])
    return ListBound(
        bound=max(bound, best[0]),
        method="MILP",
        seconds=time.perf_counter() - started,
        cuts=model.cuts,
        rounds=model.rounds,
        selected=selected,
        signals=signals,
        list_objective=best[0] if best[0] >= 0 else None,
        proven=proven,
    )
