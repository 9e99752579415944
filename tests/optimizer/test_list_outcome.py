"""A priced list's draws in one pass (`list_outcome_draws`) are `list_draws`'s, bit for bit.

The what-if lists of a plan read only their P(match) and expected interviews per draw; the one
pass computes them from the list's terms without keeping its programs' draws. On a fresh
assessment (no draw computed yet) and on one whose draws the page's list already computed, for
one and two specialties, signals and a missing Step 2 CK, both ways give the same numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from smartpick.core.lists.curve import list_draws, list_outcome_draws
from smartpick.service.assess import assess
from smartpick.service.catalog import Catalog
from smartpick.service.recommend import recommend
from smartpick.testing import optimizer_calls, reference_profile


@pytest.mark.parametrize(
    ("name", "budget", "specialties", "score_known"),
    [
        ("guide-sample", None, None, True),
        ("guide-sample", 1200.0, ("Internal Medicine", "Family Medicine"), True),
        ("low-score-late", None, None, False),
        ("us-img-fm", None, ("Family Medicine", "Internal Medicine"), True),
        ("strong-img", 1200.0, ("Internal Medicine", "Neurology"), False),
    ],
)
def test_one_pass_gives_the_list_draws(
    catalog: Catalog,
    name: str,
    budget: float | None,
    specialties: tuple[str, ...] | None,
    score_known: bool,
) -> None:
    profile = reference_profile(name)
    if not score_known:
        profile = profile.model_copy(update={"step2ck": None, "step2ck_attempts": 0})
    with optimizer_calls() as seen:
        rec = recommend(profile, budget_usd=budget, specialties=specialties, catalog=catalog)
    _, solution, _ = seen[-1]
    selected, signals = list(solution.order), list(solution.signals)
    assert any(signals), "the list should hold signals"
    assert len(rec.assessment.chances.program_ids) > len(selected) > 20
    fresh = assess(
        profile,
        specialties=rec.assessment.specialties,
        catalog=catalog,
        tracks=rec.assessment.tracks,
    ).chances
    assert fresh.list_terms is not None
    one_pass = list_outcome_draws(fresh, selected, signals)
    for chances in (fresh, rec.assessment.chances):  # nothing computed yet; the page's draws
        _, p_match, interviews = list_draws(chances, selected, signals)
        assert np.array_equal(one_pass[0], p_match)
        assert np.array_equal(one_pass[1], interviews)
    assert len(np.unique(one_pass[0])) > 10  # the draws differ: not a constant


def test_an_empty_list_has_no_chance(catalog: Catalog) -> None:
    chances = assess(reference_profile("guide-sample"), catalog=catalog).chances
    p_match, interviews = list_outcome_draws(chances, [], [])
    assert p_match.shape == interviews.shape == (chances.n_draws,)
    assert not p_match.any() and not interviews.any()
