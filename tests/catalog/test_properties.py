"""Property tests: search only returns programs that satisfy every filter, and finds all of them."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartpick.catalog.filters import SearchFilters
from smartpick.core.geography import REGIONS, STATES, place_of
from smartpick.core.programs import SETTINGS
from smartpick.service.catalog import Catalog

filters = st.fixed_dictionaries(
    {},
    optional={
        "specialty": st.sampled_from(
            ["Internal Medicine", "Family Medicine", "Psychiatry", "Pathology"]
        ),
        "track": st.sampled_from(["categorical", "preliminary"]),
        "state": st.sampled_from(["NY", "CA", "TX", "FL", "MI", "PR", "WY"]),
        "region": st.sampled_from(REGIONS),
        "setting": st.sampled_from(SETTINGS),
        "visa": st.sampled_from(["J-1", "H-1B", "j1", "h1b"]),
        "min_non_us_img_pct": st.floats(0, 100, allow_nan=False),
        "min_positions": st.integers(0, 60),
        "text": st.sampled_from(
            ["university", "Medical", "hospital", "mount sinai", "zzz", "CLÍNICA", "ñ"]
        ),
    },
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=filters)
def test_search_returns_exactly_the_programs_that_match(catalog: Catalog, raw: dict) -> None:
    found = catalog.search(**raw, limit=10_000)
    parsed = SearchFilters.parse(**raw)
    assert all(parsed.matches(p) for p in found)
    everything = catalog.programs()
    expected = {p.id for p in everything if parsed.matches(p)}
    assert {p.id for p in found} == expected
    assert catalog.count(**raw) == len(expected)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=filters, limit=st.integers(1, 30), offset=st.integers(0, 40))
def test_pages_are_slices_of_the_full_result(
    catalog: Catalog, raw: dict, limit: int, offset: int
) -> None:
    full = [p.id for p in catalog.search(**raw, limit=10_000)]
    page = [p.id for p in catalog.search(**raw, limit=limit, offset=offset)]
    assert page == full[offset : offset + limit]


@given(st.sampled_from(STATES))
def test_every_state_has_region_and_division_or_is_a_territory(state: str) -> None:
    place = place_of(state)
    assert (place.region is None) == (place.division is None)
    assert place.region is None or place.region in REGIONS
