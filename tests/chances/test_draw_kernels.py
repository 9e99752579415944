"""The draws' compiled arithmetic (`draw_kernels`) gives the numpy numbers: bit for bit the
applicant's eta, V expit(eta + sigma_r z + gamma) at the point estimate as numpy and scipy's
`expit` compute it, and the intervals' quantiles as `np.quantile`; the bootstrap draws of
P(interview | u) within rounding (`DRAWS_RELATIVE_ERROR`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from smartpick.core.chances.assumptions import CONNECTION_CAP
from smartpick.core.chances.draw_kernels import (
    DRAWS_RELATIVE_ERROR,
    _quantiles,
    _ranks,
    column_quantiles,
    drawn_interview,
    point_interview,
)
from smartpick.core.chances.matrix import intervals
from smartpick.core.chances.population import Z_NODES
from smartpick.core.chances.specialty_arrays import zero_signal_levels
from smartpick.core.chances.terms import ApplicantTerms
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.entries import Connection
from smartpick.service.assess import assess, fitted_model
from smartpick.service.catalog import Catalog
from smartpick.testing import REFERENCE_NAMES, reference_profile


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.int64)


def numpy_interview(eta, sigma_r, gamma, visa):  # type: ignore[no-untyped-def]
    """`ApplicantTerms.interview` at the draws as numpy computed it."""
    x = eta[:, :, None] + sigma_r[:, None, None] * Z_NODES
    if gamma is not None:
        x += gamma[:, :, None]
    expit(x, out=x)
    x *= visa[:, :, None]
    return x


def assert_the_formula(got, expected, eta, sigma_r, gamma, first_draw):  # type: ignore[no-untyped-def]
    """`got` is numpy's `expected`: bit for bit at draw 0 (the point estimate, when the draws
    start there), within rounding at the bootstrap draws (relative to the exponent's terms)."""
    point = 1 if first_draw == 0 else 0
    assert np.array_equal(bits(got[:point]), bits(expected[:point]))
    size = np.abs(eta[:, :, None]) + np.abs(sigma_r[:, None, None] * Z_NODES) + 1
    if gamma is not None:
        size += np.abs(gamma[:, :, None])
    slack = DRAWS_RELATIVE_ERROR * size[point:] * np.abs(expected[point:])
    # where expit underflows (eta near -700 and below) the two may differ by a subnormal number
    assert (np.abs(got[point:] - expected[point:]) <= slack + 1e-300).all()


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    d1=st.integers(1, 41),
    n=st.integers(1, 30),
    scale=st.sampled_from([0.1, 3.0, 40.0, 800.0]),  # 800: exp overflows, expit is 0 or 1
    signal=st.booleans(),
    first=st.integers(0, 2),
)
def test_the_compiled_interview_is_numpy_and_scipy(
    seed: int, d1: int, n: int, scale: float, signal: bool, first: int
) -> None:
    rng = np.random.default_rng(seed)
    eta = rng.normal(0, scale, (d1, n))
    sigma_r = rng.uniform(0, 3, d1)
    gamma = rng.normal(0, scale, (d1, n + 3, 3))
    visa = rng.uniform(0, 1, (d1, n))
    visa[:, 0] = 1.0
    at = rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False)
    columns, level = rng.integers(0, n + 3, at.size), int(rng.integers(3))
    draws = slice(min(first, d1 - 1), d1)
    got = drawn_interview(
        eta, visa, at, draws, sigma_r, Z_NODES, (gamma, columns, level) if signal else None
    )
    terms = (eta[draws][:, at], sigma_r[draws], gamma[draws][:, columns, level] if signal else None)
    expected = numpy_interview(*terms, visa[draws][:, at])
    assert_the_formula(got, expected, *terms, draws.start)
    # written into a view of a larger store (as the lazy matrix keeps its draws): the same bits,
    # nothing else touched
    store = np.full((d1 + 1, at.size + 5, Z_NODES.size), 7.0)
    view = store[1 : 1 + got.shape[0], 2 : 2 + at.size]
    signal_at = (gamma, columns, level) if signal else None
    written = drawn_interview(eta, visa, at, draws, sigma_r, Z_NODES, signal_at, view)
    assert written is view and np.array_equal(bits(view), bits(got))
    view[...] = 7.0
    assert (store == 7.0).all()


