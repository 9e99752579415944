"""Screens a program showed in its latest cycle's data, as they apply to one applicant.

No bundled source states most programs' cut-offs (graduation-year limits, minimum scores,
failed-attempt rules); a user can import them. What the 2026 AAMC Residency Explorer pages do show
is what each Internal Medicine and Family Medicine program did (`Program.interview_evidence`):

- `failed_step1` / `failed_step2ck`: the program invited under `FAILED_SCREEN_RATE` (2%) of the
  applicants who had ever failed that exam, among at least `FAILED_SCREEN_MIN_APPLICANTS` of them,
  and the applicant failed it;
- `below_invited`: the applicant's Step 2 CK is below the lowest Step 2 CK of the applicants of
  their own group (non-US IMG, US IMG, ...) the program invited;
- `prior_gme`: the program required prior graduate medical education.

These are evidence, not stated rules: they never remove a program (the model weighs them); the
red flags count them and the list gives them as reasons, with their source and year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program, RateCount
from smartpick.core.rules.usmle import EXAM_LABEL, Exam

FAILED_SCREEN_RATE = 0.02  # "interviewed almost nobody who ever failed": under 2%
FAILED_SCREEN_MIN_APPLICANTS = 10  # a rate over fewer applicants says little
_GROUP = {"non_us_img": "non_us_img", "us_img": "us_img", "us_md": "us_md", "us_do": "us_do"}
GROUP_WORDS = {  # applicant groups in plain words (also core.plan.chance_labels)
    "non_us_img": "non-US IMGs",
    "us_img": "US-citizen IMGs",
    "us_md": "US MD seniors",
    "us_do": "US DO seniors",
}


@dataclass(frozen=True)
class Screen:
    """One screen a program showed that this applicant would meet, in plain words."""

    kind: str  # failed_step1, failed_step2ck, below_invited, prior_gme
    text: str
    source: str
    year: int


def _failed_screen(profile: ApplicantProfile, p: Program) -> list[Screen]:
    ev = p.interview_evidence
    out: list[Screen] = []
    if ev is None:
        return out
    exams: tuple[tuple[Exam, Mapping[str, RateCount]], ...] = (
        ("step1", ev.step1_failed),
        ("step2ck", ev.step2ck_failed),
    )
    for exam, rates in exams:
        ever = rates.get("ever")
        if ever is None or ever.rate is None or ever.applicants is None:
            continue
        # The program's figures first: they rule out most programs before the profile's count.
        if ever.applicants < FAILED_SCREEN_MIN_APPLICANTS or ever.rate >= FAILED_SCREEN_RATE:
            continue
        if profile.failed_attempts_at(exam):
            label = EXAM_LABEL[exam]
            out.append(
                Screen(
                    f"failed_{exam}",
                    f"in {ev.year} it interviewed {100 * ever.rate:.0f}% of the "
                    f"{ever.applicants:,} applicants who had ever failed {label}",
                    ev.source,
                    ev.year,
                )
            )
    return out


def screens(profile: ApplicantProfile, p: Program) -> list[Screen]:
    """The 2026 screens of program `p` that this applicant would meet (empty without data)."""
    ev = p.interview_evidence
    if ev is None:
        return []
    out = _failed_screen(profile, p)
    group = _GROUP[profile.applicant_type]
    invited = ev.step2ck_invited.get(group)
    if (
        profile.step2ck is not None
        and invited is not None
        and invited.lower is not None
        and profile.step2ck < invited.lower
    ):
        out.append(
            Screen(
                "below_invited",
                f"your Step 2 CK {profile.step2ck} is below the lowest Step 2 CK "
                f"({invited.lower:.0f}) of the {GROUP_WORDS[group]} it invited in {ev.year}",
                ev.source,
                ev.year,
            )
        )
    if ev.prior_gme_required:
        out.append(
            Screen(
                "prior_gme",
                f"it required prior graduate medical education (residency training) in {ev.year}",
                ev.source,
                ev.year,
            )
        )
    return out
