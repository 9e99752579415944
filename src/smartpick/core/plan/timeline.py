"""The plan's timeline: the steps ordered from today to the Match, the guide's 12-18 month plan."""

from __future__ import annotations

from collections.abc import Sequence

from smartpick.core.plan.guide import STEP3_PREP_MONTHS
from smartpick.core.plan.types import PlanStep, TimelineEntry
from smartpick.core.rules.season import INTERVIEW_MONTHS, MONTHS_OPEN_BEFORE_REVIEW

# Months each preparatory step needs before ERAS opens (its earliest start plus its shortest span).
_LEAD_MONTHS = {
    "step2ck": 3,
    "step3": STEP3_PREP_MONTHS[0],
    "research": 6,
    "usce": 3,
    "letters": 2,
}


def _entry(step_id: str, start: int, end: int, label: str) -> TimelineEntry:
    """A timeline entry with 0 <= start <= end."""
    end = max(0, end)
    return TimelineEntry(step_id, max(0, min(start, end)), end, label)


def submission_month(months_to_eras_open: int, lead: int) -> tuple[int, bool]:
    """The month (from today) the list goes in, and whether that is the profile's own season:
    its opening, or a later season's when the preparatory steps need `lead` months; now when the
    season is open, still takes new applications and nothing needs preparing.
    `months_to_eras_open` is negative once the season has opened (`Season.months_from_opening`):
    the next opening is 12 months after it, not 12 months from today."""
    if months_to_eras_open < 0:
        if lead == 0 and -months_to_eras_open <= MONTHS_OPEN_BEFORE_REVIEW:
            return 0, True
        eras = months_to_eras_open + 12
    else:
        eras = months_to_eras_open
    while eras < lead:
        eras += 12
    return eras, eras == months_to_eras_open


def timeline(steps: Sequence[PlanStep], months_to_eras_open: int) -> list[TimelineEntry]:
    """Order the steps from today to the Match, the guide's 12-18 month plan.

    When ERAS opens sooner than the preparatory steps need (`_LEAD_MONTHS`), or has opened and
    programs are already reviewing, the timeline targets the following season and says so in
    the ERAS entry (`submission_month`). The interviews run from the programs' review to the
    month before the Match (`season.INTERVIEW_MONTHS`).
    """
    ids = {s.id for s in steps}
    lead = max((m for sid, m in _LEAD_MONTHS.items() if sid in ids), default=0)
    if {"step2ck", "step3"} <= ids:
        lead = max(lead, 6 + STEP3_PREP_MONTHS[0])  # Step 3 after Step 2 CK
    eras, this_season = submission_month(months_to_eras_open, lead)
    out: list[TimelineEntry] = []
    if "step2ck" in ids:
        out.append(_entry("step2ck", 0, min(6, eras - 1), "Step 2 CK"))
    if "step3" in ids:
        first = 6 if "step2ck" in ids else 0  # one exam at a time
        out.append(_entry("step3", first, min(first + 9, eras - 1), "Step 3"))
    if "research" in ids:
        out.append(_entry("research", 0, eras - 1, "Research: abstract/poster"))
    if "usce" in ids:
        out.append(_entry("usce", 1, min(5, eras - 1), "Hands-on USCE"))
    if "connection" in ids:
        out.append(_entry("connection", 1, min(4, eras - 1), "A rotation or contact at a program"))
    if "letters" in ids:
        first = 2 if "usce" in ids else 0
        out.append(_entry("letters", first, eras - 1, "US letters requested and uploaded"))
    if "regions" in ids:
        out.append(_entry("regions", eras - 1, eras, "Geographic preference in ERAS"))
    if "service_languages" in ids:
        out.append(_entry("service_languages", 0, eras, "Free-clinic volunteering"))
    for sid, label in (
        ("j1_option", "Decide whether to accept a J-1"),
        ("specialty_choice", "Decide the specialty"),
        ("second_specialty", "Second specialty: statement and letter"),
    ):
        if sid in ids:
            out.append(_entry(sid, eras - 4, eras - 2, label))
    for sid, label in (
        ("address_attempt", "Write the attempt account"),
        ("gap_explanation", "CV dates and gaps"),
        ("personal_statement", "Personal statement"),
    ):
        if sid in ids:
            out.append(_entry(sid, eras - 2, eras, label))
    season_note = "" if this_season else " (the following season)"
    if "volume_mix" in ids:
        out.append(
            _entry("volume_mix", eras, eras + 1, f"ERAS opens: submit the list{season_note}")
        )
    if "interview" in ids:
        start, end = INTERVIEW_MONTHS
        out.append(_entry("interview", eras + start, eras + end, "Interview season"))
    out.sort(key=lambda e: (e.start_month, e.end_month))
    return out
