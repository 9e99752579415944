"""Draws on demand: the chance matrix computes draw 0 for every program and the other draws only
for the programs asked for (the listed ones, the curve's). Each value depends only on its own
draw, program and node, so asking for some programs first must give exactly (bit for bit) the
numbers of computing every program at once, as the model did before it was lazy."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartpick.core.chances.matrix import distinct
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.testing import REFERENCE_NAMES, reference_profile


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_draws_of_some_programs_equal_the_whole_computation(name: str, catalog: Catalog) -> None:
    profile = reference_profile(name)
    lazy = assess(profile, catalog=catalog).chances
    whole = assess(profile, catalog=catalog).chances
    n = len(lazy.program_ids)
    some = np.random.default_rng(13).choice(n, size=min(n, 40), replace=False)
    first = [lazy.interview_draws(s, some) for s in range(lazy.levels)]
    first_conversion = lazy.conversion_draws(some)
    every = whole.interview_by_signal  # every program in one computation
    for s in range(lazy.levels):
        assert np.array_equal(first[s], every[s][:, some])
        assert np.array_equal(lazy.point_interview[s], every[s][0])
        assert np.array_equal(lazy.interview_by_signal[s], every[s])  # the rest filled later
    assert np.array_equal(first_conversion, whole.conversion[:, some])
    assert np.array_equal(lazy.conversion, whole.conversion)


def test_draws_are_kept_for_the_programs_asked_for_only(catalog: Catalog) -> None:
    """A page reads a dozen programs' draws at a signal level: the store grows with what is
    asked for (at most twice that), and growing it keeps every value computed before."""
    profile = reference_profile("low-score-late")  # two specialties: about 1,100 programs
    lazy = assess(profile, catalog=catalog).chances
    whole = assess(profile, catalog=catalog).chances.interview_by_signal[1]
    n = len(lazy.program_ids)
    rng = np.random.default_rng(5)
    asked: set[int] = set()
    for size in (3, 1, 12, 40, 3, 200):
        idx = rng.choice(n, size=size, replace=True)  # repeats and programs asked before
        asked.update(idx.tolist())
        values, rows = lazy.interview_rows(1, idx)
        assert np.array_equal(values[:, rows], whole[:, idx])
        assert len(asked) <= values.shape[1] <= 2 * len(asked) < n


def test_rows_read_one_by_one_equal_rows_read_together(catalog: Catalog) -> None:
    profile = reference_profile("guide-sample")
    single = assess(profile, catalog=catalog).rows
    together = list(assess(profile, catalog=catalog).rows)
    assert len(single) == len(together) > 100
    for i in (0, 7, len(together) // 2, len(together) - 1):
        a, b = single[i], together[i]
        assert a.program.id == b.program.id
        assert (a.p_interview, a.p_match, a.p_interview_signal, a.confidence, a.reasons) == (
            b.p_interview,
            b.p_match,
            b.p_interview_signal,
            b.confidence,
            b.reasons,
        )
    assert [r.program.id for r in single[:5]] == [r.program.id for r in together[:5]]


def test_a_listed_programs_words_need_no_draws_and_are_its_rows(catalog: Catalog) -> None:
    """The list's sentences (the results page, the exports) read each listed program's words:
    no row's draws are computed for them, and the words are the full row's."""
    from smartpick.service.listing import program_lines
    from smartpick.service.recommend import recommend

    rec = recommend(reference_profile("guide-sample"), budget_usd=1200, catalog=catalog)
    rows = rec.assessment.rows
    lines, _ = program_lines(rec)
    assert len(lines) == len(rec.programs) > 10 and rows.built == 0  # type: ignore[attr-defined]
    index = {row.program.id: j for j, row in enumerate(rows)}  # builds every row
    for item in rec.programs:
        row = rows[index[item.program.id]]
        assert (item.confidence, item.words.unknowns) == (row.confidence, row.unknowns)
        assert item.words.reasons == row.reasons and row.reasons


def test_a_lists_assessment_is_freed_when_dropped(catalog: Catalog) -> None:
    """Reading a list's words and reasons (the results page, the exports) or a row leaves no
    reference cycle: the assessment's arrays (several MB) go back when the answer is dropped, not at the
    cyclic collector's next pass, and the next request reuses that memory while it is warm."""
    from smartpick.service.listing import program_lines
    from smartpick.service.recommend import recommend

    rec = recommend(reference_profile("guide-sample"), catalog=catalog)
    gc.collect()
    gc.disable()
    try:
        lines, _ = program_lines(rec)
        read = [(item.confidence, item.reasons, item.words.unknowns) for item in rec.programs]
        assert len(lines) == len(read) > 10
        assert rec.assessment.rows[3].reasons  # a row built (an export, the chances page)
        chances, rows = weakref.ref(rec.assessment.chances), weakref.ref(rec.assessment.rows)
        del rec
        assert chances() is None and rows() is None
    finally:
        gc.enable()


# (how many programs, the positions asked for)
ASKED = st.integers(1, 1200).flatmap(
    lambda size: st.tuples(st.just(size), st.lists(st.integers(0, size - 1), max_size=400))
)


@given(ASKED)
def test_distinct_is_numpy_unique(case: tuple[int, list[int]]) -> None:
    """The programs asked for, each once and ascending: `np.unique`'s answer, repeats, any order
    and none asked for included."""
    size, values = case
    asked = np.array(values, dtype=np.int64)
    found = distinct(asked, size)
    assert found.dtype == np.int64
    assert np.array_equal(found, np.unique(asked))
