"""Tiers of a listed program: reach, target or likely, by its chance of an interview.

One absolute scale per applicant group, anchored on what a typical applicant of that group got in
2026: in Internal Medicine, programs invited 2.9% of non-US IMG applications to interview (US-citizen
IMGs 5.7%; Family Medicine 3.5% and 9.2%; AAMC Residency Explorer 2026, `core.lists.economics`).
At 2.9% a typical non-US IMG needs about 34 applications per interview. A program where your
chance of an interview is at least twice your group's typical rate is one where your file stands
out: a **target** (at most 25%, for US graduates, whose typical rates are far higher). Below that
it is a **reach** (a long shot, as for most applicants). From even odds (50%) it is **likely**.
Specialties without 2026 figures use the Internal Medicine rates, and their definitions say so.
The definitions are shown with every list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from smartpick.core.lists.economics import Figure, rate_specialty, typical_interview_rate
from smartpick.core.rules.screens import GROUP_WORDS

TIERS = ("reach", "target", "likely")
TARGET_MULTIPLE = 2.0  # a target: at least twice the group's typical interview rate ...
TARGET_CAP = 0.25  # ... or 25%, whichever is lower
LIKELY_FROM = 0.50  # a likely program: an even chance of an interview or better


@dataclass(frozen=True)
class TierScale:
    """The tier cut-offs for one specialty's programs and one applicant group, in words."""

    specialty: str
    group: str  # non_us_img, us_img, us_md, us_do
    typical: Figure  # the group's 2026 interview rate the scale is anchored on ...
    typical_specialty: str  # ... in this specialty (Internal Medicine where `specialty` has none)
    target_from: float
    likely_from: float

    def tier_of(self, p_interview: float) -> str:
        """The tier of a program where the chance of an interview is `p_interview`."""
        if p_interview >= self.likely_from:
            return "likely"
        return "target" if p_interview >= self.target_from else "reach"

    def definitions(self) -> dict[str, str]:
        """Each tier in words, with its cut-offs and the figure they rest on, named with the
        specialty that figure comes from."""
        fig, who = self.typical, GROUP_WORDS[self.group]
        cut = f"{100 * self.target_from:.1f}%"
        got = f"typical {who} got in {self.typical_specialty} in {fig.year}"
        said = [f"{100 * fig.value:.1f}% of their applications", fig.source]
        if self.typical_specialty != self.specialty:
            said.append(
                f"there are no {fig.year} interview figures for {self.specialty}, so the "
                f"{self.typical_specialty} rate stands in"
            )
        if self.target_from < TARGET_MULTIPLE * fig.value:  # the cap, not twice the rate
            basis = f"the highest cut-off SmartPick uses ({got}: {'; '.join(said)})"
        else:
            basis = f"about twice what {got} ({'; '.join(said)})"
        return {
            "reach": f"your chance of an interview is under {cut}, {basis}: a long shot",
            "target": f"from {cut} to under {100 * self.likely_from:.0f}%: your file stands out "
            f"from typical {who}' there",
            "likely": f"{100 * self.likely_from:.0f}% or more: an even chance of an interview "
            "or better",
        }

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "specialty": self.specialty,
            "group": self.group,
            "typical_interview_rate": self.typical.value,
            "typical_source": f"{self.typical.source} ({self.typical.method})",
            "typical_specialty": self.typical_specialty,
            "target_from": self.target_from,
            "likely_from": self.likely_from,
            "definitions": self.definitions(),
        }


@cache
def tier_scale(specialty: str, group: str = "non_us_img") -> TierScale:
    """The tier scale of a specialty's programs for an applicant group."""
    typical = typical_interview_rate(specialty, group)
    return TierScale(
        specialty=specialty,
        group=group,
        typical=typical,
        typical_specialty=rate_specialty(specialty),
        target_from=min(TARGET_MULTIPLE * typical.value, TARGET_CAP),
        likely_from=LIKELY_FROM,
    )


def tier_of(p_interview: float, specialty: str, group: str = "non_us_img") -> str:
    """ "reach", "target" or "likely" for a program of `specialty` (see the module docstring)."""
    return tier_scale(specialty, group).tier_of(p_interview)
