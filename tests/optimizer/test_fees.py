"""ERAS fee schedules from the bundled AAMC table."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartpick.core.lists.fees import fee_schedule, fee_seasons
from smartpick.errors import InvalidInput


def test_aamc_published_example_2026() -> None:
    """AAMC 'Fees for 2026 ERAS Season': 43 IM + 7 radiology programs cost $797."""
    schedule = fee_schedule(2026)
    assert schedule.specialty_fee_usd(43) == 30 * 11 + 13 * 30
    assert schedule.specialty_fee_usd(7) == 77
    assert schedule.total_fee_usd({"IM": 43, "Radiology": 7}, include_transcript=False) == 797


def test_transcript_fee_is_added_once_and_its_season_is_reported() -> None:
    schedule = fee_schedule(2026)
    assert schedule.transcript_fee_usd == 80
    assert schedule.transcript_season == 2024  # only the 2024 page states it
    assert schedule.total_fee_usd({"IM": 43, "Radiology": 7}) == 797 + 80
    assert schedule.total_fee_usd({"IM": 0}) == 0


def test_2024_tiered_schedule() -> None:
    schedule = fee_schedule(2024)
    assert schedule.specialty_fee_usd(1) == 99
    assert schedule.specialty_fee_usd(10) == 99
    assert schedule.specialty_fee_usd(11) == 99 + 19
    assert schedule.specialty_fee_usd(35) == 99 + 10 * 19 + 10 * 23 + 5 * 27
    assert schedule.marginal_fee_usd(0) == 99
    assert schedule.marginal_fee_usd(5) == 0


def test_2025_matches_2026_and_tiers_restart_per_specialty() -> None:
    for season in (2025, 2026):
        schedule = fee_schedule(season)
        assert schedule.marginal_fee_usd(29) == 11
        assert schedule.marginal_fee_usd(30) == 30
        two = schedule.total_fee_usd({"IM": 31, "FM": 31}, include_transcript=False)
        assert two == 2 * schedule.specialty_fee_usd(31) == 2 * (330 + 30)


def test_unknown_season_names_the_allowed_ones() -> None:
    assert fee_seasons() == (2024, 2025, 2026)
    with pytest.raises(InvalidInput, match=r"^season: .* for 2019; allowed 2024 or later"):
        fee_schedule(2019)
    with pytest.raises(InvalidInput, match=r"^match_year: ") as caught:  # a profile's season
        fee_schedule(2019, field="match_year")
    assert caught.value.field == "match_year"


def test_negative_counts_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="programs"):
        fee_schedule(2026).specialty_fee_usd(-1)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from((2024, 2025, 2026)), st.integers(0, 120), st.integers(0, 120))
def test_fees_add_up_and_never_fall(season: int, a: int, b: int) -> None:
    schedule = fee_schedule(season)
    assert sum(schedule.marginal_fees_usd(a)) == schedule.specialty_fee_usd(a)
    low, high = sorted((a, b))
    assert schedule.specialty_fee_usd(low) <= schedule.specialty_fee_usd(high)
