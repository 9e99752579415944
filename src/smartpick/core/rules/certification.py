"""Whether the applicant can start residency at all with the exams on record.

ECFMG certification, which every international medical graduate needs before residency, requires
passing Step 1 and Step 2 CK; US graduates need a passing Step 2 CK too. A Step 2 CK below the
passing score of its test date (`rules.usmle`) therefore closes every program until it is retaken
and passed: the list is empty and the plan is the retake.
"""

from __future__ import annotations

from smartpick.core.profile import ApplicantProfile

IMG_TYPES = ("non_us_img", "us_img")


def step2ck_block(profile: ApplicantProfile) -> str | None:
    """Why no program can take the applicant now (a Step 2 CK below passing), or None."""
    score = profile.step2ck
    if score is None:
        return None
    mark = profile.pass_mark("step2ck")
    if score >= mark.score:
        return None
    need = (
        "ECFMG certification, which every international medical graduate needs to start "
        "residency, requires a passing Step 2 CK"
        if profile.applicant_type in IMG_TYPES
        else "Residency programs require a passing Step 2 CK"
    )
    return (
        f"Your Step 2 CK {score} is below the passing score: {mark.text}. {need}, so no program "
        "can take you with this score. Plan the retake first, then apply."
    )
