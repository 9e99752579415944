"""The fast chain (P(match) in closed form) against the general chain: the same lists.

On the six reference profiles' real problems, the shipped optimizer (small lists polished, then
the fast chain) and the reference path (the general chain with prefix products, same polish) give
the same curve, the same chosen list with the same signals, and the same P(match) to 1e-9.
"""

from __future__ import annotations

import pytest

from smartpick.core.lists import fast_chain
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


@pytest.mark.parametrize("name", ["guide-sample", "strong-img"])
def test_polished_stages_recorded_in_the_kernel_as_by_python(
    name: str, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stage a polish changed is recorded whole by the compiled stages (its list in `snaps`);
    without room for it there, the kernel returns and Python records it from the chain: the
    same stages, fees and P(match), bit for bit, and fewer returns to Python."""
    problem = _problem(name, catalog, None)
    calls: list[int] = []
    grow = fast_chain.kernel.grow

    def counted(*args: object) -> tuple[int, int]:
        calls.append(1)
        return grow(*args)

    monkeypatch.setattr(fast_chain.kernel, "grow", counted)
    in_kernel = optimize_list(problem, intervals=False)
    runs_in_kernel = len(calls)
    calls.clear()
    monkeypatch.setattr(fast_chain, "SNAPSHOT_ROOM", 0)
    by_python = optimize_list(problem, intervals=False)
    assert runs_in_kernel < len(calls)  # polishes changed lists: recorded without returning
    assert [(s.selected, s.signals, s.fee_usd, s.objective) for s in in_kernel.stages] == [
        (s.selected, s.signals, s.fee_usd, s.objective) for s in by_python.stages
    ]
    assert (in_kernel.order, in_kernel.signals) == (by_python.order, by_python.signals)