def numpy_point(base, gamma, visa, at):  # type: ignore[no-untyped-def]
    """`ApplicantTerms.interview` at the point estimate as numpy and scipy computed it."""
    x = np.take(base, at, axis=0)[None]
    if gamma is not None:
        x += gamma[None, at, None]
    expit(x, out=x)
    x *= visa[None, at, None]
    return x


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 30),
    scale=st.sampled_from([0.1, 3.0, 40.0, 800.0]),  # 800: exp overflows, expit is 0 or 1
    signal=st.booleans(),
)
def test_the_compiled_point_is_numpy_and_scipy(
    seed: int, n: int, scale: float, signal: bool
) -> None:
    rng = np.random.default_rng(seed)
    base = rng.normal(0, scale, (n, Z_NODES.size))
    gamma = rng.normal(0, scale, (n, 3))[:, int(rng.integers(3))] if signal else None  # a view
    visa = rng.uniform(0, 1, n)
    at = rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False)
    got = point_interview(base, gamma, visa, at)
    assert np.array_equal(bits(got), bits(numpy_point(base, gamma, visa, at)))
    store = np.full((3, at.size + 4, Z_NODES.size), 7.0)  # into a view, nothing else touched
    view = store[1:2, 2 : 2 + at.size]
    assert point_interview(base, gamma, visa, at, view) is view
    assert np.array_equal(bits(view), bits(got))
    view[...] = 7.0
    assert (store == 7.0).all()


@pytest.mark.parametrize("name", ["guide-sample", "low-score-late", "us-img-fm"])
def test_a_profiles_point_interviews_are_the_numpy_formula(name: str, catalog: Catalog) -> None:
    profile = reference_profile(name)
    for given_score in (True, False):  # without Step 2 CK each program has its own spread
        if not given_score:
            profile = profile.model_copy(update={"step2ck": None, "step2ck_attempts": 0})
        chances = assess(profile, catalog=catalog).chances
        source = chances._lazy[0].compute.func.__self__  # type: ignore[attr-defined]
        terms, placed = source.blocks[0], np.flatnonzero(source.block == 0)
        eta, spread, visa = terms.point
        base = spread[:, None] * Z_NODES + eta[:, None]
        at = np.arange(terms.size)
        for level in range(chances.levels):
            signal = not zero_signal_levels(terms.d)[level]
            gamma = terms.gamma_point[:, level] if signal else None
            expected = numpy_point(base, gamma, visa, at)
            assert np.array_equal(bits(terms.interview(level, at, slice(0, 1))), bits(expected))
            some = at[::-3]  # some programs, in another order, into a given array
            into = np.empty((1, some.size, Z_NODES.size))
            assert terms.interview(level, some, slice(0, 1), into) is into
            assert np.array_equal(bits(into), bits(expected[:, some]))
            matrix = chances.point_interview[level][placed]  # as the optimizer reads it
            assert np.array_equal(bits(matrix), bits(expected[0][source.local[placed]]))


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_a_profiles_drawn_interviews_are_the_numpy_formula(name: str, catalog: Catalog) -> None:
    chances = assess(reference_profile(name), catalog=catalog).chances
    source = chances._lazy[0].compute.func.__self__  # type: ignore[attr-defined]
    terms = source.blocks[0]
    at = np.arange(min(terms.size, 50))
    draws = slice(1, terms.d1)
    eta, _, visa = terms.terms(at, draws)
    for level in range(chances.levels):
        signal = not zero_signal_levels(terms.d)[level]
        gamma = terms.gamma(level, at, draws) if signal else None
        expected = numpy_interview(eta, terms.d.sigma_r[draws], gamma, visa)
        got = terms.interview(level, at, draws)
        assert_the_formula(got, expected, eta, terms.d.sigma_r[draws], gamma, draws.start)
        # into a given array, on the compiled path (draws 1..D) and on numpy's (every draw)
        for rows in (draws, slice(0, terms.d1)):
            out = np.empty((len(range(*rows.indices(terms.d1))), at.size, Z_NODES.size))
            assert terms.interview(level, at, rows, out) is out
            assert np.array_equal(bits(out), bits(terms.interview(level, at, rows)))


