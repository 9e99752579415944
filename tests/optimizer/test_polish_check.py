"""The polish test skips only polishes that would change nothing.

On the reference profiles' real problems, every time the chain asks whether to polish, the real
polish (the general chain's swaps and signal moves) is run as well: whenever the test said "no
change", the polish left the list as it was; and the test does skip most polishes.
"""

from __future__ import annotations

import numpy as np
import pytest

from smartpick.core.lists import optimizer
from smartpick.core.lists.chain import _Chain
from smartpick.core.lists.fast_chain import FastChain
from smartpick.core.lists.optimizer import optimize_list
from smartpick.core.lists.polish_check import polish_may_change
from smartpick.core.lists.types import ListProblem
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, optimizer_calls, reference_profile


def _problem(name: str, catalog: Catalog, budget: float | None, two: bool) -> ListProblem:
    profile = reference_profile(name)
    specialties = (
        list(dict.fromkeys([*profile.specialties, "Family Medicine"]))[:2] if two else None
    )
    with optimizer_calls() as calls:
        recommend(profile, budget_usd=budget, specialties=specialties, catalog=catalog)
    return calls[0][0]


@pytest.mark.parametrize("name", REFERENCE_NAMES)
@pytest.mark.parametrize(("budget", "two"), [(None, False), (1200.0, True)])
def test_skipped_polishes_change_nothing(
    name: str, budget: float | None, two: bool, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = _problem(name, catalog, budget, two)
    verdicts: list[tuple[bool, bool]] = []

    def checked(chain: FastChain, fee_cap: float) -> bool:
        may = polish_may_change(chain, fee_cap)
        polisher = _Chain(problem)
        polisher.adopt(chain)
        before = polisher.sel.copy(), polisher.lev.copy()
        polisher.polish(fee_cap)
        changed = not (
            np.array_equal(before[0], polisher.sel) and np.array_equal(before[1], polisher.lev)
        )
        verdicts.append((may, changed))
        return may

    monkeypatch.setattr(optimizer, "polish_may_change", checked)
    optimize_list(problem)
    assert verdicts, "the chain never asked"
    assert not [v for v in verdicts if v == (False, True)], "a skipped polish would have changed"
    skipped = sum(1 for may, _ in verdicts if not may)
    assert skipped >= len(verdicts) // 2
