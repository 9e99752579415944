"""The written list's rows (`service.recommendation`): what is computed once per list is, bit for
bit, the per-program arithmetic it stands for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartpick.core.lists.fees import fee_schedule
from smartpick.core.lists.request import fee_group
from smartpick.core.lists.result import CurvePoint, ListedProgram, curve_rows
from smartpick.core.lists.tiers import tier_of
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import REFERENCE_NAMES, reference_profile


def test_each_row_is_its_program_s_own_arithmetic(guide_list, guide_sample, catalog: Catalog):
    two = recommend(
        guide_sample,
        budget_usd=1500,
        specialties=["Internal Medicine", "Family Medicine"],
        catalog=catalog,
    )
    for rec in (guide_list, two):
        assessment, cm = rec.assessment, rec.assessment.chances
        index = {p.id: i for i, p in enumerate(assessment.programs)}
        in_group: dict[str, int] = {}
        for row in rec.programs:
            i = index[row.program.id]
            # one dot product per program, never a matrix-vector product (another order of sums)
            assert row.p_interview_unsignaled == float(cm.point_interview[0][i] @ cm.weights)
            assert row.tier == tier_of(
                row.p_interview.point, row.program.specialty, assessment.profile.applicant_type
            )
            group = fee_group(row.program)
            in_group[group] = in_group.get(group, 0) + 1
            assert row.reasons[-1] == (
                f"ERAS fee ${row.fee_usd} (program {in_group[group]} of {group}, "
                f"{fee_schedule(rec.season).season} season)"
            )
        assert len(in_group) == (2 if rec is two else 1)


def _row_reference(row: ListedProgram) -> dict[str, Any]:
    """A list row of the JSON contract written field by field from the row's own attributes
    (what `ListedProgram.to_dict` wrote before rows were written together)."""
    p = row.program
    return {
        "rank": row.rank,
        "program_id": p.id,
        "name": p.name,
        "specialty": p.specialty,
        "track": p.track,
        "state": p.state.value,
        "city": p.city.value,
        "region": p.region.value,
        "setting": p.setting.value,
        "latitude": p.latitude.value,
        "longitude": p.longitude.value,
        "tier": row.tier,
        "p_interview": row.p_interview.to_dict(),
        "p_interview_unsignaled": row.p_interview_unsignaled,
        "signal": row.signal,
        "signal_name": row.signal_name,
        "fee_usd": row.fee_usd,
        "contribution_pp": row.contribution_pp,
        "preference": row.preference,
        "must_include": row.must_include,
        "confidence": row.words.confidence,
        "reasons": list(row.reasons),
    }


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_rows_written_together_are_each_row_s_own(name: str, catalog: Catalog):
    profile = reference_profile(name)
    first = recommend(profile, budget_usd=1200, catalog=catalog)
    again = recommend(profile, budget_usd=1200, catalog=catalog)
    assert first.programs
    # the reasons of the whole list are written when one is read: read from the last row first,
    # each row still gets its own
    last = again.programs[-1].reasons
    doc = first.to_dict()
    assert [json.dumps(r) for r in doc["programs"]] == [
        json.dumps(_row_reference(row)) for row in first.programs
    ]
    assert [r["reasons"] for r in doc["programs"]] == [list(r.reasons) for r in again.programs]
    assert last == tuple(doc["programs"][-1]["reasons"])
    for row in first.programs:
        own = row.words.reasons
        start = 2 if row.signal != "none" else 1
        start += row.must_include
        assert row.reasons[start : start + len(own)] == own
        assert row.to_dict() == doc["programs"][row.rank - 1]
    # rows compare by their figures, not by the list that wrote their words
    assert first.programs == again.programs
    assert hash(first.programs[0]) == hash(again.programs[0])
    assert first.programs[0] != first.programs[0]._replace(fee_usd=first.programs[0].fee_usd + 1)
    assert "written" not in repr(first.programs[0])


_points = st.builds(
    CurvePoint,
    st.integers(0, 300),
    st.integers(0, 10_000),
    st.floats(0, 1),
    st.none() | st.tuples(st.floats(0, 1), st.floats(0, 1)),
    st.floats(-1, 1, allow_nan=False),
    st.floats(-100, 100),
    st.booleans(),
)


@given(st.lists(_points, max_size=20))
@settings(max_examples=60, deadline=None)
def test_curve_written_together_is_each_point_s_own(curve: list[CurvePoint]):
    low_high = [c.p_match_range or (None, None) for c in curve]
    assert curve_rows(curve) == [
        {
            "applications": c.applications,
            "fees_usd": c.fees_usd,
            "p_match": {"point": c.p_match_point, "low": low, "high": high},
            "objective": c.objective,
            "gain_pp": c.gain_pp,
            "within_limits": c.within_limits,
        }
        for c, (low, high) in zip(curve, low_high, strict=True)
    ]
    assert [c.to_dict() for c in curve] == curve_rows(curve)