def numpy_eta(t: ApplicantTerms, rows: slice, at: np.ndarray) -> np.ndarray:
    """The applicant's eta as numpy computed it (`ApplicantTerms.compute` before the kernel)."""
    d, j = t.d, t.idx[at]
    alpha = d.alpha(t.kind)[rows][:, j]
    score = d.beta[rows][:, j] * t.score_by_draw[rows][:, None] / 10.0
    fail = d.fail.reshape(t.d1, -1)[rows]
    terms = (
        np.take(fail, 2 * j, axis=1) * t.fail_terms[0]
        + np.take(fail, 2 * j + 1, axis=1) * t.fail_terms[1]
    )
    terms = terms + d.geo[rows][:, j, t.level[at]] - t.pool_geo[rows][:, t.pool_columns[at]]
    home = d.home[rows][:, j]
    terms = terms + home * (t.in_state[at] - t.home_mix)
    if t.connected:
        rotation, other = (share[rows][:, None] for share in t.shares)
        kind = t.connection[at]
        kappa = np.where(kind == 1, rotation, np.where(kind == 2, other, 0.0))
        terms = terms + np.minimum(kappa * home, CONNECTION_CAP)
    terms = terms + t.assumed[rows][:, None] + t.research[rows] * t.university[at]
    return np.asarray(alpha + score + terms)


def varied_profiles(catalog: Catalog) -> list[ApplicantProfile]:
    """Reference applicants, one without a Step 2 CK, one with connections of each kind, home
    ties and a preferred area."""
    programs = catalog.programs(specialty="Family Medicine")
    ties = [
        Connection(program_id=programs[0].id, kind="rotation"),
        Connection(program_id=programs[1].id, kind="faculty"),
        Connection(program_id=programs[2].id, kind="alumni"),
    ]
    return [
        reference_profile("guide-sample"),
        reference_profile("average-img").model_copy(update={"step2ck": None}),
        reference_profile("us-img-fm").model_copy(
            update={"connections": ties, "preferred_states": ("TX", "CA")}
        ),
    ]


def test_the_compiled_eta_is_numpys(catalog: Catalog) -> None:
    rng = np.random.default_rng(5)
    for profile in varied_profiles(catalog):
        specialty = profile.specialties[0]
        d = fitted_model().context(specialty, catalog.programs(specialty=specialty))
        t = ApplicantTerms(profile, d, np.arange(d.size))
        assert t.connected == bool(profile.connections)
        at = np.concatenate([[0, 1, 2], rng.choice(d.size, size=40, replace=False)])
        for rows in (slice(None), slice(0, 1), slice(1, t.d1)):
            assert np.array_equal(bits(t.compute(rows, at)[0]), bits(numpy_eta(t, rows, at)))


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    m=st.integers(1, 12),
    tail=st.sampled_from([0.0, 0.025, 0.05, 0.1, 0.25, 0.5]),
    ties=st.booleans(),
)
def test_the_compiled_quantiles_are_numpys(
    seed: int, n: int, m: int, tail: float, ties: bool
) -> None:
    rng = np.random.default_rng(seed)
    draws = rng.uniform(0, 1, (n, m))
    if ties:  # repeated values, exact 0 and 1, a NaN column
        draws = rng.choice([0.0, 0.25, 1.0 / 3.0, 1.0], size=(n, m))
        draws[rng.integers(n), 0] = np.nan
    quantiles = (tail, 1.0 - tail)
    got = column_quantiles(draws, quantiles)
    assert np.array_equal(bits(got), bits(np.quantile(draws, quantiles, axis=0)))


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    m=st.integers(1, 12),
    quantiles=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4),
)
def test_the_quantiles_kept_from_the_ends_are_the_whole_sorts(
    seed: int, n: int, m: int, quantiles: list[float]
) -> None:
    # the `low` smallest and `high` largest a column keeps give the bits the whole sort gives,
    # ties of -0.0 and 0.0 included (each kept where a stable sort puts it)
    rng = np.random.default_rng(seed)
    draws = rng.choice([-0.0, 0.0, 0.25, 1.0 / 3.0, 1.0], size=(n, m))
    draws[:, : m // 2] = rng.uniform(-1, 1, (n, m // 2))
    before, after, gamma, low, high = _ranks(n, tuple(quantiles))
    kept, whole = (np.empty((gamma.size, m)) for _ in range(2))
    _quantiles(draws, before, after, gamma, low, high, kept)
    _quantiles(draws, before, after, gamma, n, 0, whole)
    assert np.array_equal(bits(kept), bits(whole))


def test_intervals_keep_numpys_numbers() -> None:
    values = np.random.default_rng(3).uniform(0, 1, (41, 25))
    tail = (1.0 - 0.8) / 2.0  # as `intervals` computes it (not 0.1)
    lows, highs = np.quantile(values[1:], [tail, 1.0 - tail], axis=0)
    expected = list(
        zip(
            values[0].tolist(),
            np.minimum(values[0], lows).tolist(),
            np.maximum(values[0], highs).tolist(),
            strict=True,
        )
    )
    assert intervals(values, 0.8) == expected
    assert all(type(x) is float for row in intervals(values, 0.8) for x in row)
