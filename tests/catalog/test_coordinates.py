"""Coordinates in the bundled catalog lie in the program's own state (geocoder slips dropped)."""

from __future__ import annotations

from smartpick.core.geography import within_state
from smartpick.service.catalog import Catalog


def test_every_coordinate_lies_in_its_state(catalog: Catalog) -> None:
    outside = [
        (p.id, p.state.value, p.latitude.value, p.longitude.value)
        for p in catalog.programs()
        if p.state.value and p.latitude.value is not None and p.longitude.value is not None
        if within_state(p.state.value, p.latitude.value, p.longitude.value) is False
    ]
    assert outside == []


def test_oakland_california_is_not_placed_in_michigan(catalog: Catalog) -> None:
    highland = catalog.get("1400531051C")
    assert highland.state.value == "CA"
    if highland.latitude.value is not None:
        assert highland.latitude.value < 42.0
    assert any("geocoding error" in note for note in highland.data_notes)


def test_box_check_accepts_real_points_and_rejects_the_slips() -> None:
    assert within_state("TX", 31.76, -106.49)  # El Paso, far west Texas
    assert within_state("TN", 35.61, -88.81)  # Jackson, Tennessee
    assert within_state("TN", 42.25, -84.40) is False  # Jackson, Michigan
    assert within_state("ZZ", 0.0, 0.0) is None
