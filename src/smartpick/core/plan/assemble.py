"""The advisor: the guide's steps that apply to one applicant, flagged, ordered and timed (unpriced).

Prices come later from the service (`service.pricing`), which re-runs the model and optimizer on each
step's `change`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from smartpick.core.plan.application_steps import (
    j1_option_step,
    region_step,
    specialty_steps,
    volume_step,
)
from smartpick.core.plan.chance_labels import not_compared_note
from smartpick.core.plan.exam_steps import step2ck_retake_step, step2ck_step, step3_step
from smartpick.core.plan.experience_steps import (
    connection_step,
    letters_step,
    research_step,
    service_step,
    usce_step,
)
from smartpick.core.plan.figures import percent
from smartpick.core.plan.flags import red_flags
from smartpick.core.plan.guide import competitiveness_group
from smartpick.core.plan.narrative import narrative_steps
from smartpick.core.plan.standing import (
    SpecialtyStanding,
    Standing,
    match_rates,
    specialty_standing,
    step1_band,
    step2ck_band,
    unpublished_note,
)
from smartpick.core.plan.timeline import timeline
from smartpick.core.plan.types import (
    CatalogCounts,
    ListFacts,
    Plan,
    PlanStep,
    RedFlag,
)
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.certification import step2ck_block


def assess_standing(
    profile: ApplicantProfile,
    specialty: SpecialtyStanding | None = None,
    rates: Mapping[str, float] | None = None,
) -> Standing:
    """The guide's bands for each exam, the placement within the first specialty (Charting
    Outcomes 2026, looked up when not given) and within each further one, and each specialty's
    group with its match rate.

    The published figures are non-US IMGs': other applicants are not placed among them
    (`core.plan.chance_labels` says what exists for them instead)."""
    non_us = profile.applicant_type == "non_us_img"
    if specialty is None and non_us:
        specialty = specialty_standing(profile.specialties[0], profile.step2ck)
    rates = match_rates() if rates is None else rates
    note = None
    if not non_us:
        note = not_compared_note(profile.applicant_type)
    elif specialty is None and profile.step2ck is not None:
        note = unpublished_note(profile.specialties[0], profile.step2ck)
    return Standing(
        step1=step1_band(profile.step1_status, profile.step1_score),
        step2ck=step2ck_band(profile.step2ck),
        step3_score=profile.step3,
        specialty=specialty if non_us else None,
        competitiveness={
            s: competitiveness_group(s)
            + (
                f"; non-US IMG match rate {percent(rates[s])} (NRMP Charting Outcomes 2026)"
                if s in rates and non_us
                else ""
            )
            for s in profile.specialties
        },
        percentile_note=note,
        other_specialties=_other_placements(profile) if non_us else (),
    )


def _other_placements(profile: ApplicantProfile) -> tuple[str, ...]:
    """The Step 2 CK's placement in each specialty after the first, as the first's is said."""
    if profile.step2ck is None:
        return ()
    out = []
    for specialty in profile.specialties[1:]:
        placed = specialty_standing(specialty, profile.step2ck)
        out.append(
            placed.summary if placed is not None else unpublished_note(specialty, profile.step2ck)
        )
    return tuple(out)


def build_plan(
    profile: ApplicantProfile,
    *,
    standing: Standing,
    counts: Sequence[CatalogCounts],
    list_facts: ListFacts,
    match_rates: Mapping[str, float],
    months_to_eras_open: int,
    today: _dt.date | None = None,
) -> Plan:
    """The guide's steps that apply to this applicant, ordered, with a timeline (unpriced).

    `counts`: the catalog figures of each specialty applied to, the first specialty first (the
    red flags, Step 3 and the J-1 option count them all; the other steps name programs of the
    first). `months_to_eras_open`: months until the ERAS season of the profile's Match year opens, negative once it has (minus
    the months since, `Season.months_from_opening`); the plan keeps 0 for an opened season."""
    today = today or _dt.date.today()  # the policy facts' dates are read against it
    flags = red_flags(profile, counts, today)
    blocked = step2ck_block(profile)
    if blocked is not None:
        # No list until Step 2 CK is passed: the plan is the retake (and what to say about it).
        steps = [step2ck_retake_step(profile, blocked), volume_step(profile, list_facts)]
        steps.extend(s for s in narrative_steps(profile, flags) if s.id != "interview")
        return _plan(standing, flags, steps, months_to_eras_open)
    first = counts[0]
    steps = []
    for step in (
        step2ck_step(profile),
        step3_step(profile, counts, max(0, months_to_eras_open)),
        usce_step(profile, first),
        connection_step(profile, first),
        letters_step(profile),
        research_step(profile),
        service_step(profile),
    ):
        if step is not None:
            steps.append(step)
    for extra in (j1_option_step(profile, counts, today), region_step(profile)):
        if extra is not None:
            steps.append(extra)
    steps.extend(specialty_steps(profile, standing, match_rates))
    steps.append(volume_step(profile, list_facts))
    steps.extend(narrative_steps(profile, flags))
    return _plan(standing, flags, steps, months_to_eras_open)


def _plan(
    standing: Standing, flags: list[RedFlag], steps: list[PlanStep], months_to_eras_open: int
) -> Plan:
    present = {s.id for s in steps}
    flags = [
        replace(f, addressed_by=tuple(a for a in f.addressed_by if a in present)) for f in flags
    ]
    return Plan(
        standing=standing,
        red_flags=tuple(flags),
        steps=tuple(steps),
        timeline=tuple(timeline(steps, months_to_eras_open)),
        months_to_eras_open=max(0, months_to_eras_open),
    )
