"""The curve's compiled products (`curve_kernel`, through `curve.curve_draws`) give, bit for bit,
the numbers of the numpy code they replaced (kept here as the reference): on random matrices and
chains (runs broken by swaps, several signal levels, conversion varying by node or not, the point
alone), and on real lazy matrices of one and two specialties."""

from __future__ import annotations

from collections.abc import Sequence
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartpick.core.chances.matrix import (
    ChanceMatrix,
    expected_interviews,
    interview_terms,
    match_terms,
    p_match,
)
from smartpick.core.lists import curve
from smartpick.core.lists.curve import StageSet, curve_draws, list_draws
from smartpick.core.lists.types import FloatArray, StageLists
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.testing import reference_profile


def numpy_curve(chances: ChanceMatrix, stage_sets: Sequence[StageSet], draws: bool) -> FloatArray:
    """The curve as numpy computed it before the kernel: a product per run's first stage, an
    `accumulate` along the run."""
    pairs: dict[tuple[int, int], int] = {}
    starts: list[int] = []
    column: list[int] = []
    for t, (lists, _, _, added) in enumerate(stage_sets):
        if not t or added is None:
            starts.append(t)
            column.append(-1)
            for pair in zip(*lists.lists, strict=True):
                pairs.setdefault(pair, len(pairs))
        else:
            column.append(pairs.setdefault(added, len(pairs)))
    rows, k = (chances.n_draws if draws else 1), chances.weights.size
    factors: FloatArray = np.empty((0, rows, k))
    if pairs:
        programs, levels = zip(*pairs, strict=True)
        if draws:
            terms = match_terms(chances, programs, levels)
        else:
            point = np.stack([chances.point_interview[s][p] for p, s in pairs])
            terms = (point * chances.point_conversion[list(programs)])[None]
        factors = np.empty((len(pairs), rows, k))
        np.subtract(1.0, terms.transpose(1, 0, 2), out=factors)
    no_match = np.empty((len(stage_sets), rows, k))
    for start, stop in zip(starts, [*starts[1:], len(stage_sets)], strict=True):
        lists = stage_sets[start][0]
        if lists.size:
            columns = [pairs[pair] for pair in zip(*lists.lists, strict=True)]
            np.prod(factors[columns], axis=0, out=no_match[start])
        else:
            no_match[start] = 1.0
        if stop - start > 1:
            run = no_match[start:stop]
            run[1:] = factors[column[start + 1 : stop]]
            np.multiply.accumulate(run, axis=0, out=run)
    if not draws:
        no_match = np.repeat(no_match, chances.n_draws, axis=1)
    curve = np.asarray(1.0 - no_match @ chances.weights).T
    return curve if draws else curve[:1]


def random_chain(rng: np.random.Generator, n: int, levels: int, length: int) -> list[StageSet]:
    """A chain's stages: each adds a (program, level) to the one before, or (a swap, a signal
    move) is a new list; programs can come back at another level."""
    out: list[StageSet] = []
    current: dict[int, int] = {}
    for t in range(length):
        free = [p for p in range(n) if p not in current]
        if t and free and rng.uniform() < 0.75:
            added = (int(rng.choice(free)), int(rng.integers(levels)))
            current[added[0]] = added[1]
        else:
            added = None
            size = int(rng.integers(0, n + 1))
            chosen = rng.choice(n, size=size, replace=False).tolist()
            current = {int(p): int(rng.integers(levels)) for p in chosen}
        selected = tuple(sorted(current))
        lists = StageLists(selected, tuple(current[p] for p in selected))
        out.append((lists, 0, 0.0, added))
    return out


def bits(a: FloatArray) -> FloatArray:
    return np.ascontiguousarray(a).view(np.int64)


# a random matrix's sizes (`random_arrays`)
MATRICES = {
    "seed": st.integers(0, 2**32 - 1),
    "n": st.integers(1, 25),
    "levels": st.integers(1, 3),
    "draws": st.integers(1, 9),
    "nodes": st.integers(1, 16),
    "by_node": st.booleans(),
}


def random_arrays(
    rng: np.random.Generator, n: int, levels: int, draws: int, nodes: int, by_node: bool
) -> tuple[FloatArray, tuple[FloatArray, ...], FloatArray]:
    """A matrix's weights, interview per level and conversion, (draws, n, nodes) each."""
    weights = rng.dirichlet(np.ones(nodes))
    interview = tuple(rng.uniform(0, 1, (draws, n, nodes)) for _ in range(levels))
    conversion = rng.uniform(0, 1, (draws, n, nodes if by_node else 1))
    conversion = np.array(np.broadcast_to(conversion, (draws, n, nodes)))
    if rng.uniform() < 0.3:  # exact zeros and ones occur (a program that never interviews)
        conversion[:, 0] = 0.0
        interview[0][:, -1] = 1.0
    return weights, interview, conversion


