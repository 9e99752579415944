"""The written list's rows (`service.recommendation`): what is computed once per list is, bit for
bit, the per-program arithmetic it stands for."""

from __future__ import annotations

from smartpick.core.lists.fees import fee_schedule
from smartpick.core.lists.request import fee_group
from smartpick.core.lists.tiers import tier_of
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend


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
