"""Whether the applicant can start residency at all with the exams on record.

ECFMG certification, which every international medical graduate needs before residency, requires
passing Step 1 and Step 2 CK; US graduates need a passing Step 2 CK too. A Step 2 CK below the
passing score of its test date (`rules.usmle`) therefore closes every program until it is retaken
and passed: the list is empty and the plan is the retake. A missing Step 2 CK is taken as the
passing score in force (`assumed_step2ck`): never better than a low pass.
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


def assumed_step2ck(profile: ApplicantProfile) -> int:
    """The Step 2 CK taken for an applicant who has not given one: the passing score in force.

    Training needs a passed Step 2 CK and programs screen on it, so a missing score is never read
    as better than the lowest pass: hiding a low score cannot raise a chance. The model, the list
    and every plan price use this one score."""
    return profile.pass_mark("step2ck").score


def missing_step2ck_words(profile: ApplicantProfile) -> str:
    """The one sentence that says how a missing Step 2 CK is taken, on every face."""
    return (
        f"Step 2 CK not given: each chance takes it as the passing score, "
        f"{assumed_step2ck(profile)}, since you cannot start residency without passing it and "
        "programs screen on it, so leaving it out never gives a better chance than a low "
        "passing score. Add your score for a sharper answer"
    )
