"""The US map without JavaScript: state outlines from us-atlas and an Albers USA projection.

The vendored `states-albers-10m.json` (us-atlas 3.0.1) is pre-projected with
`d3.geoAlbersUsa().scale(1300).translate([487.5, 305])` into a 975×610 viewport. Program dots are
projected here with the same composite projection (lower 48, Alaska and Hawaii insets), so dots and
outlines line up. Places the projection does not cover (Puerto Rico, Guam) return None.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

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


@lru_cache(maxsize=1)
def state_paths() -> tuple[tuple[str, str], ...]:
    """(state name, SVG path data) for every state outline, decoded once per process."""
    source = resources.files("smartpick.web").joinpath(
        "static/vendor/us-atlas-3.0.1/states-albers-10m.json"
    )
    topology = json.loads(source.read_text(encoding="utf-8"))
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
    return tuple(paths)
