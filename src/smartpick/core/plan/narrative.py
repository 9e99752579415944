"""The plan's words for programs: the attempt account, the personal statement, the gap and interviews.

Only facts from the profile are named; the applicant supplies the reasons and the changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from smartpick.core.plan.flags import attempt_lines
from smartpick.core.plan.standing import STEP1_COMPETITIVE, STEP2CK_AVERAGE
from smartpick.core.plan.types import PlanStep, RedFlag
from smartpick.core.profile import ApplicantProfile


def narrative_steps(profile: ApplicantProfile, flags: Sequence[RedFlag]) -> list[PlanStep]:
    """Personal statement, interview answers, attempt and gap explanations tied to the red flags.

    Only facts from the profile are named; the applicant supplies the reasons and the changes.
    """
    steps: list[PlanStep] = []
    ids = {f.id for f in flags}
    weak: list[str] = []
    s1 = profile.step1_score
    if profile.step1_status == "score" and s1 is not None and s1 < STEP1_COMPETITIVE:
        weak.append(f"Step 1 {profile.step1_score}")
    if profile.step2ck is not None and profile.step2ck < STEP2CK_AVERAGE:
        weak.append(f"Step 2 CK {profile.step2ck}")
    if "failed_attempt" in ids:
        failed = next(f for f in flags if f.id == "failed_attempt")
        steps.append(
            PlanStep(
                id="address_attempt",
                title="Address the failed attempt directly",
                actions=(
                    f"Write a brief, honest account of the attempt ({failed.detail.rstrip('.')}): "
                    "what went wrong, without excuses.",
                    "Say what changed: study strategy, structured preparation, support, "
                    "remediation.",
                    "Show evidence of academic recovery: later exams passed on the first attempt"
                    + (
                        f" (Step 2 CK {profile.step2ck})"
                        if profile.step2ck and profile.step2ck_attempts == 1
                        else ""
                    )
                    + ", honors or strong USCE evaluations, a Step 3 pass.",
                ),
                why="Most programs read a failed attempt as a red flag; a short account with "
                "evidence of recovery is how the guide says to mitigate it.",
                guide="Create a brief, honest narrative: Recognize what went wrong ... Emphasize "
                "what changed ... Show evidence of academic recovery.",
                duration_months=(0, 1),
            )
        )
    if weak or "failed_attempt" in ids:
        record = list(weak)
        record.extend(attempt_lines(profile))
        subject = " and ".join(record) if record else "your exam record"
        steps.append(
            PlanStep(
                id="personal_statement",
                title="One concise paragraph on your scores in the personal statement",
                actions=(
                    f"Acknowledge {subject} in one paragraph, not the whole essay.",
                    "Take responsibility, explain the changes you made, and point to improved "
                    "performance or other strengths (your USCE evaluations, letters, service).",
                    "Spend the rest on why this specialty, what your background adds, and "
                    "concrete US clinical experiences.",
                ),
                why="Programs will see the scores anyway; a mature paragraph turns the question "
                "into evidence of growth.",
                guide="One concise paragraph is sufficient: Acknowledge the problem. Take "
                "responsibility. Explain the changes you made. Point to improved performance or "
                "other strengths.",
                duration_months=(1, 1),
                details={"to_address": record},
            )
        )
    if "long_since_graduation" in ids:
        steps.append(
            PlanStep(
                id="gap_explanation",
                title="Account for the years since graduation",
                actions=(
                    f"Make every date since graduation ({profile.years_since_graduation} years) "
                    "clear on your CV, with what you did: clinical work, research, exam "
                    "preparation, family reasons.",
                    "Recent hands-on USCE shows your clinical skills are current.",
                ),
                why="A long gap with unclear dates reads as time away from medicine.",
                guide="Make sure dates are clear and gaps are explained (research, exam prep, "
                "family reasons).",
                duration_months=(0, 1),
            )
        )
    answers = ["Why this program, and how you fit its community-based mission."]
    low = bool(weak) or "failed_attempt" in ids
    if low:
        answers.insert(
            0,
            "A short, confident answer to 'Tell me about your Step score': not defensive, no "
            "blame, what you learned and how you grew.",
        )
    if profile.applicant_type == "non_us_img":
        answers.append("What unique perspective you bring as an international graduate.")
    steps.append(
        PlanStep(
            id="interview",
            title="Prepare interview answers",
            actions=(
                *answers,
                "Examples of reliability, communication and cultural competence; practise with "
                "faculty mentors and peers who have matched.",
            ),
            why="Programs choose people for their team; interviews are where the file's numbers "
            "stop being the whole story.",
            guide="Prepare: A short, confident explanation for low Step 1 or Step 2 CK scores: "
            "Don't sound defensive. Don't blame others or the 'system.'"
            if low
            else "Be ready for questions like: 'Why this state university program "
            "specifically?' 'How do you see yourself fitting into our community-based mission?' "
            "'What unique perspectives do you bring as an international graduate?'",
            duration_months=(1, 2),
        )
    )
    return steps
