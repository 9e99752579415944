"""The guide's red flags that apply to an applicant, with the catalog programs each one shuts.

Failed attempts are the profile's one count (`ApplicantProfile.failed_attempts`), the H-1B rule is
`rules.visas` (a passed Step 3), and shut programs are those the eligibility rules exclude
(`plan.counts`): the same answers the chances give.
"""

from __future__ import annotations

from smartpick.core.plan.guide import LONG_SINCE_GRADUATION_YEARS, is_img
from smartpick.core.plan.types import CatalogCounts, RedFlag
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.usmle import EXAM_LABEL, Exam
from smartpick.core.rules.visas import VISA_LABEL


def attempt_lines(profile: ApplicantProfile) -> list[str]:
    """One phrase per exam with failed attempts, e.g. "Step 1 failed once, then passed"."""
    out = []
    exams: tuple[Exam, ...] = ("step1", "step2ck", "step3")
    scores = {"step1": profile.step1_score, "step2ck": profile.step2ck, "step3": profile.step3}
    for exam in exams:
        failed = profile.failed_attempts_at(exam)
        if not failed:
            continue
        label, score = EXAM_LABEL[exam], scores[exam]
        mark = profile.pass_mark(exam)
        if exam == "step1" and profile.step1 == "fail_then_pass" and failed == 1:
            out.append("Step 1 failed once, then passed")
        elif score is not None and score < mark.score:
            out.append(
                f"{label} {score} is below the passing score {mark.score}"
                + (f" ({failed} failed attempts)" if failed > 1 else "")
            )
        else:
            times = failed + 1
            out.append(f"{label} taken {times} times")
    return out


def h1b_blocked(profile: ApplicantProfile) -> bool:
    """True when the applicant can only train on an H-1B and has no passed Step 3 yet."""
    return profile.visa == "h1b" and not profile.step3_passed


def red_flags(profile: ApplicantProfile, counts: CatalogCounts) -> list[RedFlag]:
    """The guide's red flags that apply, with the programs each shuts (from the catalog)."""
    flags: list[RedFlag] = []
    total = counts.programs_total
    if profile.failed_attempts:
        flags.append(
            RedFlag(
                id="failed_attempt",
                title="Failed USMLE attempt",
                detail="; ".join(attempt_lines(profile)) + ".",
                guide="If you failed Step 1 or Step 2 once, or you have multiple attempts, most "
                "programs will consider that a red flag. However, that flag can be mitigated.",
                programs_total=total,
                addressed_by=("address_attempt", "step3", "personal_statement", "interview"),
            )
        )
    if profile.years_since_graduation >= LONG_SINCE_GRADUATION_YEARS:
        flags.append(
            RedFlag(
                id="long_since_graduation",
                title="Long time since graduation",
                detail=f"{profile.years_since_graduation} years between graduation and the Match.",
                guide="Make sure dates are clear and gaps are explained (research, exam prep, "
                "family reasons).",
                programs_total=total,
                programs_shut=counts.shut_by_graduation_limit,
                addressed_by=("usce", "gap_explanation"),
            )
        )
    hands_on = profile.usce_hands_on_months
    if is_img(profile) and hands_on <= 0:
        observed = profile.usce_observership_months
        if observed <= 0 or counts.shut_by_usce_requirement:
            flags.append(
                RedFlag(
                    id="no_usce",
                    title="No US clinical experience"
                    if observed <= 0
                    else "No hands-on US clinical experience",
                    detail="No months of US clinical experience on record."
                    if observed <= 0
                    else f"{observed:g} months of observership and no hands-on months: "
                    "programs that require US clinical experience count hands-on months only.",
                    guide="For a non-US citizen IMG targeting state university programs, US "
                    "clinical experience is critical - often more impactful than a marginal "
                    "score difference.",
                    programs_total=total,
                    programs_shut=counts.shut_by_usce_requirement,
                    addressed_by=("usce",),
                )
            )
    if is_img(profile) and profile.us_letters <= 0:
        flags.append(
            RedFlag(
                id="no_us_letters",
                title="No US letters of recommendation",
                detail="No letters from US faculty.",
                guide="At least 2-3 LoRs from US faculty, ideally ... in the specialty you're "
                "applying to.",
                programs_total=total,
                addressed_by=("letters", "usce"),
            )
        )
    if profile.visa != "none" and total:
        flags.append(_visa_flag(profile, counts))
    return flags


def _visa_flag(profile: ApplicantProfile, counts: CatalogCounts) -> RedFlag:
    total = counts.programs_total
    share = counts.visa_sponsoring / total
    label = VISA_LABEL[profile.visa]
    blocked = h1b_blocked(profile)
    few = share < 0.5 or blocked
    detail = (
        f"{counts.visa_sponsoring} of {total} {counts.specialty} programs state they consider "
        f"{label}; {counts.visa_not_sponsoring} state no (or list no visa) and "
        f"{counts.visa_unknown} are unknown. Source: {counts.source}."
    )
    if blocked:
        mark = profile.pass_mark("step3")
        have = (
            "no Step 3 score is in your profile"
            if profile.step3 is None
            else f"your Step 3 {profile.step3} is below it"
        )
        detail += (
            f" An H-1B needs a passed Step 3 ({mark.text}); {have}. Until you pass it, no "
            "program can sponsor one."
        )
    return RedFlag(
        id="visa_few_sponsors" if few else "visa_needed",
        title=f"Needs a {label} visa" + (": few programs state they sponsor it" if few else ""),
        detail=detail,
        guide="Filter programs by: Visa support (non-negotiable for foreign nationals).",
        programs_total=total,
        programs_shut=counts.shut_by_visa,
        addressed_by=("step3",),
    )
