"""Lists and P(match) for the reference profiles, today's model (v1, shipped) and v2.

`v1_list(profile, count)` runs the shipped `recommend`; `v2_list(prediction, count)` runs the
shipped optimizer on the v2 chance matrix (with the specialties' signal allowances), so the two
differ only in the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from research.dataset import catalog
from research.individual import Prediction
from smartpick.core.chances import ChanceMatrix
from smartpick.core.chances import p_match as p_match_of
from smartpick.core.fees import fee_schedule
from smartpick.core.optimizer import ListProblem, optimize_list
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.signals import signal_allowance
from smartpick.service.recommend import fee_group, recommend


@dataclass(frozen=True)
class ListResult:
    """A list: program ids, signal levels (0 none, 1 silver, 2 gold) and the model's P(match)."""

    ids: tuple[str, ...]
    signals: tuple[int, ...]
    p_match: float
    expected_interviews: float


def v1_list(profile: ApplicantProfile, count: int) -> ListResult:
    """Today's model and optimizer."""
    rec = recommend(profile, count=count, catalog=catalog())
    ids = tuple(p.program.id for p in rec.programs)
    levels = {"none": 0, "silver": 1, "gold": 2}
    sig = tuple(levels[p.signal] for p in rec.programs)
    return ListResult(ids, sig, rec.p_match.point, rec.expected_interviews.point)


def v2_list(
    pred: Prediction, count: int, signals: bool = True, candidates: tuple[int, ...] | None = None
) -> ListResult:
    """The shipped optimizer on the v2 chance matrix (count-limited)."""
    return optimized(pred.programs, pred.chances, count, signals, candidates)


def optimized(
    progs: tuple[Program, ...],
    chances: ChanceMatrix,
    count: int,
    signals: bool = True,
    candidates: tuple[int, ...] | None = None,
) -> ListResult:
    """The shipped optimizer on any chance matrix (count-limited, with signal allowances)."""
    specs = sorted({p.specialty for p in progs})
    allow = {s: signal_allowance(s) for s in specs} if signals else {}
    problem = ListProblem(
        chances=chances,
        fee_groups=tuple(fee_group(p) for p in progs),
        fee_schedule=fee_schedule(2026),
        signal_groups=tuple(p.specialty if p.specialty in allow else None for p in progs),
        signal_allowances={s: (a.gold, a.silver) for s, a in allow.items()},
        max_programs=count,
        candidates=candidates,
    )
    sol = optimize_list(problem)
    ids = tuple(progs[i].id for i in sol.order)
    pm = float(p_match_of(chances, list(sol.order), list(sol.signals))[0])
    interviews = float(
        sum(
            chances.interview_by_signal[lv][0, i] @ chances.weights
            for i, lv in zip(sol.order, sol.signals, strict=True)
        )
    )
    return ListResult(ids, tuple(sol.signals), pm, interviews)


def p_match_v2(pred: Prediction, ids: tuple[str, ...], signals: tuple[int, ...]) -> float:
    """v2's P(match) of a given list (programs not eligible under v2 are dropped)."""
    index = {p.id: i for i, p in enumerate(pred.programs)}
    sel = [(index[i], s) for i, s in zip(ids, signals, strict=True) if i in index]
    if not sel:
        return 0.0
    return float(p_match_of(pred.chances, [i for i, _ in sel], [s for _, s in sel])[0])


def top_by_rate(pred: Prediction, count: int) -> tuple[int, ...]:
    """Positions of the eligible programs with the highest 2026 non-US IMG rates (the issue's
    "best 80 eligible programs by those rates")."""
    r = np.nan_to_num(pred.published_rate, nan=-1.0)
    return tuple(int(i) for i in np.argsort(-r)[:count])
