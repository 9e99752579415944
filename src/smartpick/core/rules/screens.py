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
red flags count them and the list gives them as reasons, with their source and year. The applicant's side
(`screened`) is worked out once per profile, a program's once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import InterviewEvidence, Program, RateCount, once_per_program
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


class ScreenedApplicant(NamedTuple):
    """The applicant's side of the screens (`screened`): worked out once per profile, not once
    per program (counting failed attempts reads the test dates)."""

    failed: tuple[bool, bool]  # ever failed Step 1, Step 2 CK
    step2ck: int | None
    group: str  # their applicant group (`GROUP_WORDS`)


def screened(profile: ApplicantProfile) -> ScreenedApplicant:
    """What the screens ask of this applicant: failed attempts, Step 2 CK and group."""
    return ScreenedApplicant(
        (bool(profile.failed_attempts_at("step1")), bool(profile.failed_attempts_at("step2ck"))),
        profile.step2ck,
        _GROUP[profile.applicant_type],
    )


class ProgramScreens(NamedTuple):
    """A program's screens as its 2026 data shows them, for any applicant (`_program_screens`)."""

    failed: tuple[Screen | None, Screen | None]  # Step 1, Step 2 CK: met by a failed attempt
    lowest_invited: dict[str, float]  # per applicant group: the lowest Step 2 CK it invited
    source: str
    year: int
    prior_gme: Screen | None


def _failed_screen(
    ev: InterviewEvidence, exam: Exam, rates: Mapping[str, RateCount]
) -> Screen | None:
    ever = rates.get("ever")
    if ever is None or ever.rate is None or ever.applicants is None:
        return None
    if ever.applicants < FAILED_SCREEN_MIN_APPLICANTS or ever.rate >= FAILED_SCREEN_RATE:
        return None
    return Screen(
        f"failed_{exam}",
        f"in {ev.year} it interviewed {100 * ever.rate:.0f}% of the "
        f"{ever.applicants:,} applicants who had ever failed {EXAM_LABEL[exam]}",
        ev.source,
        ev.year,
    )


@once_per_program
def _program_screens(p: Program) -> ProgramScreens | None:
    """The program's side of its screens, worked out once per process (None without data)."""
    ev = p.interview_evidence
    if ev is None:
        return None
    lowest = {
        group: r.lower
        for group, r in ev.step2ck_invited.items()
        if r is not None and r.lower is not None
    }
    prior_gme = (
        Screen(
            "prior_gme",
            f"it required prior graduate medical education (residency training) in {ev.year}",
            ev.source,
            ev.year,
        )
        if ev.prior_gme_required
        else None
    )
    failed = (
        _failed_screen(ev, "step1", ev.step1_failed),
        _failed_screen(ev, "step2ck", ev.step2ck_failed),
    )
    return ProgramScreens(failed, lowest, ev.source, ev.year, prior_gme)


def screens(applicant: ScreenedApplicant, p: Program) -> list[Screen]:
    """The 2026 screens of program `p` that this applicant (`screened(profile)`) would meet
    (empty without data)."""
    program = _program_screens(p)
    if program is None:
        return []
    out = [s for s, failed in zip(program.failed, applicant.failed, strict=True) if s and failed]
    s2, lower = applicant.step2ck, program.lowest_invited.get(applicant.group)
    if s2 is not None and lower is not None and s2 < lower:
        out.append(
            Screen(
                "below_invited",
                f"your Step 2 CK {s2} is below the lowest Step 2 CK "
                f"({lower:.0f}) of the {GROUP_WORDS[applicant.group]} it invited in {program.year}",
                program.source,
                program.year,
            )
        )
    if program.prior_gme is not None:
        out.append(program.prior_gme)
    return out
