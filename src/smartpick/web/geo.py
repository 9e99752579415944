"""The US map without JavaScript: state outlines from us-atlas and an Albers USA projection.

The vendored `states-albers-10m.json` (us-atlas 3.0.1) is pre-projected with
`d3.geoAlbersUsa().scale(1300).translate([487.5, 305])` into a 975×610 viewport. Program dots are
projected here with the same composite projection (lower 48, Alaska and Hawaii insets), so dots and
outlines line up. Places the projection does not cover (Puerto Rico, Guam) return None.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path

from markupsafe import Markup, escape

from smartpick.service.start_cache import cached_json

MAP_WIDTH = 975
MAP_HEIGHT = 610
_SCALE = 1300.0
_TRANSLATE = (487.5, 305.0)


class _ConicEqualArea:
    """d3.geoConicEqualArea with rotate/center/parallels/scale/translate, forward only."""

    def __init__(
        self,
        rotate_deg: float,
        center: tuple[float, float],
        parallels: tuple[float, float],
        scale: float,
        translate: tuple[float, float],
    ) -> None:
        phi0, phi1 = (math.radians(p) for p in parallels)
        sin0 = math.sin(phi0)
        self.n = (sin0 + math.sin(phi1)) / 2
        self.c = 1 + sin0 * (2 * self.n - sin0)
        self.r0 = math.sqrt(self.c) / self.n
        self.rotate = rotate_deg
        self.scale = scale
        self.translate = translate
        self.center_xy = self._raw(math.radians(center[0]), math.radians(center[1]))

    def _raw(self, lam: float, phi: float) -> tuple[float, float]:
        r = math.sqrt(max(self.c - 2 * self.n * math.sin(phi), 0.0)) / self.n
        return r * math.sin(lam * self.n), self.r0 - r * math.cos(lam * self.n)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        lam = math.radians(((lon + self.rotate + 180.0) % 360.0) - 180.0)
        x, y = self._raw(lam, math.radians(lat))
        cx, cy = self.center_xy
        return (
            self.translate[0] + self.scale * (x - cx),
            self.translate[1] - self.scale * (y - cy),
        )


_LOWER48 = _ConicEqualArea(96.0, (-0.6, 38.7), (29.5, 45.5), _SCALE, _TRANSLATE)
_ALASKA = _ConicEqualArea(
    154.0,
    (-2.0, 58.5),
    (55.0, 65.0),
    0.35 * _SCALE,
    (_TRANSLATE[0] - 0.307 * _SCALE, _TRANSLATE[1] + 0.201 * _SCALE),
)
_HAWAII = _ConicEqualArea(
    157.0,
    (-3.0, 19.9),
    (8.0, 18.0),
    _SCALE,
    (_TRANSLATE[0] - 0.205 * _SCALE, _TRANSLATE[1] + 0.212 * _SCALE),
)


# USPS code -> the state's name in us-atlas.
STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip


def albers_usa(lon: float, lat: float) -> tuple[float, float] | None:
    """Project a longitude/latitude to the 975×610 map, or None outside the 50 states and DC."""
    if 51.0 <= lat <= 72.0 and -180.0 <= lon <= -129.0:
        return _ALASKA(lon, lat)
    if 18.8 <= lat <= 28.5 and -178.5 <= lon <= -154.0:
        return _HAWAII(lon, lat)
    if 24.0 <= lat <= 50.0 and -125.5 <= lon <= -66.0:
        return _LOWER48(lon, lat)
    return None


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])
    return points


_ATLAS = "static/vendor/us-atlas-3.0.1/states-albers-10m.json"


@lru_cache(maxsize=1)
def state_paths() -> tuple[tuple[str, str], ...]:
    """(state name, SVG path data) for every state outline, once per process: decoded from the
    atlas (0.1-0.2 s) at the first start after an install, then read from the start cache under
    a digest of the atlas and of this module."""
    atlas = resources.files("smartpick.web").joinpath(_ATLAS).read_bytes()
    digest = hashlib.sha256(atlas + Path(__file__).read_bytes()).hexdigest()[:16]
    paths = cached_json(f"state-paths-{digest}", lambda: _decode_paths(atlas))
    return tuple((name, path) for name, path in paths)


def _decode_paths(atlas: bytes) -> list[tuple[str, str]]:
    topology = json.loads(atlas)
    arcs = _decode_arcs(topology)
    paths = []
    for geometry in topology["objects"]["states"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        parts = []
        for polygon in polygons:
            for ring in polygon:
                pts = _ring(arcs, ring)
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        paths.append((geometry["properties"]["name"], "".join(parts)))
    return paths


@lru_cache(maxsize=1)
def state_outlines() -> Markup:
    """Every state outline as SVG paths with the state's name, built once per process."""
    return Markup(
        "".join(
            f'<path class="state" d="{path}"><title>{escape(name)}</title></path>'
            for name, path in state_paths()
        )
    )


@lru_cache(maxsize=1)
def state_boxes() -> dict[str, tuple[float, float, float, float]]:
    """Bounding box (x0, y0, x1, y1) of each state's outline on the map, by state name."""
    boxes = {}
    for name, path in state_paths():
        pairs = path.replace("M", "L").replace("Z", "").split("L")
        xy = [tuple(map(float, p.split(","))) for p in pairs if p]
        xs, ys = [x for x, _ in xy], [y for _, y in xy]
        boxes[name] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


def place_in_state(state_code: str | None, lon: float, lat: float) -> tuple[float, float] | None:
    """The map point of a program, or None when it is off the map or outside its own state.

    Source coordinates are occasionally those of a same-named city in another state; such a dot
    would mislead, so it is left off and listed instead.
    """
    xy = albers_usa(lon, lat)
    name = STATE_NAMES.get(state_code or "")
    if xy is None or name is None:
        return None
    x0, y0, x1, y1 = state_boxes()[name]
    slack = 4.0  # pixels: small states (DC, RI) and simplified outlines
    inside = x0 - slack <= xy[0] <= x1 + slack and y0 - slack <= xy[1] <= y1 + slack
    return xy if inside else None
