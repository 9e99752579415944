"""The advisor: the guide's steps that apply to one applicant, flagged, ordered and timed (unpriced).

Prices come later from the service (`service.pricing`), which re-runs the model and optimizer on each
step's `change`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from smartpick.core.plan.application_steps import region_step, specialty_steps, volume_step
from smartpick.core.plan.exam_steps import step2ck_step, step3_step
from smartpick.core.plan.experience_steps import (
    connection_step,
    letters_step,
    research_step,
    service_step,
    usce_step,
)
from smartpick.core.plan.flags import red_flags
from smartpick.core.plan.guide import competitiveness_group
from smartpick.core.plan.narrative import narrative_steps
from smartpick.core.plan.standing import (
    SpecialtyStanding,
    match_rates_pct,
    specialty_standing,
    step1_band,
    step2ck_band,
)
from smartpick.core.plan.timeline import timeline
from smartpick.core.plan.types import CatalogCounts, ListFacts, Plan, PlanStep, Standing
from smartpick.core.profile import ApplicantProfile


def assess_standing(
    profile: ApplicantProfile,
    specialty: SpecialtyStanding | None = None,
    rates: Mapping[str, float] | None = None,
) -> Standing:
    """The guide's bands for each exam, the placement within the first specialty (Charting
    Outcomes 2026, looked up when not given), and each specialty's group with its match rate."""
    if specialty is None:
        specialty = specialty_standing(profile.specialties[0], profile.step2ck)
    rates = match_rates_pct() if rates is None else rates
    return Standing(
        step1=step1_band(profile.step1_status, profile.step1_score),
        step2ck=step2ck_band(profile.step2ck),
        step3_score=profile.step3,
        specialty=specialty,
        competitiveness={
            s: competitiveness_group(s)
            + (
                f"; non-US IMG match rate {rates[s]:.0f}% (NRMP Charting Outcomes 2026)"
                if s in rates
                else ""
            )
            for s in profile.specialties
        },
    )


def build_plan(
    profile: ApplicantProfile,
    *,
    standing: Standing,
    counts: CatalogCounts,
    list_facts: ListFacts,
    match_rates_pct: Mapping[str, float],
    months_to_eras_open: int,
) -> Plan:
    """The guide's steps that apply to this applicant, ordered, with a timeline (unpriced)."""
    flags = red_flags(profile, counts)
    steps: list[PlanStep] = []
    for step in (
        step2ck_step(profile),
        step3_step(profile, counts, months_to_eras_open),
        usce_step(profile, counts),
        connection_step(profile, counts),
        letters_step(profile),
        research_step(profile),
        service_step(profile),
    ):
        if step is not None:
            steps.append(step)
    region = region_step(profile)
    if region is not None:
        steps.append(region)
    steps.extend(specialty_steps(profile, standing, match_rates_pct))
    steps.append(volume_step(profile, list_facts))
    steps.extend(narrative_steps(profile, flags))
    present = {s.id for s in steps}
    flags = [
        replace(f, addressed_by=tuple(a for a in f.addressed_by if a in present)) for f in flags
    ]
    return Plan(
        standing=standing,
        red_flags=tuple(flags),
        steps=tuple(steps),
        timeline=tuple(timeline(steps, months_to_eras_open)),
        months_to_eras_open=months_to_eras_open,
    )
