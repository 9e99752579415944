"""Server-rendered SVG chart geometry: the P(match) curve against applications and fees.

No JavaScript chart library: the server computes the paths and ticks, the template draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from itertools import chain
from operator import attrgetter

import numpy as np
from numpy.typing import NDArray

from smartpick.core.lists.result import CurvePoint
from smartpick.plain_text import counted

WIDTH = 640
HEIGHT = 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 48, 40, 48  # right margin fits a "$4,010" fee label


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class CurveChart:
    """Everything the template needs to draw the curve; coordinates are in the SVG viewBox."""

    width: int
    height: int
    curve_path: str
    band_path: str
    x_ticks: tuple[Tick, ...]
    fee_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    stop_x: float | None = None
    stop_label: str | None = None  # beside the dashed line: "stop at 170 (28%, $4,610)"
    stop_sentence: str | None = None  # the same for a screen reader, in a sentence
    stop_anchor: str = "start"  # "end" when the line is near the right edge
    # Hover points (x, y, point): every k-th list size on a long curve, see _hover_points.
    points: tuple[tuple[float, float, CurvePoint], ...] = field(default_factory=tuple)


def _nice_step(span: float, target_ticks: int = 6) -> int:
    """A round tick step (1, 2, 5, 10, 20, 25, 50, ...) giving about `target_ticks` ticks."""
    raw = max(span / target_ticks, 1.0)
    magnitude = 1
    while True:
        for mult in (1, 2, 5):
            if raw <= mult * magnitude:
                return mult * magnitude
        magnitude *= 10


# Hover points on the curve: at most about this many (the line itself has every list size).
MAX_CURVE_POINTS = 60


def _hover_points(sizes: Sequence[int], stop_at: int | None) -> list[int]:
    """The indices of the hover points among a curve's list `sizes`: every point of a short
    curve; on a long one every k-th, the stop and the last point."""
    every = -(-len(sizes) // MAX_CURVE_POINTS)
    last = len(sizes) - 1
    return [i for i, n in enumerate(sizes) if i % every == 0 or i == last or n == stop_at]


def p_match_band(p: CurvePoint) -> tuple[float, float]:
    """A point's P(match) (low, high) without an `Estimate` each (a curve has hundreds of
    points); `p_match` raises for a curve computed without intervals."""
    return p.p_match_range if p.p_match_range is not None else (p.p_match.low, p.p_match.high)


@cache
def _tenths() -> tuple[NDArray[np.bytes_], int]:
    """Every coordinate of the viewBox in tenths as ASCII text (0.0 to 640.0, and 640.1): an x
    followed by ",", then the same with "L" (a y), in fixed-width bytes padded with NULs, built
    once per process; and the count of texts of each kind."""
    texts = [f"{i // 10}.{i % 10}" for i in range(10 * WIDTH + 2)]
    return np.array([t + "," for t in texts] + [t + "L" for t in texts], dtype="S6"), len(texts)


def _path(xs: NDArray[np.float64], ys: NDArray[np.float64]) -> str:
    """Points "x,y" (one decimal each, as "%.1f" writes them) joined by "L", in one pass."""
    coords = np.empty(2 * len(xs))
    coords[0::2], coords[1::2] = xs, ys
    tenfold = coords * 10
    tenths = np.rint(tenfold)
    texts, count = _tenths()
    if not (coords.min() > 0 and tenths.max() < count - 1):  # outside the viewBox, or not finite
        return "L".join(("%.1f,%.1f",) * len(xs)) % tuple(coords.tolist())
    # A coordinate's text is looked up by its whole number of tenths (a few times faster than
    # formatting it): its decimal rounding, where 10 x lies clearly off a half (the product's
    # rounding cannot cross one); the few within a thousandth of a half are formatted to read
    # theirs (a tenth either way at most). The texts are taken as one block of bytes, their NUL
    # padding dropped.
    for i in np.flatnonzero(np.abs(tenfold - tenths) >= 0.499).tolist():
        tenths[i] = float(f"{float(coords[i]):.1f}".replace(".", ""))
    at = tenths.astype(np.intp)
    at[1::2] += count  # each y's text ends in "L"
    return texts[at].tobytes().replace(b"\0", b"")[:-1].decode()


def _rounded(values: NDArray[np.float64]) -> list[float]:
    """`round(v, 1)` of each value: its whole number of tenths over 10 (the double nearest that
    decimal, as `round` gives), where 10 v lies clearly off a half and is small enough for the
    product's rounding to be far below a tenth; `round` for the others."""
    tenfold = values * 10
    tenths = np.rint(tenfold)
    rounded = (tenths / 10).tolist()
    with np.errstate(invalid="ignore"):  # inf - inf is nan: such values are `round`ed below
        clear = (np.abs(tenfold - tenths) < 0.499) & (np.abs(tenfold) < 1e9)
    for i in np.flatnonzero(~clear).tolist():
        rounded[i] = round(float(values[i]), 1)
    return rounded


