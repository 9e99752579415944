"""The applicant's own reasons shown with a program's chances: the Step 2 CK against the
specialty's matched applicants, the assumed effects of the applicant's file, failed attempts, and
the few a table row shows. A program's own reasons are in `reasons`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from smartpick.core.chances.effects import EFFECTS_SOURCE, REFERENCE
from smartpick.core.chances.outcomes import (
    other_group_step2ck,
    pooled_step2ck_medians,
    unpublished_step2ck,
)
from smartpick.core.chances.reasons import MINUS, PLUS, UNKNOWN
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.certification import missing_step2ck_words
from smartpick.core.rules.eligibility import Reason
from smartpick.core.rules.usmle import Exam

EXAM_NAMES: tuple[tuple[Exam, str], ...] = (
    ("step1", "Step 1"),
    ("step2ck", "Step 2 CK"),
    ("step3", "Step 3"),
)


def score_reason(
    profile: ApplicantProfile,
    quartiles: tuple[float, float, float] | None,
    source: str,
    beta: float,
    specialty: str = "this specialty",
) -> Reason:
    """Step 2 CK against the specialty's matched quartiles (`beta`: the calibrated slope).

    `quartiles` None: the specialty's non-US IMG figures were not published, and the reason says
    so in the plan's words (`outcomes.unpublished_step2ck`), placing the score against the
    published all-specialty medians only. The figures are non-US IMGs': an applicant of another
    group is told plainly that the comparison is with them (the plan gives them no percentile)."""
    s = profile.step2ck
    if s is None:
        return Reason(
            missing_step2ck_words(profile),
            None,
            None,
            UNKNOWN,
            0.5,
        )
    other = (
        ""
        if profile.applicant_type == "non_us_img"
        else f"; {other_group_step2ck(profile.applicant_type)}, so you are compared with them"
    )
    if quartiles is None:
        med = pooled_step2ck_medians()[0]
        text = unpublished_step2ck(specialty, s) + other
        sign = MINUS if s < med else PLUS
        return Reason(text, source, None, sign, abs(beta * (s - med) / 10.0) + 0.3)
    q1, med, q3 = quartiles
    weight = abs(beta * (s - med) / 10.0)
    quarter = "in the lowest quarter" if s < q1 else "in the highest quarter" if s >= q3 else None
    if quarter is not None:
        bound = f"below {q1:.0f}" if s < q1 else f"{q3:.0f} or above"
        who = "matched applicants" if not other else "matched non-US IMGs"
        text = f"Step 2 CK {s} is {quarter} of this specialty's {who} ({bound}){other}"
    else:
        side = "below" if s < med else "above"
        if other:
            text = (
                f"Step 2 CK {s} is {side} the median of matched non-US IMGs in this specialty "
                f"({med:.0f}){other}"
            )
        else:
            text = f"Step 2 CK {s} is {side} this specialty's matched median ({med:.0f})"
    sign = MINUS if s < med else PLUS
    return Reason(text, source, None, sign, weight + 0.3)


def applicant_reasons(
    profile: ApplicantProfile, specialty: str, effects: Mapping[str, float], lam: float
) -> list[Reason]:
    """The assumed effects of the applicant's own file (scaled into their variance budget)."""
    e, ref = effects, REFERENCE
    out: list[Reason] = []

    def add(term: float, text: str) -> None:
        if abs(term) > 1e-9:
            out.append(Reason(text, EFFECTS_SOURCE, None, PLUS if term > 0 else MINUS, abs(term)))

    hands_on, obs = profile.usce_hands_on_months, profile.usce_observership_months
    months = hands_on + e["observership_weight"] * obs
    add(
        lam * e["usce_hands_on_per_month"] * (min(months, 6.0) - ref.usce_hands_on_months),
        f"US clinical experience: {hands_on:g} months hands-on, {obs:g} observership "
        "(typical: 3 hands-on)",
    )
    in_spec = profile.letters_in(specialty)
    add(
        lam
        * (
            e["us_letter"] * (min(profile.us_letters, 4) - ref.us_letters)
            + e["us_letter_in_specialty"] * (min(in_spec, 3) - ref.us_letters_in_specialty)
        ),
        f"{profile.us_letters} US letters, {in_spec} in {specialty} (typical: 3, 2 in specialty)",
    )
    years = profile.years_since_graduation
    add(
        lam * e["years_since_graduation"] * (min(max(years, 1), 10) - ref.years_since_graduation),
        f"Graduated {years} years before the Match (typical: 3)",
    )
    if profile.step3_passed and profile.step3 is not None:
        gain = min(max((profile.step3 - ref.step3_reference) / 10.0, 0.0), 3.0)
        add(
            lam * (e["step3_passed"] + e["step3_per_10_points"] * gain),
            f"Step 3 passed ({profile.step3})",
        )
    if isinstance(profile.step1, int):
        add(
            lam * e["step1_per_10_points"] * min(max((profile.step1 - 220) / 10.0, -3.0), 3.0),
            f"Step 1 {profile.step1} (220 is typical; below 215 is low in the guide)",
        )
    return out


def failed_reason(
    profile: ApplicantProfile, specialty: str, typical: float, layered: bool
) -> Reason:
    """The applicant's failed USMLE attempts (counted by the one rule, `profile.failed_attempts`)
    and what they cost at a typical program: `typical` is the median log-odds effect."""
    n = profile.failed_attempts
    exams = ", ".join(name for exam, name in EXAM_NAMES if profile.failed_attempts_at(exam) > 0)
    share = math.exp(typical)
    where = (
        "; each program that publishes 2026 figures is judged by its own rate for them"
        if layered
        else f" (estimated from how many {specialty} programs screen out a failed attempt, "
        "against Internal Medicine's 2026 figures)"
    )
    text = (
        f"{n} failed USMLE attempt{'s' if n > 1 else ''} ({exams}): a typical {specialty} program "
        f"invites applicants who ever failed at about {share:.0%} of the odds of the others{where}"
    )
    source = (
        "AAMC Residency Explorer, 2026 cycle"
        if layered
        else "NRMP Program Director Survey (about 2010); AAMC Residency Explorer, 2026 cycle"
    )
    return Reason(text, source, 2026 if layered else None, MINUS, abs(typical))


def top_applicant_reasons(applicant: Sequence[Reason]) -> list[Reason]:
    """The applicant's reasons a table row shows after the program's own: the score, and the
    applicant's strongest factor."""
    score, *others = applicant
    strongest = sorted(others, key=lambda r: -r.weight)[:1]
    return [score, *(r for r in strongest if r.weight >= 0.15)]
