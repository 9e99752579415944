"""The map's projection: program dots land inside their own state's outline."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from smartpick.web import geo
from smartpick.web.geo import (
    MAP_HEIGHT,
    MAP_WIDTH,
    STATE_NAMES,
    albers_usa,
    state_boxes,
    state_paths,
)


def _bbox(path: str) -> tuple[float, float, float, float]:
    """The box of an outline's path data ("M x y" then relative "l dx dy" moves)."""
    xs, ys, x, y = [], [], 0, 0
    for command, dx, dy in re.findall(r"([Ml])(-?\d+) (-?\d+)", path):
        x, y = (int(dx), int(dy)) if command == "M" else (x + int(dx), y + int(dy))
        xs.append(x)
        ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


BOXES = {name: _bbox(path) for name, path in state_paths()}


def test_the_drawn_outlines_fill_the_boxes_the_dots_are_checked_against() -> None:
    for name, box in state_boxes().items():
        assert all(abs(a - b) <= 0.5 for a, b in zip(BOXES[name], box, strict=True)), name


@pytest.mark.parametrize(
    ("state", "lon", "lat"),
    [
        ("New York", -73.94, 40.67),
        ("California", -118.24, 34.05),
        ("Texas", -95.37, 29.76),
        ("Florida", -80.19, 25.76),
        ("Minnesota", -93.27, 44.98),
        ("Maine", -70.26, 43.66),
        ("Washington", -122.33, 47.61),
        ("Alaska", -149.90, 61.22),
        ("Hawaii", -157.86, 21.31),
        ("District of Columbia", -77.03, 38.90),
    ],
)
def test_a_city_falls_inside_its_state(state: str, lon: float, lat: float) -> None:
    xy = albers_usa(lon, lat)
    assert xy is not None
    x0, y0, x1, y1 = BOXES[state]
    pad = 3.0  # DC is a few pixels wide
    assert x0 - pad <= xy[0] <= x1 + pad and y0 - pad <= xy[1] <= y1 + pad, (state, xy)


def test_places_outside_the_50_states_are_left_off() -> None:
    assert albers_usa(-66.1, 18.47) is None  # San Juan, Puerto Rico
    assert albers_usa(144.79, 13.44) is None  # Guam


def test_every_catalog_program_lands_in_its_state(app) -> None:
    """All real program coordinates: on the map and inside their state's box (a few px slack)."""
    from smartpick.service.catalog import open_catalog

    catalog = open_catalog(app.state.settings.user_store)
    checked, outside = 0, []
    for p in catalog.programs():
        state = STATE_NAMES.get(p.state.value or "")
        if state is None or p.latitude.value is None or p.longitude.value is None:
            continue
        xy = albers_usa(p.longitude.value, p.latitude.value)
        x0, y0, x1, y1 = BOXES[state]
        if xy is None or not (x0 - 4 <= xy[0] <= x1 + 4 and y0 - 4 <= xy[1] <= y1 + 4):
            outside.append((p.id, p.name, p.state.value, xy))
        else:
            assert 0 <= xy[0] <= MAP_WIDTH and 0 <= xy[1] <= MAP_HEIGHT
        checked += 1
    assert checked > 4000
    # Catalog coordinates are sometimes wrong at the source; a handful may be off, not more.
    assert len(outside) <= checked // 200, outside[:10]


def test_every_state_is_drawn() -> None:
    assert len(BOXES) == 51  # 50 states and DC


def test_a_dot_outside_its_own_state_is_left_off() -> None:
    from smartpick.web.geo import place_in_state

    # Oakland, CA with the coordinates of Oakland County, Michigan (a source geocoding slip).
    assert place_in_state("CA", -83.6172, 42.6381) is None
    assert place_in_state("MI", -83.6172, 42.6381) is not None
    assert place_in_state("PR", -66.1, 18.47) is None


def test_the_outlines_read_from_the_start_cache_are_the_atlas_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTPICK_CACHE", str(tmp_path))
    atlas = resources.files("smartpick.web").joinpath(geo._ATLAS).read_bytes()
    fresh = {name: (path, tuple(box)) for name, path, box in geo._decode_outlines(atlas)}
    geo._outlines.cache_clear()
    try:
        assert geo._outlines() == fresh  # computed, then stored
        assert len(list(tmp_path.glob("start-*.json"))) == 1
        geo._outlines.cache_clear()
        assert geo._outlines() == fresh  # read back
    finally:
        geo._outlines.cache_clear()