def curve_chart(points: Sequence[CurvePoint], stop_at: int | None = None) -> CurveChart | None:
    """Geometry of the curve; `stop_at` is the recommended number of applications (the stop)."""
    pts = sorted(points, key=attrgetter("applications"))
    if len(pts) < 2:
        return None
    x_max = pts[-1].applications
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    x_scale = plot_w / max(x_max, 1)

    def sx(n: float) -> float:
        return _LEFT + x_scale * n

    def sy(p: float) -> float:
        return _TOP + plot_h * (1 - (0.0 if p < 0 else 1.0 if p > 1 else p))

    # The line and band at once (a curve has hundreds of points): `sx` and `sy` on arrays, the
    # same arithmetic in the same order, so the same bits; the points' fields read as columns,
    # the P(match) points then the (low, high) pairs in one flat array.
    sizes, _, point, spans = list(zip(*pts, strict=True))[:4]
    if None in spans:  # a curve without intervals: raises as `p_match_band` says
        p_match_band(pts[spans.index(None)])
    xs = _LEFT + x_scale * np.array(sizes, dtype=float)
    n = len(pts)
    ys = _TOP + plot_h * (1 - np.clip(np.array([*point, *chain(*spans)], dtype=float), 0.0, 1.0))
    mid, low, high = ys[:n], ys[n::2], ys[n + 1 :: 2]
    curve = "M" + _path(xs, mid)
    band = "M" + _path(np.concatenate((xs, xs[::-1])), np.concatenate((high, low[::-1]))) + "Z"
    step = _nice_step(x_max)
    by_size = dict(zip(sizes, pts, strict=True))
    x_ticks = []
    fee_ticks = []
    for n in range(0, x_max + 1, step):
        x_ticks.append(Tick(sx(n), f"{n:.0f}"))
        nearest = by_size.get(n) or min(pts, key=lambda p: abs(p.applications - n))
        if abs(nearest.applications - n) <= step / 2:
            fee_ticks.append(Tick(sx(nearest.applications), f"${nearest.fees_usd:,.0f}"))
    y_ticks = tuple(Tick(sy(v / 100), f"{v}%") for v in range(0, 101, 20))
    stop_x = stop_label = stop_sentence = None
    if stop_at is not None:
        stop_x = sx(stop_at)
        at = by_size.get(stop_at) or min(pts, key=lambda p: abs(p.applications - stop_at))
        chance, fees = f"{100 * at.p_match.point:.0f}%", f"${at.fees_usd:,.0f}"
        stop_label = f"stop at {stop_at} ({chance}, {fees})"
        stop_sentence = (
            f"SmartPick's list stops at {counted(stop_at, 'application')}: a {chance} chance of "
            f"matching for {fees} in fees"
        )
    # A label right of a line near the right edge would run off the chart: put it on the left.
    hover = _hover_points(sizes, stop_at)
    x_at, y_at = _rounded(xs[hover]), _rounded(mid[hover])  # `sx` and `sy` of each, to a tenth
    anchor = "end" if stop_x is not None and stop_x > _LEFT + 0.6 * plot_w else "start"
    return CurveChart(
        width=WIDTH,
        height=HEIGHT,
        curve_path=curve,
        band_path=band,
        x_ticks=tuple(x_ticks),
        fee_ticks=tuple(fee_ticks),
        y_ticks=y_ticks,
        plot_left=_LEFT,
        plot_right=WIDTH - _RIGHT,
        plot_top=_TOP,
        plot_bottom=HEIGHT - _BOTTOM,
        stop_x=stop_x,
        stop_label=stop_label,
        stop_sentence=stop_sentence,
        stop_anchor=anchor,
        points=tuple((x, y, pts[i]) for x, y, i in zip(x_at, y_at, hover, strict=True)),
    )


@dataclass(frozen=True)
class Mark:
    """A dotted line at a published score with its label beside it (left or right)."""

    x: float
    label: str
    label_x: float
    label_y: float
    anchor: str  # SVG text-anchor: "start" (label right of the line) or "end" (left of it)


# Text width in viewBox units per character, for the largest font the charts use (phones draw
# chart text at 19-20 px in a viewBox scaled to about 55%).
CHAR_WIDTH = 11.5
ROW = 22  # one label row, in viewBox units


def _crosses(start: float, end: float, lines: list[float]) -> bool:
    return any(start < x < end for x in lines)


