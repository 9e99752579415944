"""Program features from the older catalog fields (what every program has, with or without 2026
data), and the link to the same institution's program in another specialty.

Every numeric feature is centred and scaled on the programs it is built for; a missing value is
set to the mean and flagged by an indicator column, so "unknown" is its own level, never a guess.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartpick.core.programs import Program

FloatArray = NDArray[np.float64]

SETTINGS = ("university", "university_affiliated_community")  # community is the reference
REGIONS = ("Northeast", "Midwest", "West")  # South is the reference
STEP1_MID = {"<210": 205.0, "210-225": 217.5, "226-235": 230.5, "236-245": 240.5, ">245": 250.0}


def _logit_pct(pct: float | None) -> float | None:
    if pct is None:
        return None
    p = min(max(pct / 100.0, 0.01), 0.95)
    return math.log(p / (1 - p))


def img_share_pct(p: Program) -> float | None:
    """Non-US IMG share of residents (AAMC 2021), else FREIDA's all-IMG share times 0.75."""
    if p.pct_non_us_img.value is not None:
        return float(p.pct_non_us_img.value)
    if p.pct_img_any.value is not None:
        return 0.75 * float(p.pct_img_any.value)
    return None


def interviewed_pct(p: Program) -> float | None:
    """Share of applicants interviewed (AAMC 2021), else FREIDA interviews / applications."""
    if p.pct_interviewed.value is not None:
        return float(p.pct_interviewed.value)
    apps, done = p.applications_received.value, p.interviews_conducted.value
    if apps and done is not None:
        return 100.0 * min(done / apps, 1.0)
    return None


def unfilled_share(p: Program) -> float | None:
    """Share of NRMP positions left unfilled in the program's latest published year."""
    if not p.nrmp_results:
        return None
    last = max(p.nrmp_results, key=lambda r: r.year)
    return None if last.quota <= 0 else max(last.quota - last.matched, 0) / last.quota


def _norm_name(name: str) -> str:
    n = re.sub(r"\bprogram\b", "", name.casefold())
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", n).split())


def _location(p: Program) -> tuple[float, float] | None:
    lat, lon = p.latitude.value, p.longitude.value
    if lat is None or lon is None or "same city" in (p.latitude.source or ""):
        return None
    return (round(lat, 3), round(lon, 3))


def sibling_index(others: Sequence[Program]) -> Callable[[Program], list[Program]]:
    """A finder of the same institution's programs among `others`: same name and state, else the
    same street location (AAMC 2021 coordinates, not a city centroid)."""
    by_name: dict[tuple[str, str | None], list[Program]] = defaultdict(list)
    by_loc: dict[tuple[float, float], list[Program]] = defaultdict(list)
    for o in others:
        by_name[(_norm_name(o.name), o.state.value)].append(o)
        loc = _location(o)
        if loc is not None:
            by_loc[loc].append(o)

    def find(p: Program) -> list[Program]:
        hit = by_name.get((_norm_name(p.name), p.state.value))
        if hit:
            return hit
        loc = _location(p)
        return by_loc.get(loc, []) if loc is not None else []

    return find


@dataclass(frozen=True)
class Design:
    """A feature matrix (standardised) with its column names and the programs' ids."""

    X: FloatArray
    names: tuple[str, ...]
    ids: tuple[str, ...]


def raw_columns(
    programs: Sequence[Program], sibling_logit: Callable[[Program], float | None]
) -> dict[str, list[float | None]]:
    """Numeric columns (None = unknown) and 0/1 indicators, before scaling."""
    cols: dict[str, list[float | None]] = defaultdict(list)
    for p in programs:
        cols["img_share"].append(_logit_pct(img_share_pct(p)))
        cols["interviewed"].append(_logit_pct(interviewed_pct(p)))
        apps = p.applications_received.value
        cols["log_apps"].append(math.log(apps) if apps else None)
        pos = p.pgy1_positions.value
        cols["log_positions"].append(math.log(pos + 1.0) if pos is not None else None)
        cols["unfilled"].append(unfilled_share(p))
        cols["step1_mid"].append(STEP1_MID.get(p.step1_range.value or ""))
        md = p.pct_us_md.value
        cols["us_md_share"].append(_logit_pct(float(md)) if md is not None else None)
        cols["sibling_rate"].append(sibling_logit(p))
        setting = p.setting.value
        for s in SETTINGS:
            cols[f"setting_{s}"].append(float(setting == s))
        cols["setting_unknown"].append(float(setting is None))
        region = p.region.value
        for r in REGIONS:
            cols[f"region_{r}"].append(float(region == r))
        for visa, fact in (("j1", p.visa_j1), ("h1b", p.visa_h1b)):
            v = fact.value
            cols[f"{visa}_yes"].append(float(v == "yes"))
            cols[f"{visa}_none_listed"].append(float(v == "none_listed"))
            cols[f"{visa}_unknown"].append(float(v is None))
    return cols


def _add(out: list[FloatArray], names: list[str], col: FloatArray, name: str) -> None:
    """Append a column unless it repeats one already there (e.g. two facts missing together)."""
    for prev in out:
        if np.allclose(np.corrcoef(prev, col)[0, 1] ** 2, 1.0):
            return
    out.append(col)
    names.append(name)


def design(
    programs: Sequence[Program],
    sibling_logit: Callable[[Program], float | None],
    drop: Sequence[str] = (),
) -> Design:
    """Standardised matrix: numeric columns (mean-filled, with a `_missing` flag) and indicators.

    Columns that are constant over `programs` are dropped (nothing to learn from them).
    """
    cols = raw_columns(programs, sibling_logit)
    out: list[FloatArray] = []
    names: list[str] = []
    for name, values in cols.items():
        if name in drop:
            continue
        known = np.array([v for v in values if v is not None], dtype=np.float64)
        if known.size == 0:
            continue
        mean = float(known.mean())
        sd = float(known.std()) or 1.0
        col = np.array([mean if v is None else v for v in values], dtype=np.float64)
        if np.ptp(col) > 0:
            _add(out, names, (col - mean) / sd, name)
        missing = np.array([v is None for v in values], dtype=np.float64)
        if 0 < missing.sum() < missing.size:
            _add(out, names, missing, f"{name}_missing")
    X = np.column_stack(out) if out else np.zeros((len(programs), 0))
    return Design(X, tuple(names), tuple(p.id for p in programs))
