"""The exam steps of the plan: make Step 2 CK count, and take (or retake) Step 3."""

from __future__ import annotations

from collections.abc import Sequence

from smartpick.core.plan.guide import (
    STEP2CK_OVER_STEP1,
    STEP3_PREP_MONTHS,
    STEP3_TARGET_FLOOR,
    is_img,
    low_scores,
)
from smartpick.core.plan.standing import STEP2CK_AVERAGE, STEP2CK_STRONG, step2ck_band
from smartpick.core.plan.types import CatalogCounts, ChangeValue, PlanStep
from smartpick.core.plan.words import programs_of
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.certification import assumed_step2ck


def step3_step(
    profile: ApplicantProfile, counts: Sequence[CatalogCounts], months_to_eras_open: int
) -> PlanStep | None:
    """Step 3 before ERAS opens, when it can lift a record below strong, opens H-1B programs,
    or has to be passed: a Step 3 below the passing score is offered again (an H-1B needs a
    passed Step 3, `rules.visas`). `counts`: each specialty applied to, the first first."""
    if profile.step3_passed or not is_img(profile):
        return None
    retake = profile.step3 is not None
    helps_visa = profile.visa in ("j1", "either", "h1b")
    # The guide: "If Step 2 CK is already low: Consider Step 3"; and H-1B needs a passed Step 3.
    if not (low_scores(profile) or helps_visa or retake):
        return None
    best = max(s for s in (profile.step1_score, profile.step2ck, 0) if s is not None)
    target = max(STEP3_TARGET_FLOOR, min(best + 10, 260))
    in_time = months_to_eras_open >= STEP3_PREP_MONTHS[0]
    if months_to_eras_open <= 0:
        opens = "ERAS for your Match year has already opened"
    else:
        opens = f"ERAS opens in about {months_to_eras_open} months"
    shortest, longest = STEP3_PREP_MONTHS
    enough = (
        f"enough for the guide's {shortest}-{longest} months of preparation"
        if months_to_eras_open >= longest
        else f"enough for the shortest of the guide's {shortest}-{longest} months of preparation"
    )
    timing = (
        f"{opens}: {enough} if you start now."
        if in_time
        else f"{opens}: there is less time than the guide's {shortest} months of preparation, so take "
        "Step 3 for the following season rather than rush it (the guide: 'If you cannot prepare adequately or "
        "risk another low score/attempt, it may be safer not to rush Step 3')."
    )
    mark = profile.pass_mark("step3")
    must_pass = (
        f"Step 3 must be passed: {mark.text}"
        + (f"; your {profile.step3} is below it." if retake else ".")
        + (" An H-1B needs a passed Step 3." if profile.visa in ("h1b", "either") else "")
    )
    why = f"A Step 3 score of {target}+ " + _step3_adds(profile)
    opened = [(c.opened_by_h1b, c.specialty) for c in counts if c.opened_by_h1b]
    if helps_visa:
        why += (
            ". It also makes H-1B possible: "
            + programs_of([(c.h1b_programs, c.specialty) for c in counts])
            + " in the catalog state they consider H-1B"
            + (
                f"; if you would also train on an H-1B, Step 3 opens {programs_of(opened)} "
                "that take no J-1 to you"
                if profile.visa == "j1" and opened
                else ""
            )
        )
    change: dict[str, ChangeValue] = {"step3": target}
    if retake:
        change["step3_attempts"] = profile.step3_attempts + 1
    verb = "Retake and pass" if retake else "Take"
    return PlanStep(
        id="step3",
        title=f"{verb} Step 3 before ERAS opens, aiming for {target}+",
        actions=(
            must_pass,
            f"Schedule Step 3 within {STEP3_PREP_MONTHS[0]}-{STEP3_PREP_MONTHS[1]} months, "
            f"aiming for {target} or more.",
            "Use structured question-based study with a mentor or peer study group (UWorld; "
            "40-80 timed, random questions a day, review every explanation).",
            timing,
        ),
        why=why + ".",
        guide="Successful Step 3 with a better score can: Partially compensate for low Step "
        "1/Step 2 CK. Make you more attractive as a foreign national medical graduate needing a "
        "visa.",
        duration_months=STEP3_PREP_MONTHS,
        change=change,
        details={
            "must_pass": must_pass,
            "passing_score": mark.score,
            "target_score": target,
            "before_eras": in_time,
            "months_to_eras_open": months_to_eras_open,
            "h1b_programs": sum(c.h1b_programs for c in counts),
            "opened_by_h1b": sum(c.opened_by_h1b for c in counts),
            "opened_by_h1b_by_specialty": {c.specialty: c.opened_by_h1b for c in counts},
            "programs_total": sum(c.programs_total for c in counts),
        },
    )


