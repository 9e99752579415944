"""The fast chain (P(match) in closed form) against the general chain: the same lists.

On the six reference profiles' real problems, the shipped optimizer (small lists polished, then
the fast chain) and the reference path (the general chain with prefix products, same polish) give
the same curve, the same chosen list with the same signals, and the same P(match) to 1e-9.
"""

from __future__ import annotations

import pytest

from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.types import ListProblem
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, optimizer_calls, reference_profile


def _problem(name: str, catalog: Catalog, budget: float | None) -> ListProblem:
    with optimizer_calls() as calls:
        recommend(reference_profile(name), budget_usd=budget, catalog=catalog)
    return calls[0][0]


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize("budget", [None, 1200.0])
def test_fast_path_gives_the_reference_list(
    name: str, budget: float | None, catalog: Catalog
) -> None:
    problem = _problem(name, catalog, budget)
    fast = optimize_list(problem)
    slow = optimize_list(problem, reference=True)
    assert [(s.selected, s.signals, s.fee_usd) for s in fast.stages] == [
        (s.selected, s.signals, s.fee_usd) for s in slow.stages
    ]
    assert (fast.order, fast.signals, fast.fees_usd) == (slow.order, slow.signals, slow.fees_usd)
    assert fast.stage.objective == pytest.approx(slow.stage.objective, abs=1e-9)
    for a, b in zip(fast.stages, slow.stages, strict=True):
        assert a.p_match == pytest.approx(b.p_match, abs=1e-9)
        assert a.objective == pytest.approx(b.objective, abs=1e-9)
