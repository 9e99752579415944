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

from markupsafe import escape

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
def _outlines() -> dict[str, tuple[str, tuple[float, float, float, float]]]:
    """State name -> (SVG path data, bounding box x0, y0, x1, y1), once per process: decoded from
    the atlas (0.1-0.2 s) at the first start after an install, then read from the start cache
    under a digest of the atlas and of this module."""
    atlas = resources.files("smartpick.web").joinpath(_ATLAS).read_bytes()
    digest = hashlib.sha256(atlas + Path(__file__).read_bytes()).hexdigest()[:16]
    stored = cached_json(f"state-outlines-{digest}", lambda: _decode_outlines(atlas))
    return {name: (path, (box[0], box[1], box[2], box[3])) for name, path, box in stored}


def _decode_outlines(atlas: bytes) -> list[tuple[str, str, list[float]]]:
    """(name, path, box) per state. Paths use whole pixels and relative moves ("l dx dy"): the
    map is 975 pixels wide at most on screen, and the outlines weigh about 44 KB in every
    results page instead of 110 KB."""
    topology = json.loads(atlas)
    arcs = _decode_arcs(topology)
    out = []
    for geometry in topology["objects"]["states"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        box = [min(xs), min(ys), max(xs), max(ys)]
        out.append((geometry["properties"]["name"], "".join(map(_path, rings)), box))
    return out


def _path(ring: list[tuple[float, float]]) -> str:
    """One closed ring as SVG path data in whole pixels, each point relative to the one before."""
    parts: list[str] = []
    last: tuple[int, int] | None = None
    for x, y in ring:
        here = (round(x), round(y))
        if last is None:
            parts.append(f"M{here[0]} {here[1]}")
        elif here != last:
            parts.append(f"l{here[0] - last[0]} {here[1] - last[1]}")
        last = here
    return "".join(parts) + "z"


def state_paths() -> tuple[tuple[str, str], ...]:
    """(state name, SVG path data) for every state outline."""
    return tuple((name, path) for name, (path, _) in _outlines().items())


# Where the pages find the outlines (`states_svg`): under /static/, so browsers keep it.
STATES_SVG_PATH = "/static/map/states.svg"


@lru_cache(maxsize=1)
def states_svg() -> bytes:
    """Every state outline as one SVG image, with its own style, built once per process. The map
    of every results page draws it (`STATES_SVG_PATH`) beneath the page's own dots: about 44 KB
    a browser fetches once, not in every page."""
    paths = "".join(
        f'<path d="{path}"><title>{escape(name)}</title></path>' for name, path in state_paths()
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}">'
        "<style>path { fill: #eef1f4; stroke: #9aa5b1; stroke-width: .6; }</style>"
        f"{paths}</svg>\n"
    ).encode()


def state_boxes() -> dict[str, tuple[float, float, float, float]]:
    """Bounding box (x0, y0, x1, y1) of each state's outline on the map, by state name."""
    return {name: box for name, (_, box) in _outlines().items()}


def place_in_state(state_code: str | None, lon: float, lat: float) -> tuple[float, float] | None:
    """The map point of a program, or None when it is off the map or outside its own state.

    Source coordinates are occasionally those of a same-named city in another state; such a dot
    would mislead, so it is left off and listed instead.
    """
    xy = albers_usa(lon, lat)
    name = STATE_NAMES.get(state_code or "")
    if xy is None or name is None:
        return None
    x0, y0, x1, y1 = _outlines()[name][1]
    slack = 4.0  # pixels: small states (DC, RI) and simplified outlines
    inside = x0 - slack <= xy[0] <= x1 + slack and y0 - slack <= xy[1] <= y1 + slack
    return xy if inside else None
