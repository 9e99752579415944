"""A listed program's contribution computed without a chain (`chain.contributions`, what the
optimizer's solution reports) equals the chain's own removal terms bit for bit, and is the loss of
the objective when that program leaves the list: real problems, with and without preference
values, random lists and signal levels."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from smartpick.core.lists.chain import _Chain, contributions
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import optimizer_calls, reference_profile


@pytest.mark.parametrize("name", ["guide-sample", "strong-img"])
@pytest.mark.parametrize("preferences", [False, True])
def test_contributions_without_a_chain_are_the_chains(
    name: str, preferences: bool, catalog: Catalog
) -> None:
    with optimizer_calls() as calls:
        recommend(reference_profile(name), budget_usd=1200.0, catalog=catalog)
    problem = calls[0][0]
    rng = np.random.default_rng(3)
    if preferences:
        problem = dataclasses.replace(
            problem, values=tuple(rng.uniform(0.2, 1.0, problem.size).tolist())
        )
    for size in (1, 7, 60):
        chain = _Chain(problem)
        chosen = np.sort(rng.choice(np.flatnonzero(chain.eligible), size, replace=False))
        levels = rng.integers(0, chain.levels, size)
        for p, level in zip(chosen.tolist(), levels.tolist(), strict=True):
            chain.put(p, level)
        chain.refresh()
        got = contributions(chain.M, chain.v, chain.w, chosen, levels)
        expected = (chain.m[chosen] * chain.removal_terms(chosen)) @ chain.w
        assert np.array_equal(got.view(np.int64), expected.view(np.int64))
        full = chain.objective_now()
        for j in (0, size - 1):  # the first and the last listed leave the list
            chain.drop(int(chosen[j]))
            assert got[j] == pytest.approx(full - chain.objective_now(), abs=1e-12)
            chain.put(int(chosen[j]), int(levels[j]))