def _step3_adds(profile: ApplicantProfile) -> str:
    """What a good Step 3 adds to this record, in the guide's terms: recovery only for a record
    the guide calls low (`guide.low_scores`), else another score next to the one programs read."""
    band = step2ck_band(profile.step2ck)
    if low_scores(profile):
        record = "your record" if band is None else f"your Step 2 CK {band.score}"
        return f"would show academic recovery over {record}"
    if band is None:
        return "would add a strong score to your record"
    return f"would add another score next to your Step 2 CK {band.score}, {band.label}"


def step2ck_retake_step(profile: ApplicantProfile, blocked: str) -> PlanStep:
    """A Step 2 CK below passing: the retake comes before any list (`rules.certification`)."""
    mark = profile.pass_mark("step2ck")
    target = max(STEP2CK_AVERAGE, mark.score + 10)
    return PlanStep(
        id="step2ck",
        title=f"Retake and pass Step 2 CK before you apply, aiming for {target}+",
        actions=(
            blocked,
            f"Aim well above the pass mark ({mark.score}): {target} or more is around average "
            "for IMGs in the guide's terms, and a strong retake shows recovery.",
            "UWorld as a must (AMBOSS second if time and budget allow); a daily quota of 40-80 "
            "timed, random questions, reviewing every explanation in depth.",
            "The guide's other steps (US clinical experience, letters, Step 3) come after the "
            "retake: come back with your new score for a list and a priced plan.",
        ),
        why="No program can take you until Step 2 CK is passed; a retake with a clearly better "
        "score is also what programs will read first.",
        guide="If Step 2 CK is still pending: Treat it as your make-or-break exam.",
        duration_months=(3, 6),
        change={"step2ck": target, "step2ck_attempts": profile.step2ck_attempts + 1},
        details={"target_score": target, "passing_score": mark.score, "retake": True},
    )


def step2ck_step(profile: ApplicantProfile) -> PlanStep | None:
    """Step 2 CK still pending: the guide's make-or-break exam, with a target score."""
    if profile.step2ck is not None:
        return None
    if profile.step1_status == "score" and profile.step1_score is not None:
        target = min(profile.step1_score + STEP2CK_OVER_STEP1[1], 270)
        aim = (
            f"at least {profile.step1_score + STEP2CK_OVER_STEP1[0]}-{target}, 10-15 points over "
            f"your Step 1 {profile.step1_score}"
        )
    else:
        target = STEP2CK_STRONG
        aim = f"{target} or more, the guide's 'strong for most IMGs'"
    assumed = assumed_step2ck(profile)
    if target <= assumed:  # a Step 1 so low that 15 points over it would not pass
        target = assumed + 10
        aim = f"{target} or more, clearly above the passing score {assumed}"
    return PlanStep(
        id="step2ck",
        title=f"Make Step 2 CK count: aim for {target}",
        actions=(
            f"Treat Step 2 CK as make-or-break; aim for {aim}.",
            "UWorld as a must (AMBOSS second if time and budget allow); a daily quota of 40-80 "
            "timed, random questions, reviewing every explanation in depth.",
        ),
        why="With Step 1 pass/fail or low, Step 2 CK is the score programs read first.",
        guide="If Step 2 CK is still pending: Treat it as your make-or-break exam. Aim to "
        "outperform your Step 1 by at least 10-15 points if you have a score.",
        duration_months=(3, 6),
        # Priced against the chance shown now, which takes the missing score as the passing one
        # (`rules.certification.assumed_step2ck`): one baseline for the page and the plan.
        change={"step2ck": target},
        details={
            "target_score": target,
            "assumed_score": assumed,
            "priced_as": f"compared with your chance now, which takes Step 2 CK as the passing "
            f"score {assumed} until you give yours",
        },
    )
