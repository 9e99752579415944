"""The catalog joined to the 2026 evidence: programs, their features and their counts."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from research import re2026
from research.features import Design, design, sibling_index
from research.program_model import Counts
from smartpick.core.programs import Program

CACHE = Path(__file__).resolve().parent / "cache"
SPECIALTIES = ("Internal Medicine", "Family Medicine")
# The features of the chosen program model (cross-validated against the full set in DESIGN.md).
CORE_FEATURES = (
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
RIDGE = 0.1  # prior SD of a standardised feature's slope (chosen by cross-validation)
OTHER = {"Internal Medicine": "Family Medicine", "Family Medicine": "Internal Medicine"}


def catalog():  # type: ignore[no-untyped-def]
    """The bundled catalog, with a private user store so no real user file is read or written."""
    os.environ.setdefault("SMARTPICK_HOME", str(CACHE / "home"))
    from smartpick.service.catalog import open_catalog

    return open_catalog()


@cache
def categorical(specialty: str) -> tuple[Program, ...]:
    """The catalog's categorical programs of a specialty (military ones excluded: no ERAS)."""
    return tuple(
        p
        for p in catalog().programs(specialty=specialty)
        if p.track == "categorical" and p.setting.value != "military"
    )


def empirical_logit(ev: re2026.Evidence) -> float:
    """Smoothed logit of a program's non-US IMG rate (for use as a sibling's feature)."""
    lo, hi = ev.invited_bounds()
    k, n = (lo + hi) / 2.0, float(ev.nonus.applicants or 0)
    return math.log((k + 0.5) / (n - k + 0.5))


def sibling_rate_finder(specialty: str):  # type: ignore[no-untyped-def]
    """For a program: the mean 2026 logit rate of the same institution's IM or FM program(s)
    (the other of the two for IM/FM; both for any other specialty)."""
    sources = [OTHER[specialty]] if specialty in OTHER else list(SPECIALTIES)
    finders = []
    for s in sources:
        ev = re2026.by_code(s)
        finders.append((sibling_index(categorical(s)), ev))

    def find(p: Program) -> float | None:
        vals = [
            empirical_logit(ev[o.acgme_code])
            for finder, ev in finders
            for o in finder(p)
            if o.acgme_code in ev and o.id != p.id
        ]
        return float(np.mean(vals)) if vals else None

    return find


@dataclass(frozen=True)
class Joined:
    """Programs of a specialty with their design matrix; `has` marks those with 2026 data."""

    specialty: str
    programs: tuple[Program, ...]
    design: Design
    has: np.ndarray  # bool per program
    counts: Counts  # for programs with data (in the order of `programs[has]`)
    evidence: tuple[re2026.Evidence, ...]  # same order as counts

    def columns(self, names: tuple[str, ...] = CORE_FEATURES) -> np.ndarray:
        """The design restricted to `names` (those present), for every program."""
        idx = [self.design.names.index(n) for n in names if n in self.design.names]
        return self.design.X[:, idx]


def counts_of(evs: Sequence[re2026.Evidence]) -> Counts:
    """Rounding intervals, counts and published rates of programs with evidence."""
    bounds = np.array([e.invited_bounds() for e in evs], dtype=np.float64).reshape(-1, 2)
    n = np.array([float(e.nonus.applicants or 0) for e in evs])
    rate = np.array([float(e.nonus.rate or 0.0) for e in evs])
    return Counts(bounds[:, 0], bounds[:, 1], n, rate)


@cache
def joined(specialty: str, drop: tuple[str, ...] = ()) -> Joined:
    """The specialty's catalog programs, features and (where present) 2026 counts."""
    progs = categorical(specialty)
    ev = re2026.by_code(specialty) if specialty in SPECIALTIES else {}
    d = design(progs, sibling_rate_finder(specialty), drop=drop)
    has = np.array(
        [p.acgme_code in ev and (ev[p.acgme_code].nonus.applicants or 0) > 0 for p in progs]
    )
    evs = tuple(ev[p.acgme_code] for p, h in zip(progs, has, strict=True) if h)
    return Joined(specialty, progs, d, has, counts_of(evs), evs)
