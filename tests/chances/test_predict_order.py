"""Programs of several specialties are assessed the same whether they come one specialty after
the other (the usual case: a run of each, found without a loop and with no reordering) or mixed
(each specialty's programs picked out, the results put back in the order given)."""

from __future__ import annotations

import numpy as np

from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.testing import reference_profile


def test_mixed_and_grouped_specialties_give_the_same_chances(catalog: Catalog) -> None:
    profile = reference_profile("low-score-late")  # IM and FM, some programs excluded
    im = [p.id for p in catalog.programs(specialty="Internal Medicine")][:150]
    fm = [p.id for p in catalog.programs(specialty="Family Medicine")][:90]
    mixed = [pid for pair in zip(im, fm, strict=False) for pid in pair] + im[len(fm) :]
    grouped = assess(profile, program_ids=im + fm, catalog=catalog)
    interleaved = assess(profile, program_ids=mixed, catalog=catalog)
    assert grouped.excluded and len(grouped.programs) > 100

    def in_order(order: list[str], ids: list[str]) -> list[str]:
        wanted = set(ids)
        return [pid for pid in order if pid in wanted]

    kept = [p.id for p in grouped.programs]
    assert kept == in_order(im + fm, kept)
    assert [p.id for p in interleaved.programs] == in_order(mixed, kept)
    dropped = [e.program.id for e in grouped.excluded]
    assert [e.program.id for e in interleaved.excluded] == in_order(mixed, dropped)
    assert [e.program.id for e in grouped.excluded] == in_order(im + fm, dropped)
    at = {pid: i for i, pid in enumerate(kept)}
    order = np.array([at[p.id] for p in interleaved.programs])
    a, b = grouped.chances, interleaved.chances
    assert b.program_ids == tuple(np.array(a.program_ids)[order].tolist())
    for s in range(a.levels):
        assert np.array_equal(a.point_interview[s][order], b.point_interview[s])
        assert np.array_equal(
            a.interview_draws(s, order), b.interview_draws(s, np.arange(order.size))
        )
    assert np.array_equal(a.point_conversion[order], b.point_conversion)
    for name, column in grouped.facts.items():
        assert np.array_equal(column[order], interleaved.facts[name])
    for j in (0, 1, 2, len(order) // 2, len(order) - 1):
        x, y = grouped.rows[int(order[j])], interleaved.rows[j]
        assert x.program is y.program
        assert (x.p_interview, x.p_match, x.confidence, x.reasons) == (
            y.p_interview,
            y.p_match,
            y.confidence,
            y.reasons,
        )


def test_interview_points_read_from_the_facts_match_the_programs(catalog: Catalog) -> None:
    """`interview_points` reads the ids and specialties from the facts' columns: the same dict,
    in the same order, as reading each program object."""
    assessment = assess(reference_profile("low-score-late"), catalog=catalog)
    point = assessment.chances.point_interview[0] @ assessment.chances.weights
    for specialty in (None, "Internal Medicine", "Family Medicine", "Neurology"):
        plain = {
            p.id: float(v)
            for p, v in zip(assessment.programs, point, strict=True)
            if specialty is None or p.specialty == specialty
        }
        got = assessment.interview_points(specialty)
        assert list(got.items()) == list(plain.items())
        assert specialty == "Neurology" or len(got) > 100
