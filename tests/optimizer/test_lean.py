"""recommend(..., intervals=False): the same lists and figures, the curve without intervals."""

from __future__ import annotations

import numpy as np
import pytest

from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import reference_profile


@pytest.mark.parametrize(
    ("name", "budget", "specialties"),
    [
        ("guide-sample", 1200, None),
        ("guide-sample", 3000, ("Internal Medicine", "Family Medicine")),
        ("low-score-late", None, None),
        ("us-img-fm", 800, ("Family Medicine", "Internal Medicine")),
    ],
)
def test_lean_list_is_the_same_list_without_curve_intervals(
    catalog: Catalog, name: str, budget: float | None, specialties: tuple[str, ...] | None
) -> None:
    profile = reference_profile(name)
    options = {"budget_usd": budget, "catalog": catalog, "specialties": specialties}
    full = recommend(profile, **options)
    lean = recommend(profile, intervals=False, **options)
    assert full.intervals and not lean.intervals
    assert [(r.program.id, r.signal, r.p_interview) for r in lean.programs] == [
        (r.program.id, r.signal, r.p_interview) for r in full.programs
    ]
    assert np.array_equal(lean.p_match_draws, full.p_match_draws)
    assert np.array_equal(lean.expected_interviews_draws, full.expected_interviews_draws)
    assert (lean.p_match, lean.total_fees_usd, lean.how_many) == (
        full.p_match,
        full.total_fees_usd,
        full.how_many,
    )
    # every curve point is the same number, bit for bit; only its interval is missing
    assert [(c.applications, c.fees_usd, c.p_match_point, c.objective) for c in lean.curve] == [
        (c.applications, c.fees_usd, c.p_match.point, c.objective) for c in full.curve
    ]
    assert all(c.p_match_range is None for c in lean.curve)
    assert lean.to_dict()["curve"][1]["p_match"]["low"] is None
    with pytest.raises(ValueError, match="without intervals"):
        _ = lean.curve[1].p_match
