"""Tiers of a listed program: reach, target or likely, by its chance of an interview.

One absolute scale, anchored on what a typical non-US IMG got in 2026: in Internal Medicine,
programs invited 2.9% of non-US IMG applications to interview (Family Medicine 3.5%; AAMC
Residency Explorer 2026, `core.lists.economics`). At that rate a typical applicant needs about 34
applications per interview. A program where your chance of an interview is at least twice the
typical rate is one where your file stands out: a **target**. Below that it is a **reach** (a long
shot, as for most applicants). From even odds (50%) it is **likely**. Specialties without 2026
figures use the Internal Medicine rate. The definitions are shown with every list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from smartpick.core.lists.economics import Figure, typical_interview_rate

TIERS = ("reach", "target", "likely")
TARGET_MULTIPLE = 2.0  # a target: at least twice the typical non-US IMG interview rate
LIKELY_FROM = 0.50  # a likely program: an even chance of an interview or better


@dataclass(frozen=True)
class TierScale:
    """The tier cut-offs for one specialty's programs, and their plain definitions."""

    specialty: str
    typical: Figure  # the 2026 non-US IMG interview rate the scale is anchored on
    target_from: float
    likely_from: float

    def tier_of(self, p_interview: float) -> str:
        """The tier of a program where the chance of an interview is `p_interview`."""
        if p_interview >= self.likely_from:
            return "likely"
        return "target" if p_interview >= self.target_from else "reach"

    def definitions(self) -> dict[str, str]:
        """Each tier in words, with its cut-offs."""
        typical = f"{100 * self.typical.value:.1f}%"
        cut = f"{100 * self.target_from:.1f}%"
        return {
            "reach": f"your chance of an interview is under {cut}, twice what a typical non-US "
            f"IMG got in {self.specialty} in {self.typical.year} ({typical} of applications; "
            f"{self.typical.source}): a long shot",
            "target": f"from {cut} to under {100 * self.likely_from:.0f}%: your file stands out "
            "from the typical non-US IMG applicant's there",
            "likely": f"{100 * self.likely_from:.0f}% or more: an even chance of an interview "
            "or better",
        }

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "specialty": self.specialty,
            "typical_interview_rate": self.typical.value,
            "typical_source": f"{self.typical.source} ({self.typical.method})",
            "target_from": self.target_from,
            "likely_from": self.likely_from,
            "definitions": self.definitions(),
        }


@cache
def tier_scale(specialty: str) -> TierScale:
    """The tier scale of a specialty's programs."""
    typical = typical_interview_rate(specialty)
    return TierScale(
        specialty=specialty,
        typical=typical,
        target_from=TARGET_MULTIPLE * typical.value,
        likely_from=LIKELY_FROM,
    )


def tier_of(p_interview: float, specialty: str) -> str:
    """ "reach", "target" or "likely" for a program of `specialty` (see the module docstring)."""
    return tier_scale(specialty).tier_of(p_interview)
