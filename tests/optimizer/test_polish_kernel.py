"""The compiled polish (P(match), closed form) follows the rules of the numpy polish.

On the reference profiles' real problems, lists are spoiled on purpose (signals taken away, a
strong program swapped for a weak one) and polished twice: by `core.lists.polish` (the general
formulas, which serve preference values) and by the compiled polish `_Chain.polish` runs for
P(match). Both must end with the same programs and signals, and the same P(match).
"""

from __future__ import annotations

import numpy as np
import pytest

from smartpick.core.lists import polish as numpy_polish
from smartpick.core.lists.chain import _Chain
from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.types import ListProblem
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, optimizer_calls, reference_profile


def _problem(name: str, catalog: Catalog) -> ListProblem:
    with optimizer_calls() as calls:
        recommend(reference_profile(name), budget_usd=1200.0, catalog=catalog)
    return calls[0][0]


def _spoiled(problem: ListProblem, size: int, how: str) -> _Chain:
    stage = next(s for s in optimize_list(problem).stages if s.applications == size)
    chain = _Chain(problem)
    for i, level in zip(stage.selected, stage.signals, strict=True):
        chain.put(int(chain.pos_of[i]), 0 if how == "no signals" else level)
    if how == "weak program":
        listed = np.flatnonzero(chain.sel)
        chain.drop(int(listed[0]))  # the most preferred listed program out
        outside = np.flatnonzero(chain.eligible & ~chain.sel)
        chain.put(int(outside[-1]), 0)  # the last eligible one in
    chain.refresh()
    return chain


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize("how", ["no signals", "weak program"])
@pytest.mark.parametrize("size", [15, 40])
def test_compiled_polish_follows_the_numpy_rules(
    name: str, how: str, size: int, catalog: Catalog
) -> None:
    problem = _problem(name, catalog)
    compiled, reference = _spoiled(problem, size, how), _spoiled(problem, size, how)
    before = compiled.f
    fee_cap = float(compiled.fee)
    compiled.polish(fee_cap)
    numpy_polish.polish(reference, fee_cap)
    reference.refresh()
    assert np.array_equal(compiled.sel, reference.sel)
    assert np.array_equal(compiled.lev, reference.lev)
    assert compiled.f == pytest.approx(reference.f, abs=1e-12)
    assert compiled.f >= before


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize("size", [5, 15, 40])
def test_a_signal_move_that_helps_is_never_missed(name: str, size: int, catalog: Catalog) -> None:
    # Between the polish schedule's full stages a list is polished only when this test says a
    # signal move may help: whenever one does help, it must say so.
    problem = _problem(name, catalog)
    for how in ("no signals", "shipped"):
        chain = _spoiled(problem, size, how)
        says = chain.signal_move_may_help()
        changed = numpy_polish.improve_signals(chain)
        assert says or not changed, (how, chain.f)
        if how == "no signals":
            assert changed  # a list without a signal gains from one: the check above is not idle
