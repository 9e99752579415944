"""Quantities the 2026 totals pin down (issue 11 item 1): applications and interviews per non-US
IMG applicant in IM and FM, with their ranges; and the markets of the population model.

- Applications: the 2026 file's non-US IMG applications (IM: the README's all-program total
  860,770; FM: the transcribed programs scaled to the catalog by the predicted weights of the
  programs without a line) divided by the non-US IMG applicants, which are ERAS 2026 IMG applicants
  to the specialty (IM 13,007, FM 6,321: an applicant forum quoting the AAMC dashboard, approximate;
  policy README) times the non-US share of IMG applications (assuming US and non-US IMGs send as
  many applications each: range +-15%).
- Interviews: applications x the application-weighted 2026 non-US IMG interview rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from research import re2026
from research.population import Market
from research.program_layer import DEFAULT, Assumptions, layer

IM_TOTAL_NONUS_APPS = 860_770  # README of the 2026 files: all 631 IM programs, before withholding
ERAS_IMG_APPLICANTS = {"Internal Medicine": 13_007, "Family Medicine": 6_321}
COUNT_UNCERTAINTY = 0.10  # the ERAS counts are a forum quote of a live dashboard
SHARE_UNCERTAINTY = 0.15  # equal applications per US and non-US IMG is an assumption


@dataclass(frozen=True)
class Anchor:
    """Applications and interviews per non-US IMG applicant, point and 80% range."""

    specialty: str
    applications: float
    applicants: float
    apps_per_applicant: tuple[float, float, float]
    pooled_rate: float
    interviews_per_applicant: tuple[float, float, float]


def anchor(specialty: str) -> Anchor:
    """The 2026 anchor of one specialty (IM or FM)."""
    evs = re2026.evidence(specialty)
    n = np.array([[e.by_type[t].applicants or 0 for t in re2026.TYPES] for e in evs], dtype=float)
    nonus, usimg = n[:, 3].sum(), n[:, 2].sum()
    share = nonus / (nonus + usimg)
    applicants = ERAS_IMG_APPLICANTS[specialty] * share
    lay = layer(specialty)
    if specialty == "Internal Medicine":
        total = float(IM_TOTAL_NONUS_APPS)
    else:
        # Transcribed programs' applications over their predicted share of the catalog's.
        total = float(nonus) / max(float(lay.weight[lay.has > 0].sum()), 1e-9)
    pooled = float(np.sum(lay.weight * lay.rate))
    n_apps = total / applicants
    spread = float(np.hypot(COUNT_UNCERTAINTY, SHARE_UNCERTAINTY)) * 1.2816  # 80% (normal)
    apps = (n_apps, n_apps / (1 + spread), n_apps * (1 + spread))
    return Anchor(
        specialty,
        total,
        applicants,
        apps,
        pooled,
        (apps[0] * pooled, apps[1] * pooled, apps[2] * pooled),
    )


def market(specialty: str, a: Assumptions = DEFAULT, n_apps: float | None = None) -> Market:
    """The population model's market for IM or FM (program layer inside)."""
    lay = layer(specialty, a)
    return Market(
        specialty,
        anchor(specialty).apps_per_applicant[0] if n_apps is None else n_apps,
        lay.weight,
        lay.rate,
        lay.signal_gamma,
        lay.signal_mix,
        lay.beta_offset,
        lay.conv_offset,
    )
