"""Program features from the older catalog fields, and the link to the same institution's program
in another specialty: what the program-rate model learns from and predicts with.

Every program has these, with or without 2026 data. Values come from the sources before the 2026
cycle (`evidence.older_value`), so a program with 2026 data is described as one without would be.
A numeric feature is centred and scaled on the specialty's programs at fit time (the scaling is
kept in the fitted file and reused for prediction); a missing value is set to the mean and flagged
by an indicator column, so "unknown" is its own level, never a guess.

The sibling feature is the smoothed logit 2026 non-US IMG interview rate of the same institution's
Internal Medicine or Family Medicine program (the other of the two for IM and FM, both for any
other specialty): same normalised name and state, else the same street location (AAMC 2021
coordinates, not a city centroid). It is the strongest transferable feature.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartpick.core.chances.evidence import empirical_logit, older_value, type_rate
from smartpick.core.programs import Program

FloatArray = NDArray[np.float64]

IM, FM = "Internal Medicine", "Family Medicine"
LAYERED = (IM, FM)  # the specialties with 2026 program data
SETTINGS = ("university", "university_affiliated_community")  # community is the reference
REGIONS = ("Northeast", "Midwest", "West")  # South is the reference
STEP1_MID = {"<210": 205.0, "210-225": 217.5, "226-235": 230.5, "236-245": 240.5, ">245": 250.0}
IMG_SHARE_NON_US = 0.75  # FREIDA gives all IMGs: about three quarters of them are non-US IMGs
# The features of the chosen program model (cross-validated against every field; docs/model.md).
CORE = (
    "img_share",
    "img_share_missing",
    "interviewed",
    "interviewed_missing",
    "sibling_rate",
    "sibling_rate_missing",
    "setting_university",
    "setting_university_affiliated_community",
    "us_md_share",
    "log_positions",
)
# Every older field (the plain-logistic baseline of bench/programs_2026.py; no 2026 sibling).
OLDER_FIELDS = (
    "img_share",
    "interviewed",
    "log_apps",
    "log_positions",
    "unfilled",
    "step1_mid",
    "us_md_share",
    *(f"setting_{s}" for s in SETTINGS),
    "setting_unknown",
    *(f"region_{r}" for r in REGIONS),
    *(f"{v}_{k}" for v in ("j1", "h1b") for k in ("yes", "none_listed", "unknown")),
)


def _logit_pct(pct: float | None) -> float | None:
    if pct is None:
        return None
    p = min(max(pct / 100.0, 0.01), 0.95)
    return math.log(p / (1 - p))


def categorical_programs(programs: Sequence[Program]) -> list[Program]:
    """The programs the model is fitted on: categorical, not military (no ERAS)."""
    return [p for p in programs if p.track == "categorical" and p.setting.value != "military"]


# --- the sibling link ---------------------------------------------------------------------------


def _norm_name(name: str) -> str:
    n = re.sub(r"\bprogram\b", "", name.casefold())
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", n).split())


def _name_key(p: Program) -> str:
    return f"{_norm_name(p.name)}|{p.state.value or ''}"


def _location_key(p: Program) -> str | None:
    lat, lon = p.latitude.value, p.longitude.value
    if lat is None or lon is None or "same city" in (p.latitude.source or ""):
        return None
    return f"{lat:.3f},{lon:.3f}"


def sibling_tables(programs: Sequence[Program]) -> dict[str, dict[str, dict[str, list[float]]]]:
    """Per IM / FM: name and location keys of its categorical programs -> the 2026 logit rates of
    those with data (an empty list where the programs there have none). Stored in the fitted file."""
    out: dict[str, dict[str, dict[str, list[float]]]] = {}
    for specialty in LAYERED:
        by_name: dict[str, list[float]] = defaultdict(list)
        by_loc: dict[str, list[float]] = defaultdict(list)
        for p in categorical_programs([q for q in programs if q.specialty == specialty]):
            value = empirical_logit(p.interview_evidence) if p.interview_evidence else None
            loc = _location_key(p)
            for table, key in ((by_name, _name_key(p)), (by_loc, loc)):
                if key is None:
                    continue
                table.setdefault(key, [])
                if value is not None:
                    table[key].append(round(value, 6))
        out[specialty] = {
            "name": dict(sorted(by_name.items())),
            "location": dict(sorted(by_loc.items())),
        }
    return out


def sibling_logit(
    p: Program, tables: Mapping[str, Mapping[str, Mapping[str, list[float]]]]
) -> float | None:
    """Mean 2026 logit rate of the same institution's IM / FM program(s), or None."""
    sources = [s for s in LAYERED if s != p.specialty] if p.specialty in LAYERED else list(LAYERED)
    values: list[float] = []
    for s in sources:
        table = tables.get(s)
        if table is None:
            continue
        hit = table["name"].get(_name_key(p))
        if hit is None:
            loc = _location_key(p)
            hit = table["location"].get(loc) if loc is not None else None
        values.extend(hit or ())
    return float(np.mean(values)) if values else None


# --- raw columns and their scaling --------------------------------------------------------------


def img_share_pct(p: Program) -> float | None:
    """Non-US IMG share of residents (older AAMC), else FREIDA's all-IMG share x 0.75."""
    share = older_value(p, p.pct_non_us_img)
    if share is not None:
        return float(share)
    any_img = older_value(p, p.pct_img_any)
    return None if any_img is None else IMG_SHARE_NON_US * float(any_img)


