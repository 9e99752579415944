"""A specialty's context: averages over its programs, to centre program facts and fill unknown ones.

L (the logit of a program's non-US IMG share of residents) and P (the logit of its share of
applicants interviewed) are centred on the mean over the specialty's programs weighted by their
non-US IMG residents; an unknown value takes its setting's mean, else the specialty's. The
defaults used when a specialty has no known values (non-US share 80% of all IMGs, 8 PGY-1
positions, 25% IMG share, 14% interviewed) are the all-specialty figures of docs/model.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import logit

from smartpick.core.programs import Program
from smartpick.core.rules.visas import specialty_visa_rates

DEFAULT_NON_US_PER_IMG = 0.8  # non-US IMG share / all-IMG share, when no program gives both
DEFAULT_POSITIONS = 8.0  # PGY-1 positions of a program that does not say
DEFAULT_IMG_SHARE_PCT = 25.0  # residents who are non-US IMGs, when no program says
DEFAULT_INTERVIEWED = 0.14  # AAMC's all-applicant average share interviewed
MIN_KNOWN_FOR_SPREAD = 5  # known values needed to measure the spread of a program fact


def clip_logit(pct: float) -> float:
    return float(logit(min(max(pct / 100.0, 0.01), 0.95)))


@dataclass(frozen=True)
class SpecialtyContext:
    """Averages over a specialty's programs, used to centre and to fill unknown program facts."""

    specialty: str
    img_logit_mean: float
    img_share_mean_pct: float
    img_logit_by_setting: dict[str, float]
    interviewed_logit_mean: float
    interviewed_logit_by_setting: dict[str, float]
    non_us_per_img: float  # non-US IMG share / all-IMG share, for programs with only the latter
    visa_rates: dict[str, float]  # share of programs with a known policy that consider the visa
    typical_positions: float  # median PGY-1 positions, for programs without the figure
    img_logit_sd: float  # spread of L among programs where it is known
    interviewed_logit_sd: float  # spread of P among programs where it is known


def img_pct(p: Program, ratio: float) -> tuple[float | None, str]:
    if p.pct_non_us_img.value is not None:
        return float(p.pct_non_us_img.value), "non_us"
    if p.pct_img_any.value is not None:
        return float(p.pct_img_any.value) * ratio, "any"
    return None, "unknown"


def interviewed_pct(p: Program) -> float | None:
    if p.pct_interviewed.value is not None:
        return float(p.pct_interviewed.value)
    apps, done = p.applications_received.value, p.interviews_conducted.value
    if apps and done is not None and apps > 0:
        return 100.0 * min(done / apps, 1.0)
    return None


def resident_weight(p: Program, ctx: SpecialtyContext) -> float:
    """A program's weight in the specialty's "typical program": its non-US IMG residents."""
    pct, _ = img_pct(p, ctx.non_us_per_img)
    share = ctx.img_share_mean_pct if pct is None else pct
    return float(p.pgy1_positions.value or ctx.typical_positions) * (share + 1.0)


def build_context(specialty: str, programs: Sequence[Program]) -> SpecialtyContext:
    """Averages over a specialty's programs (all tracks given)."""
    both = [
        (float(p.pct_non_us_img.value), float(p.pct_img_any.value))
        for p in programs
        if p.pct_non_us_img.value is not None and p.pct_img_any.value
    ]
    ratio = (
        float(np.clip(sum(a for a, _ in both) / sum(b for _, b in both), 0.2, 1.0))
        if (both and sum(b for _, b in both) > 0)
        else DEFAULT_NON_US_PER_IMG
    )
    positions = [p.pgy1_positions.value for p in programs if p.pgy1_positions.value]
    typical_positions = float(np.median(positions)) if positions else DEFAULT_POSITIONS
    rows = []
    for p in programs:
        pct, _ = img_pct(p, ratio)
        size = float(p.pgy1_positions.value or typical_positions)
        rows.append((p, pct, interviewed_pct(p), size))

    def mean(pairs: Iterable[tuple[float, float]], default: float) -> float:
        items = list(pairs)
        total = sum(w for _, w in items)
        return sum(v * w for v, w in items) / total if total > 0 else default

    # Weight: the program's non-US IMG residents (positions x share), where IMGs train.
    known_img = [(pct, size) for _, pct, _, size in rows if pct is not None]
    img_mean = mean(((clip_logit(pct), size * (pct + 1.0)) for pct, size in known_img), -1.0)
    share_mean = mean(((pct, size) for pct, size in known_img), DEFAULT_IMG_SHARE_PCT)
    img_default = {p.id: (pct if pct is not None else share_mean) for p, pct, _, _ in rows}
    by_setting_img: dict[str, float] = {}
    by_setting_int: dict[str, float] = {}
    int_mean = mean(
        (
            (clip_logit(ipct), size * (img_default[p.id] + 1.0))
            for p, _, ipct, size in rows
            if ipct is not None
        ),
        float(logit(DEFAULT_INTERVIEWED)),
    )
    settings = {p.setting.value for p, *_ in rows if p.setting.value is not None}
    for s in settings:
        sub = [r for r in rows if r[0].setting.value == s]
        by_setting_img[s] = mean(
            ((clip_logit(pct), 1.0) for _, pct, _, _ in sub if pct is not None), img_mean
        )
        by_setting_int[s] = mean(
            ((clip_logit(ip), 1.0) for _, _, ip, _ in sub if ip is not None), int_mean
        )
    visa_rates = specialty_visa_rates(programs)
    return SpecialtyContext(
        specialty,
        img_mean,
        share_mean,
        by_setting_img,
        int_mean,
        by_setting_int,
        ratio,
        visa_rates,
        typical_positions,
        spread([clip_logit(pct) for _, pct, _, _ in rows if pct is not None]),
        spread([clip_logit(ip) for _, _, ip, _ in rows if ip is not None]),
    )


def spread(values: Sequence[float]) -> float:
    """Standard deviation, with a wide default when too few values are known."""
    return float(np.std(values)) if len(values) >= MIN_KNOWN_FOR_SPREAD else 1.0
