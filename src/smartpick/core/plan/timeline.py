"""The plan's timeline: the steps ordered from today to the Match, the guide's 12-18 month plan."""

from __future__ import annotations

from collections.abc import Sequence

from smartpick.core.plan.guide import STEP3_PREP_MONTHS
from smartpick.core.plan.types import PlanStep, TimelineEntry

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


def timeline(steps: Sequence[PlanStep], months_to_eras_open: int) -> list[TimelineEntry]:
    """Order the steps from today to the Match, the guide's 12-18 month plan.

    When ERAS opens sooner than the preparatory steps need (`_LEAD_MONTHS`), the timeline targets
    the following season (12 months later) and says so in the ERAS entry.
    """
    ids = {s.id for s in steps}
    lead = max((m for sid, m in _LEAD_MONTHS.items() if sid in ids), default=0)
    if {"step2ck", "step3"} <= ids:
        lead = max(lead, 6 + STEP3_PREP_MONTHS[0])  # Step 3 after Step 2 CK
    eras = months_to_eras_open
    while eras < lead:
        eras += 12
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
    season_note = "" if eras == months_to_eras_open else " (the following season)"
    if "volume_mix" in ids:
        out.append(
            _entry("volume_mix", eras, eras + 1, f"ERAS opens: submit the list{season_note}")
        )
    if "interview" in ids:
        out.append(_entry("interview", eras + 2, eras + 7, "Interview season"))
    out.sort(key=lambda e: (e.start_month, e.end_month))
    return out