def place_marks(
    marks: list[tuple[float, str]], left: float, right: float, top: float
) -> list[Mark]:
    """Labels of vertical marks that cross neither each other nor the other lines.

    Each label goes beside its own line, on the side where it crosses no other line and stays
    inside the plot (left first for the leftmost mark, right first for the others), one row
    lower each, so two labels never share a row.
    """
    placed = []
    ordered = sorted(marks)
    lines = [x for x, _ in ordered]
    for i, (x, label) in enumerate(ordered):
        width = CHAR_WIDTH * len(label)
        others = [v for v in lines if v != x]
        sides = ("end", "start") if i == 0 and len(ordered) > 1 else ("start", "end")
        fits = {
            "end": x - width - 4 >= left and not _crosses(x - width - 4, x, others),
            "start": x + width + 4 <= right and not _crosses(x, x + width + 4, others),
        }
        anchor = next((side for side in sides if fits[side]), sides[0])
        label_x = x - 4 if anchor == "end" else x + 4
        placed.append(Mark(x, label, label_x, top + 14 + ROW * i, anchor))
    return placed


def place_you(
    x: float, label: str, lines: list[float], left: float, right: float
) -> tuple[float, str, bool]:
    """Where the applicant's label goes: (x, anchor, beside the point?). Beside the point on
    the side that crosses no mark line; when both sides would, in the plot's lower-left corner."""
    width = CHAR_WIDTH * len(label)
    if x + 9 + width <= right and not _crosses(x, x + 9 + width, lines):
        return x + 9, "start", True
    if x - 9 - width >= left and not _crosses(x - 9 - width, x, lines):
        return x - 9, "end", True
    return left + 6, "start", False


@dataclass(frozen=True)
class StandingChart:
    """P(match) against Step 2 CK for one specialty, with the applicant's score marked."""

    specialty: str
    width: int
    height: int
    curve_path: str
    band_path: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    marks: tuple[Mark, ...]  # published medians, labels placed so they never cross a line
    you_x: float | None
    you_y: float | None
    you_label: str | None
    you_label_x: float | None = None
    you_label_y: float | None = None
    you_anchor: str = "start"


def standing_chart(
    specialty: str,
    curve: list[tuple[float, float, float, float]],
    score: int | None,
    marks: list[tuple[float, str]],
) -> StandingChart | None:
    """Geometry of the "where you stand" curve: (score, P(match), low, high) points, 200-280."""
    base = _standing_base(specialty, tuple(curve), tuple(marks))
    if base is None or score is None:
        return base
    x_min, x_max = curve[0][0], curve[-1][0]
    nearest = min(curve, key=lambda c: abs(c[0] - score))
    you_x, you_y = _standing_x(score, x_min, x_max), _standing_y(nearest[1])
    where = "" if x_min <= score <= x_max else " (off the chart's range)"
    you_label = f"you: {score} → {100 * nearest[1]:.0f}%{where}"
    lines = [m.x for m in base.marks]
    label_x, anchor, beside = place_you(you_x, you_label, lines, _LEFT, WIDTH - 4)
    return replace(
        base,
        you_x=you_x,
        you_y=you_y,
        you_label=you_label,
        you_label_x=label_x,
        you_label_y=you_y - 9 if beside else HEIGHT - _BOTTOM - 8,
        you_anchor=anchor,
    )


def _standing_x(v: float, x_min: float, x_max: float) -> float:
    plot_w = WIDTH - _LEFT - _RIGHT
    return _LEFT + plot_w * (min(max(v, x_min), x_max) - x_min) / (x_max - x_min)


def _standing_y(p: float) -> float:
    return _TOP + (HEIGHT - _TOP - _BOTTOM) * (1 - min(max(p, 0.0), 1.0))


@lru_cache(maxsize=64)
def _standing_base(
    specialty: str,
    curve: tuple[tuple[float, float, float, float], ...],
    marks: tuple[tuple[float, str], ...],
) -> StandingChart | None:
    """The chart without the applicant's mark: the same for everyone (built once per process)."""
    if len(curve) < 2:
        return None
    x_min, x_max = curve[0][0], curve[-1][0]

    def sx(v: float) -> float:
        return _standing_x(v, x_min, x_max)

    sy = _standing_y
    path = "M" + "L".join(f"{sx(s):.1f},{sy(p):.1f}" for s, p, _, _ in curve)
    upper = [f"{sx(s):.1f},{sy(h):.1f}" for s, _, _, h in curve]
    lower = [f"{sx(s):.1f},{sy(lo):.1f}" for s, _, lo, _ in reversed(curve)]
    # Labels may use the right margin (the viewBox is wider than the plot).
    placed = place_marks([(sx(x), label) for x, label in marks], _LEFT, WIDTH - 4, _TOP)
    return StandingChart(
        specialty=specialty,
        width=WIDTH,
        height=HEIGHT,
        curve_path=path,
        band_path="M" + "L".join(upper + lower) + "Z",
        x_ticks=tuple(Tick(sx(v), str(v)) for v in range(int(x_min), int(x_max) + 1, 10)),
        y_ticks=tuple(Tick(sy(v / 100), f"{v}%") for v in range(0, 101, 20)),
        plot_left=_LEFT,
        plot_right=WIDTH - _RIGHT,
        plot_top=_TOP,
        plot_bottom=HEIGHT - _BOTTOM,
        marks=tuple(placed),
        you_x=None,
        you_y=None,
        you_label=None,
    )
