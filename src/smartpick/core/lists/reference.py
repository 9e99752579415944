"""Reference solvers for tests and benchmarks: the exact optimum by enumeration (tiny lists)."""

from __future__ import annotations

import numpy as np

from smartpick.core.lists.chain import _Chain
from smartpick.core.lists.optimizer import _validate
from smartpick.core.lists.types import _TOL, ListProblem
from smartpick.errors import InvalidInput

EXHAUSTIVE_MAX_PROGRAMS = 11


def exhaustive_list(problem: ListProblem) -> tuple[float, tuple[int, ...], tuple[int, ...]]:
    """The exact optimum by enumerating every list and signal assignment (tiny instances only).

    Returns (objective, selected positions, their signal levels). Used to measure the chain's
    optimality gap in tests and `bench/optimizer.py`.
    """
    _validate(problem)
    n = problem.size
    if n > EXHAUSTIVE_MAX_PROGRAMS:
        raise InvalidInput(
            f"exhaustive search takes at most {EXHAUSTIVE_MAX_PROGRAMS} programs, got {n}",
            field="programs",
        )
    chain = _Chain(problem)
    levels = chain.levels
    codes = np.indices((levels + 1,) * n).reshape(n, -1).T  # 0: out, 1 + s: in at level s
    ok = np.ones(len(codes), dtype=bool)
    allowed = chain.eligible.copy()
    must = np.zeros(n, dtype=bool)
    must[chain.pos_of[list(problem.must_include)]] = True
    allowed |= must
    ok &= ~((codes > 0) & ~allowed).any(axis=1)
    ok &= (codes[:, must] > 0).all(axis=1)
    sizes = (codes > 0).sum(axis=1)
    if problem.max_programs is not None:
        ok &= sizes <= problem.max_programs
    if problem.budget_usd is not None:
        cumulative = np.concatenate([[0], np.cumsum(chain.marginal)])
        fee = np.zeros(len(codes), dtype=np.int64)
        for g in range(len(chain.fee_counts)):
            fee += cumulative[(codes[:, chain.fee_group == g] > 0).sum(axis=1)]
        transcript = np.where(sizes > 0, problem.fee_schedule.transcript_fee_usd, 0)
        ok &= fee + transcript <= problem.budget_usd
    for s in range(1, levels):
        for g in range(chain.allow.shape[0]):
            in_group = chain.sig_group == g
            ok &= (codes[:, in_group] == s + 1).sum(axis=1) <= chain.allow[g, s]
        ok &= ~((codes == s + 1) & (chain.sig_group < 0)[None, :]).any(axis=1)
    feasible = codes[ok]
    best_value, best_code = -1.0, feasible[0]
    idx = np.arange(n)
    for start in range(0, len(feasible), 4096):
        block = feasible[start : start + 4096]
        level = np.maximum(block - 1, 0)
        m = np.where((block > 0)[:, :, None], chain.M[level, idx[None, :]], 0.0)
        A = np.ones_like(m)
        A[:, 1:] = np.cumprod(1.0 - m, axis=1)[:, :-1]
        value = (chain.v[None, :, None] * m * A).sum(axis=1) @ chain.w
        k = int(np.argmax(value))
        if value[k] > best_value + _TOL:
            best_value, best_code = float(value[k]), block[k]
    chosen = np.flatnonzero(best_code > 0)
    programs = chain.order[chosen]
    ordering = np.argsort(programs)
    return (
        best_value,
        tuple(int(i) for i in programs[ordering]),
        tuple(int(best_code[p] - 1) for p in chosen[ordering]),
    )
