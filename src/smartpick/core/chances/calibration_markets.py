"""The markets the calibration fits each specialty in, and the 2026 anchor of IM and FM.

- Internal Medicine and Family Medicine: their program layer inside the market (the 2026 rates,
  signal mixes, slopes and conversions of their programs), with applications per applicant
  anchored on the 2026 totals (`Anchor`).
- Every other specialty: one typical program with the specialty's signal allowance spread over N
  applications (N from the assumption `other_n_apps`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from smartpick.core.chances.assumptions import Assumptions
from smartpick.core.chances.context import allowance_mix, signal_kind
from smartpick.core.chances.features import FM, IM
from smartpick.core.chances.outcomes import SpecialtyOutcomes
from smartpick.core.chances.population import Market, Params, solve_alpha
from smartpick.core.chances.program_effects import (
    assumption_columns,
    beta_offsets,
    conversion_offsets,
    signal_effects,
)
from smartpick.core.chances.program_layer import LayerArrays, LayerFit, layer_arrays

# AAMC Residency Explorer 2026 data README: non-US IMG applications to all 631 IM programs,
# before a fifth of the programs was withheld.
IM_TOTAL_NONUS_APPS = 860_770
# IMG applicants in ERAS 2026 by specialty, quoted from the AAMC ERAS statistics dashboard by an
# applicant forum while the season was open (reference/policy README: approximate).
ERAS_IMG_APPLICANTS = {IM: 13_007, FM: 6_321}
COUNT_UNCERTAINTY = 0.10  # the ERAS counts are a forum quote of a live dashboard
SHARE_UNCERTAINTY = 0.15  # equal applications per US and non-US IMG is an assumption
Z80 = 1.2816


@dataclass(frozen=True)
class Anchor:
    """Applications and interviews per non-US IMG applicant (point, 80% range) from 2026 totals."""

    applications: float
    applicants: float
    apps_per_applicant: tuple[float, float, float]
    pooled_rate: float
    interviews_per_applicant: tuple[float, float, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain values."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Anchor:
        """Inverse of `to_dict`."""
        return cls(
            float(d["applications"]),
            float(d["applicants"]),
            tuple(d["apps_per_applicant"]),
            float(d["pooled_rate"]),
            tuple(d["interviews_per_applicant"]),
        )


def anchor(specialty: str, layer: LayerFit) -> Anchor:
    """Applications per non-US IMG applicant: the 2026 non-US IMG applications (IM: the README's
    all-program total; FM: the transcribed programs scaled to the catalog by the predicted weights
    of the programs without a line) over the non-US IMG applicants (ERAS IMG applicants times the
    non-US share of the programs' IMG applications). Interviews: x the pooled 2026 rate."""
    arrays = layer_arrays(layer)
    has = np.array([pid in layer.records for pid in arrays.ids])
    nonus, us_img = layer.applications["non_us_img"], layer.applications["us_img"]
    applicants = ERAS_IMG_APPLICANTS[specialty] * nonus / (nonus + us_img)
    if specialty == IM:
        total = float(IM_TOTAL_NONUS_APPS)
    else:
        total = nonus / max(float(arrays.weight[has].sum()), 1e-9)
    pooled = float(arrays.weight @ arrays.rate)
    n = total / applicants
    spread = math.hypot(COUNT_UNCERTAINTY, SHARE_UNCERTAINTY) * Z80
    apps = (n, n / (1 + spread), n * (1 + spread))
    interviews = (apps[0] * pooled, apps[1] * pooled, apps[2] * pooled)
    return Anchor(total, applicants, apps, pooled, interviews)


def layered_market(
    specialty: str,
    layer: LayerFit,
    a: Assumptions,
    n_apps: float,
    arrays: LayerArrays | None = None,
) -> Market:
    """IM's or FM's market: its programs' weights, 2026 rates and effects under `a`."""
    arr = arrays or layer_arrays(layer)
    cols = assumption_columns([a])
    kind = "two" if specialty == IM else "one"
    return Market(
        specialty,
        n_apps,
        arr.weight,
        arr.rate,
        signal_effects(arr.signal_dev, kind, cols)[0],
        arr.signal_mix,
        beta_offsets(arr.beta_raw, cols)[0],
        conversion_offsets(arr.conv_dev, arr.unfilled, layer.conv_centre, cols)[0],
    )


def typical_market(o: SpecialtyOutcomes, a: Assumptions) -> Market:
    """One typical program with the specialty's signal allowance spread over N applications."""
    cols = assumption_columns([a])
    gamma = signal_effects(np.zeros((1, 3)), signal_kind(o.specialty), cols)[0]
    mix = np.array([allowance_mix(o.specialty, a.other_n_apps)])
    one, zero = np.ones(1), np.zeros(1)
    return Market(o.specialty, a.other_n_apps, one, None, gamma, mix, zero, zero)


def typical_alpha(specialty: str, layer: LayerFit, anc: Anchor, p: Params, a: Assumptions) -> float:
    """IM's or FM's typical program: the baseline whose pool, with the median effects and the
    mean signal mix, has the specialty's pooled 2026 rate (for specialties that borrow it)."""
    cols = assumption_columns([a])
    kind = "two" if specialty == IM else "one"
    gamma = signal_effects(np.zeros((1, 3)), kind, cols)[0]
    mix = np.array([layer.type_mix["signal"]["non_us_img"]])
    alpha = solve_alpha(
        np.array([anc.pooled_rate]), gamma, mix, np.array([p.beta]), p.mu, p.sd, p.sigma, p.rho
    )
    return float(alpha[0])
