"""The application list as an optimization: which programs to apply to, and which to signal.

Objective. For a set S with signal levels, given the shared applicant effect u, outcomes at
different programs are independent (see `chances`). With preference values v_i (1 for every
program when the applicant gives none) and programs sorted by preference, the applicant-proposing
match gives the most preferred program among those that would match, so

    F(S | u) = sum_{i in S} v_i m_i(u) prod_{j in S, j preferred to i} (1 - m_j(u))
             = E[ max_{i in S, i matches} v_i | u ],

and F(S) = sum_k w_k F(S | u_k) with the matrix's quadrature weights. With all v_i = 1 this is
P(at least one match). For fixed u it is the expectation of a maximum of independent non-negative
weighted indicators, which is monotone and submodular in S (docs/optimizer.md has the proof
sketch); a mixture over u keeps both properties.

Method (a chain of lists, one per size). Stage 0 holds the must-include programs. Each later stage
adds the program (with a signal level, if any allowance is left) of largest objective gain per
dollar of its marginal ERAS fee, then improves the list by swaps (one program out, another in,
never raising the stage's fees) and by signal moves (upgrade, or move a signal to where it adds
more). The chain does not depend on the budget or the count, so the list for a budget B is the
best stage whose fees fit in B (and whose size fits the count): raising the budget or the count
never lowers the objective. The chain is also the curve of the objective against the number of
applications and against fees, and gives the marginal gain of the next application.

All gains come in closed form from prefix products over the preference order, so one stage costs
a few (n x K) by (K x |S|) matrix products for n candidates and K quadrature nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from smartpick.core.cancellation import checkpoint
from smartpick.core.lists.chain import _Chain, contributions
from smartpick.core.lists.curve import StageSet
from smartpick.core.lists.curve import stages as curve_stages
from smartpick.core.lists.economics import worth_sending
from smartpick.core.lists.fast_chain import FastChain, stage_set_after, stage_set_of
from smartpick.core.lists.types import (
    _EXTRA_FEE_POWERS,
    _TOL,
    POLISH_EVERY,
    POLISH_EVERY_STAGE_UP_TO,
    POLISH_MAX_CANDIDATES,
    ListChoice,
    ListProblem,
    ListSolution,
    Stage,
    StageLists,
    chain_end,
    ends_past_limits,
)
from smartpick.errors import InvalidInput


def _validate(problem: ListProblem) -> None:
    n = problem.size
    if len(problem.fee_groups) != n:
        raise InvalidInput("fee_groups: one per program is required", field="fee_groups")
    if problem.signal_groups and len(problem.signal_groups) != n:
        raise InvalidInput("signal_groups: one per program is required", field="signal_groups")
    if problem.values is not None:
        if len(problem.values) != n:
            raise InvalidInput("preferences: one value per program is required", field="values")
        if any(not np.isfinite(v) or v < 0 for v in problem.values):
            raise InvalidInput("preferences: values must be 0 or more", field="preferences")
    if problem.budget_usd is not None and not problem.budget_usd >= 0:
        raise InvalidInput(
            f"budget_usd: must be 0 or more, got {problem.budget_usd}", field="budget_usd"
        )
    if problem.max_programs is not None and problem.max_programs < 0:
        raise InvalidInput(f"count: must be 0 or more, got {problem.max_programs}", field="count")
    if problem.whole_curve and not problem.stopping_stage:
        raise ValueError("a chain drawing the whole curve passes its stopping stage")
    if not problem.match_value_usd > 0:
        raise InvalidInput(
            f"match_value_usd: must be more than 0, got {problem.match_value_usd}",
            field="match_value_usd",
        )
    for name, items in (("must_include", problem.must_include), ("exclude", problem.excluded)):
        bad = [i for i in items if not 0 <= i < n]
        if bad:
            raise InvalidInput(f"{name}: positions out of range: {bad}", field=name)
    both = set(problem.must_include) & set(problem.excluded)
    if both:
        names = ", ".join(problem.chances.program_ids[i] for i in sorted(both))
        raise InvalidInput(
            f"must_include: {names} cannot be both included and excluded", field="must_include"
        )


def optimize_list(
    problem: ListProblem,
    *,
    reference: bool = False,
    polish: bool | None = None,
    intervals: bool = True,
) -> ListSolution:
    """Choose the programs (and signals) maximizing the objective under the constraints.

    Deterministic: the same problem gives the same list. Raises InvalidInput when the
    must-include programs alone break the budget or the count.

    `polish`: swaps and signal moves after every stage within the limits. By default only with
    preference values or at most `POLISH_MAX_CANDIDATES` candidates, where a tight budget can
    leave greedy short; on real catalogs it adds almost nothing (`bench/optimizer.py`), so P(match)
    lists grow on the fast chain (`core.lists.fast_chain`). `reference=True` grows them on the
    general chain instead, which gives the same lists (tests).

    `intervals=False`: the stages carry P(match) at the point estimate only (no bootstrap draws
    of the curve, `Stage.p_match_range` None); the lists are the same.
    """
    chain, stage_sets, alternative_sets, stop_at = _grow(problem, reference, polish)
    stages = curve_stages(problem, stage_sets, intervals=intervals)
    chosen, following, binding = _choose(problem, stage_sets, alternative_sets, stop_at)
    # the other chains' stages are chosen on their objective: measured only when one is chosen
    alternatives: tuple[Stage, ...] = ()
    if any(k is not None and k >= len(stages) for k in (chosen, following)):
        alternatives = curve_stages(problem, alternative_sets, intervals=intervals)
    pool = (*stages, *alternatives)
    choice = _choice(problem, pool[chosen].lists, binding, like=chain)
    return ListSolution(
        **vars(choice),
        stages=stages,
        stage=pool[chosen],
        next_stage=None if following is None else pool[following],
        stop_at=stop_at,
    )


def choose_list(
    problem: ListProblem, *, reference: bool = False, polish: bool | None = None
) -> ListChoice:
    """The list `optimize_list` chooses, alone: the same programs, signals, fees and
    contributions, for a caller that reads nothing else (a list priced, not shown): no stage of
    the chain is measured (no curve, no P(match) per stage)."""
    chain, stage_sets, alternative_sets, stop_at = _grow(problem, reference, polish)
    chosen, _, binding = _choose(problem, stage_sets, alternative_sets, stop_at)
    lists = [*stage_sets, *alternative_sets][chosen][0]
    return _choice(problem, lists, binding, like=chain)


def _grow(
    problem: ListProblem, reference: bool, polish: bool | None
) -> tuple[_Chain, list[StageSet], list[StageSet], int | None]:
    """The chains of `optimize_list`: (the chain, the curve's stages, the other chains' stages,
    the stopping stage)."""
    _validate(problem)
    if polish is None:
        candidates = problem.size if problem.candidates is None else len(problem.candidates)
        polish = problem.values is not None or candidates <= POLISH_MAX_CANDIDATES
    fast = not (reference or polish or problem.values is not None)
    # must-include programs take their signals on the general chain (signal moves), then grow
    chain = FastChain(problem) if fast and not problem.must_include else _Chain(problem)
    transcript = problem.fee_schedule.transcript_fee_usd
    for i in problem.must_include:
        p = int(chain.pos_of[i])
        if not chain.sel[p]:
            chain.put(p, 0)
            chain.fixed[p] = True
    chain.exclude(chain.fixed)
    chain.refresh()
    if problem.must_include:
        chain.improve_signals()
        total = chain.fee + transcript
        if problem.budget_usd is not None and total > problem.budget_usd:
            raise InvalidInput(
                f"budget_usd: the {len(problem.must_include)} must-include programs cost "
                f"${total} with the transcript fee, over the budget of ${problem.budget_usd:g}",
                field="budget_usd",
            )
        if problem.max_programs is not None and len(problem.must_include) > problem.max_programs:
            raise InvalidInput(
                f"count: {len(problem.must_include)} must-include programs exceed the count "
                f"of {problem.max_programs}",
                field="count",
            )

    if fast and not isinstance(chain, FastChain):  # must-include programs placed: grow fast
        general, chain = chain, FastChain(problem, like=chain)
        chain.adopt(general)
    start = chain.save()
    stage_sets, stop_at = _run_chain(problem, chain, fee_power=1.0, polish=polish)
    alternative_sets: list[StageSet] = []
    if len(set(problem.fee_groups)) > 1 and problem.budget_usd is not None:
        # Fees differ between specialties: a second chain that ignores fees reaches lists of the
        # same size at a higher cost, which a budget between two stages of the first can afford.
        chain.restore(start, refresh=True)
        alternative_sets, _ = _run_chain(problem, chain, fee_power=0.0, polish=polish)
        for power in _EXTRA_FEE_POWERS:
            chain.restore(start, refresh=True)
            alternative_sets += _run_chain(problem, chain, fee_power=power, polish=polish)[0]
    return chain, stage_sets, alternative_sets, stop_at


def _run_chain(
    problem: ListProblem,
    chain: _Chain,
    *,
    fee_power: float,
    polish: bool,
) -> tuple[list[StageSet], int | None]:
    """Grow the chain from its current list; return its stages and the stopping stage.

    The gain-per-dollar chain is the curve: it runs until the next application is no longer
    worth its fee (the stopping stage), past the budget and the count (one stage past a count
    alone), and on to the horizon or a quarter past the stopping stage (`types.chain_end`), or
    only to its first stage past the limits when the stopping stage is not read; the other
    chains only run until they pass the limits.
    Swaps and signal moves polish the stages within the limits: every one with `polish`;
    otherwise every `POLISH_EVERY`-th and the last one the limits allow; without limits, the ones
    up to `POLISH_EVERY_STAGE_UP_TO` programs between them too, when a signal move may help
    (`_Chain.signal_move_may_help`). A `FastChain` runs the same rules compiled
    (`FastChain.grow`).
    """
    transcript = problem.fee_schedule.transcript_fee_usd
    program_budget = None if problem.budget_usd is None else problem.budget_usd - transcript
    stage_sets: list[StageSet] = [stage_set_of(chain, transcript)]
    if isinstance(chain, FastChain):
        if polish:
            raise ValueError("a FastChain grows with the polish schedule")
        return stage_sets, chain.grow(stage_sets, fee_power=fee_power)

    def room_left(size: int) -> bool:
        """Whether one more program could still fit the budget and the count."""
        if problem.max_programs is not None and size >= problem.max_programs:
            return False
        if program_budget is None:
            return True
        cheapest = int(chain.marginal[chain.fee_counts].min())
        return chain.fee + cheapest <= program_budget

    stop_at: int | None = None
    curve_end = problem.horizon
    past_limits_end = ends_past_limits(problem, fee_power)
    while True:
        checkpoint()  # one per stage: the web stops here when its caller has left
        t = len(stage_sets) - 1
        size = stage_sets[-1][0].size  # the chain holds the last stage's list
        past_budget = program_budget is None or chain.fee > program_budget
        past_count = problem.max_programs is None or size >= problem.max_programs
        no_limit = problem.budget_usd is None and problem.max_programs is None
        if past_budget and past_count:
            if fee_power != 1.0:
                break  # the other chains only offer lists within the limits
            if not past_limits_end and stop_at is not None and size >= curve_end:
                break
        # Stages past the limits only draw the curve: no stage after them can fit again
        # without swaps (fees only grow), so they are plain greedy, which saves most of the time.
        within = (
            stop_at is None
            if no_limit
            else (program_budget is None or chain.fee <= program_budget)
            and (problem.max_programs is None or size <= problem.max_programs)
        )
        if past_limits_end and size and not within:
            break  # the first stage past the limits (the empty list fits them)
        move = chain.best_add(fee_power)
        if move is None:
            break
        p, s, _ = move
        chain.put(p, s)
        chain.refresh()
        swaps_too = polish or (size + 1) % POLISH_EVERY == 0 or not room_left(size + 1)
        polish_now = within and (  # stages past the limits are never polished
            swaps_too
            or (no_limit and size + 1 <= POLISH_EVERY_STAGE_UP_TO and chain.signal_move_may_help())
        )
        added: tuple[int, int] | None = (int(chain.order[p]), s)
        if polish_now:
            before = chain.lev.copy(), chain.sel.copy()
            chain.polish(chain.fee if fee_power > 0 else float("inf"))
            if not (np.array_equal(before[0], chain.lev) and np.array_equal(before[1], chain.sel)):
                added = None
        fee = chain.fee + transcript
        stage_sets.append(
            stage_set_of(chain, transcript)
            if added is None
            else stage_set_after(stage_sets[-1], added, fee, chain.f)
        )
        gain = stage_sets[-1][2] - stage_sets[-2][2]
        fee_added = stage_sets[-1][1] - stage_sets[-2][1]
        if stop_at is None and not worth_sending(gain, fee_added, problem.match_value_usd):
            stop_at = t
            curve_end = chain_end(problem, size)

    return stage_sets, stop_at


def _choose(
    problem: ListProblem,
    stage_sets: Sequence[StageSet],
    alternatives: Sequence[StageSet],
    stop_at: int | None,
) -> tuple[int, int | None, str]:
    """The best admissible stage (curve first, earliest on ties), the next one, and the limit;
    stages by position in the curve's stages followed by the other chains'."""
    pool = [*stage_sets, *alternatives]
    sizes = [lists.size for lists, _, _, _ in pool]

    def following(chosen: int) -> int | None:
        size = sizes[chosen] + 1
        bigger = [k for k, n in enumerate(sizes) if n == size]
        return max(bigger, key=lambda k: pool[k][2]) if bigger else None

    if problem.budget_usd is None and problem.max_programs is None:
        if stop_at is None:
            last = len(stage_sets) - 1
            return last, following(last), "candidates"
        return stop_at, following(stop_at), "match value"
    best = 0
    for k, (size, (_, fee, objective, _)) in enumerate(zip(sizes, pool, strict=True)):
        fits_budget = problem.budget_usd is None or fee <= problem.budget_usd
        fits_count = problem.max_programs is None or size <= problem.max_programs
        if fits_budget and fits_count and objective > pool[best][2] + _TOL:
            best = k
    nxt = following(best)
    if nxt is None:
        return best, None, "candidates"
    if problem.max_programs is not None and sizes[nxt] > problem.max_programs:
        return best, nxt, "count"
    return best, nxt, "budget"


def _choice(problem: ListProblem, lists: StageLists, binding: str, *, like: _Chain) -> ListChoice:
    """The chosen stage's `lists` ranked, with their fees and contributions."""
    # the list's products alone are read (not its fees or signals used): no chain to fill
    selected, signals = lists.lists
    at = like.pos_of[np.asarray(selected, dtype=np.int64)]
    ordering = np.argsort(at)
    positions = at[ordering]
    levels = np.asarray(signals, dtype=np.int64)[ordering]
    contribution = contributions(like.M, like.v, like.w, positions, levels)
    programs = like.order[positions]
    # most valuable first; ties by catalog position for determinism
    rank = np.lexsort((programs, -np.round(contribution, 12)))
    order = programs[rank]
    levels = levels[rank]
    # each program's fee is its marginal fee in this order within its fee group
    seen = [0] * like.fee_counts_size
    before: list[int] = []  # programs of the same fee group before each one
    for group in like.fee_group[positions[rank]].tolist():
        before.append(seen[group])
        seen[group] += 1
    return ListChoice(
        order=tuple(order.tolist()),
        signals=tuple(levels.tolist()),
        fees_usd=tuple(like.marginal[before].tolist()),
        contributions=tuple(contribution[rank].tolist()),
        transcript_fee_usd=problem.fee_schedule.transcript_fee_usd if len(order) else 0,
        binding=binding,
    )
