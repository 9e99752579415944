"""Reading a program's 2026 interview evidence (`Program.interview_evidence`) for the model.

Rates are published in whole percent, so the number of applicants of a type that a program invited
is only known to an interval: `invited_bounds` takes `[n (r - 0.5%), n (r + 0.5%)]` and, where the
page also gives the invitee mix and the number invited (IM page layout), intersects it with
`[I (m - 0.5%), I (m + 0.5%)]`. The program that "invited 0% of 2,872" non-US IMGs had 4% non-US
IMGs among its 282 invitees: it invited 10-12 of them.
"""

from __future__ import annotations

import math
from typing import Any

from smartpick.core.programs import Fact, InterviewEvidence, Program, RateCount

NON_US = "non_us_img"
ROUNDING = 0.005  # whole-percent rates: the true rate is within half a point


def type_rate(ev: InterviewEvidence | None, kind: str = NON_US) -> RateCount | None:
    """The program's published interview rate of one applicant type with its count, or None
    where the site shows no rate or no applicants of that type."""
    if ev is None:
        return None
    rc = ev.by_type.get(kind)
    if rc is None or rc.rate is None or not rc.applicants:
        return None
    return rc


def invited_bounds(ev: InterviewEvidence, kind: str = NON_US) -> tuple[int, int]:
    """Applicants of `kind` invited, as the interval the rounded rate (and invitee mix) allow."""
    rc = type_rate(ev, kind)
    if rc is None or rc.rate is None or rc.applicants is None:
        return 0, 0
    n, r = rc.applicants, rc.rate
    lo = max(0, math.ceil(n * (r - ROUNDING) - 1e-9))
    hi = min(n, math.floor(n * (r + ROUNDING) + 1e-9))
    share = ev.invited_mix.get(kind)
    if share is not None and ev.invited:
        lo2 = math.ceil(ev.invited * (share - ROUNDING) - 1e-9)
        hi2 = math.floor(ev.invited * (share + ROUNDING) + 1e-9)
        if max(lo, lo2) <= min(hi, hi2):  # both roundings agree: intersect
            lo, hi = max(lo, lo2), min(hi, hi2)
    return lo, max(hi, lo)


def empirical_logit(ev: InterviewEvidence, kind: str = NON_US) -> float | None:
    """Smoothed logit of a program's rate for `kind` (None without one)."""
    rc = type_rate(ev, kind)
    if rc is None or rc.applicants is None:
        return None
    lo, hi = invited_bounds(ev, kind)
    k, n = (lo + hi) / 2.0, float(rc.applicants)
    return math.log((k + 0.5) / (n - k + 0.5))


def older_value(program: Program, fact: Fact[Any]) -> Any:
    """A fact's value as the sources before the program's 2026 evidence gave it (None if none).

    The catalog shows the newest value; a value from the 2026 cycle itself (the source of the
    evidence) is replaced by the newest older value kept among its conflicts. The program model
    learns from older fields only, so programs with and without 2026 data are described alike.
    """
    ev = program.interview_evidence
    if ev is None or fact.source != ev.source:
        return fact.value
    older = [c for c in fact.conflicts if c.source != ev.source and c.value is not None]
    if not older:
        return None
    return max(older, key=lambda c: c.year or 0).value


def interviews_per_position(ev: InterviewEvidence) -> float | None:
    """Invitations (all types, from rates x applicants) per position offered in 2026."""
    if not ev.positions_offered:
        return None
    invited = sum(
        (rc.rate or 0.0) * (rc.applicants or 0) for rc in ev.by_type.values() if rc is not None
    )
    return invited / ev.positions_offered if invited > 0 else None