def interviewed_pct(p: Program) -> float | None:
    """Share of applicants interviewed (older AAMC), else FREIDA interviews / applications."""
    pct = older_value(p, p.pct_interviewed)
    if pct is not None:
        return float(pct)
    apps = older_value(p, p.applications_received)
    done = older_value(p, p.interviews_conducted)
    if apps and done is not None:
        return 100.0 * min(done / apps, 1.0)
    return None


def _unfilled_share(p: Program) -> float | None:
    if not p.nrmp_results:
        return None
    last = max(p.nrmp_results, key=lambda r: r.year)
    return None if last.quota <= 0 else max(last.quota - last.matched, 0) / last.quota


def raw_columns(
    programs: Sequence[Program], sibling: Mapping[str, Any]
) -> dict[str, list[float | None]]:
    """Every raw column (None = unknown) and 0/1 indicator, before scaling."""
    cols: dict[str, list[float | None]] = defaultdict(list)
    for p in programs:
        cols["img_share"].append(_logit_pct(img_share_pct(p)))
        cols["interviewed"].append(_logit_pct(interviewed_pct(p)))
        apps = older_value(p, p.applications_received)
        cols["log_apps"].append(math.log(apps) if apps else None)
        pos = older_value(p, p.pgy1_positions)
        cols["log_positions"].append(math.log(pos + 1.0) if pos is not None else None)
        cols["unfilled"].append(_unfilled_share(p))
        cols["step1_mid"].append(STEP1_MID.get(p.step1_range.value or ""))
        md = older_value(p, p.pct_us_md)
        cols["us_md_share"].append(_logit_pct(float(md)) if md is not None else None)
        cols["sibling_rate"].append(sibling_logit(p, sibling))
        setting = p.setting.value
        for s in SETTINGS:
            cols[f"setting_{s}"].append(float(setting == s))
        cols["setting_unknown"].append(float(setting is None))
        region = p.region.value
        for r in REGIONS:
            cols[f"region_{r}"].append(float(region == r))
        for visa, fact in (("j1", p.visa_j1), ("h1b", p.visa_h1b)):
            v = older_value(p, fact)
            cols[f"{visa}_yes"].append(float(v == "yes"))
            cols[f"{visa}_none_listed"].append(float(v == "none_listed"))
            cols[f"{visa}_unknown"].append(float(v is None))
    return cols


@dataclass(frozen=True)
class Column:
    """One scaled column: a raw column's value ("value") or its missing flag ("missing")."""

    name: str  # e.g. "img_share" or "img_share_missing"
    raw: str
    kind: str  # "value" or "missing"
    mean: float = 0.0
    sd: float = 1.0

    def to_list(self) -> list[Any]:
        """Plain values for the fitted file."""
        return [self.name, self.raw, self.kind, self.mean, self.sd]


def _redundant(prev: list[FloatArray], col: FloatArray) -> bool:
    return any(np.allclose(np.corrcoef(p, col)[0, 1] ** 2, 1.0) for p in prev)


def fit_columns(raw: Mapping[str, list[float | None]], names: Sequence[str]) -> tuple[Column, ...]:
    """The scaled columns among `names` that vary over the programs (a duplicate of an earlier
    column, e.g. two facts always missing together, is left out)."""
    out: list[Column] = []
    kept: list[FloatArray] = []
    for name in names:
        base = name.removesuffix("_missing")
        values = raw[base]
        known = np.array([v for v in values if v is not None], dtype=np.float64)
        if known.size == 0:
            continue
        if name.endswith("_missing"):
            col = np.array([v is None for v in values], dtype=np.float64)
            if not 0 < col.sum() < col.size or _redundant(kept, col):
                continue
            out.append(Column(name, base, "missing"))
        else:
            mean, sd = float(known.mean()), float(known.std()) or 1.0
            col = np.array([mean if v is None else v for v in values], dtype=np.float64)
            if np.ptp(col) == 0 or _redundant(kept, (col - mean) / sd):
                continue
            out.append(Column(name, base, "value", mean, sd))
            col = (col - mean) / sd
        kept.append(col)
    return tuple(out)


def apply_columns(raw: Mapping[str, list[float | None]], columns: Sequence[Column]) -> FloatArray:
    """The design matrix (programs x columns) under a fitted scaling."""
    n = len(next(iter(raw.values()))) if raw else 0
    out = np.zeros((n, len(columns)))
    for j, c in enumerate(columns):
        values = raw[c.raw]
        if c.kind == "missing":
            out[:, j] = [float(v is None) for v in values]
        elif c.sd > 0.0:
            out[:, j] = [0.0 if v is None else (v - c.mean) / c.sd for v in values]
        # else: a column constant where it was fitted (its SD stored as 0) stays at its mean, 0
    return out


def has_rate(p: Program) -> bool:
    """True when the program publishes a 2026 non-US IMG interview rate with its count."""
    return type_rate(p.interview_evidence) is not None


def apply_aligned(
    raw: Mapping[str, list[float | None]], columns: Sequence[Column], names: Sequence[str]
) -> FloatArray:
    """The design under `columns` (another specialty's scaling), laid out as the model's columns
    `names`: a column the specialty lacks (constant there, or a duplicate) is 0 (the mean)."""
    own = apply_columns(raw, columns)
    n = own.shape[0]
    where = {c.name: j for j, c in enumerate(columns)}
    out = np.zeros((n, len(names)))
    for k, name in enumerate(names):
        if name in where:
            out[:, k] = own[:, where[name]]
    return out