@settings(max_examples=60, deadline=None)
@given(**MATRICES, length=st.integers(1, 40), block=st.integers(1, 50))
def test_the_compiled_curve_is_the_numpy_curve_bit_for_bit(
    seed: int, n: int, levels: int, draws: int, nodes: int, length: int, by_node: bool, block: int
) -> None:
    """Whatever the block of stages computed at a time: runs cross the blocks' edges."""
    rng = np.random.default_rng(seed)
    weights, interview, conversion = random_arrays(rng, n, levels, draws, nodes, by_node)
    chances = ChanceMatrix(tuple(map(str, range(n))), weights, interview, conversion)
    chain = random_chain(rng, n, levels, length)
    with patch.object(curve, "CURVE_BLOCK", block):
        for with_draws in (True, False):
            got = curve_draws(chances, chain, draws=with_draws)
            assert np.array_equal(bits(got), bits(numpy_curve(chances, chain, with_draws)))


@pytest.mark.parametrize(
    ("name", "specialties"),
    [("guide-sample", None), ("strong-img", ("Internal Medicine", "Neurology"))],
)
def test_the_compiled_curve_reads_lazy_draws_as_numpy_did(
    catalog: Catalog, name: str, specialties: tuple[str, ...] | None
) -> None:
    """Real matrices whose draws are computed on demand: the curve computes them (several levels,
    two specialties), and the numpy curve on a second matrix reads the same numbers."""
    profile = reference_profile(name)
    lazy = assess(profile, specialties=specialties, catalog=catalog).chances
    fresh = assess(profile, specialties=specialties, catalog=catalog).chances
    rng = np.random.default_rng(7)
    chain = random_chain(rng, len(lazy.program_ids), lazy.levels, 150)
    for with_draws in (True, False):
        got = curve_draws(lazy, chain, draws=with_draws)  # three blocks
        assert np.array_equal(bits(got), bits(numpy_curve(fresh, chain, with_draws)))
    pairs = {pair for lists, _, _, _ in chain for pair in zip(*lists.lists, strict=True)}
    some = sorted(p for p, _ in pairs)
    # the draws the curve computed are kept: the same numbers read later, nothing recomputed
    used = [store.used for store in lazy._lazy]
    assert np.array_equal(lazy.conversion_draws(some), fresh.conversion_draws(some))
    assert [store.used for store in lazy._lazy] == used


class ArraySource:
    """A `DrawSource` reading whole arrays: a lazy matrix (as `assess` makes) of random numbers."""

    def __init__(self, interview: tuple[FloatArray, ...], conversion: FloatArray) -> None:
        self.by_level, self.conv = interview, conversion

    def interview(
        self, level: int, idx: np.ndarray, draws: slice, out: FloatArray | None = None
    ) -> FloatArray:
        values = self.by_level[level][draws][:, idx]
        if out is not None:
            out[...] = values
        return values

    def conversion(self, idx: np.ndarray, draws: slice) -> FloatArray:
        return self.conv[draws][:, idx]


@settings(max_examples=60, deadline=None)
@given(**MATRICES, lazy=st.booleans())
def test_a_lists_compiled_draws_are_the_matrix_functions_bit_for_bit(
    seed: int, n: int, levels: int, draws: int, nodes: int, by_node: bool, lazy: bool
) -> None:
    """`list_draws` (terms gathered and the no-match product compiled) equals the matrix's numpy
    functions on random matrices, whole or lazy: lists in any order, mixed levels, conversion by
    node or not, exact zeros and ones."""
    rng = np.random.default_rng(seed)
    # a lazy matrix keeps one conversion per program and draw
    arrays = random_arrays(rng, n, levels, draws, nodes, by_node and not lazy)
    weights, interview, conversion = arrays
    ids = tuple(map(str, range(n)))
    chances = (
        ChanceMatrix.on_demand(
            ids, weights, ArraySource(interview, conversion), levels=levels, n_draws=draws
        )
        if lazy
        else ChanceMatrix(ids, weights, interview, conversion)
    )
    selected = rng.permutation(n)[: int(rng.integers(1, n + 1))].tolist()
    signals = rng.integers(0, levels, len(selected)).tolist()
    shown, p_draws, i_draws = list_draws(chances, selected, signals)
    terms = interview_terms(chances, selected, signals)
    assert np.array_equal(bits(shown), bits(terms @ weights))
    assert np.array_equal(bits(p_draws), bits(p_match(chances, selected, signals)))
    if lazy:
        assert np.array_equal(bits(i_draws), bits(expected_interviews(chances, selected, signals)))
    else:  # a whole matrix's columns come in another layout, which numpy's sum depends on
        assert np.array_equal(
            bits(i_draws), bits(np.ascontiguousarray(terms).sum(axis=1) @ weights)
        )
