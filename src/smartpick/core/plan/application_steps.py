"""The application steps of the plan: regions, specialty choice, a second specialty, volume and mix."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence

from smartpick.core.plan.figures import count, dollars, percent
from smartpick.core.plan.guide import (
    GUIDE_VOLUME,
    HARDER,
    OPEN_REGIONS,
    SECOND_SPECIALTY,
    below_strong,
    low_scores,
)
from smartpick.core.plan.standing import Standing, rate_pct
from smartpick.core.plan.types import CatalogCounts, ListFacts, PlanStep
from smartpick.core.plan.words import programs_of
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.policy import entry_restriction, h1b_payment


def _harder_why(specialties: Sequence[str], match_rates: Mapping[str, float]) -> str:
    rates = [f"{s} {percent(match_rates[s])}" for s in specialties if s in match_rates]
    why = "Programs in these specialties scrutinize scores heavily"
    if rates:
        why += "; non-US IMG match rates in 2026: " + "; ".join(rates)
        why += " (NRMP Charting Outcomes 2026)"
    return why + "."


def _regions(names: Sequence[str]) -> str:
    return "the " + " and the ".join(names)


def _region_words(preferred: Sequence[str]) -> tuple[str, str]:
    """The step's title and its ERAS action, naming as to add only the open regions not already
    preferred."""
    missing = [r for r in OPEN_REGIONS if r not in preferred]
    kept = [r for r in preferred if r in OPEN_REGIONS]
    if not kept:
        return (
            f"State a geographic preference for {_regions(missing)}",
            f"In ERAS, state a preference for {_regions(missing)}, where the guide finds programs "
            "more open to IMGs.",
        )
    return (
        f"Also state a geographic preference for {_regions(missing)}",
        f"In ERAS, also state a preference for {_regions(missing)}: the guide finds "
        f"{_regions(OPEN_REGIONS)} more open to IMGs (you already prefer {_regions(kept)}).",
    )


def region_step(profile: ApplicantProfile) -> PlanStep | None:
    """A geographic preference for the regions the guide calls more open to IMGs."""
    if not (below_strong(profile) or profile.failed_attempts):
        return None
    if set(OPEN_REGIONS) <= set(profile.preferred_regions):
        return None
    regions = tuple(sorted(set(profile.preferred_regions) | set(OPEN_REGIONS)))
    title, action = _region_words(profile.preferred_regions)
    return PlanStep(
        id="regions",
        title=title,
        actions=(
            action,
            "Favor less popular regions, rural areas and smaller cities, and states with fewer "
            "local medical schools.",
        ),
        why="Programs in less popular regions recruit more widely, and a stated preference for "
        "their region is read as interest.",
        guide="Are located in: Less popular geographic regions (Midwest, some Southern states, "
        "rural or smaller cities). States with fewer local medical schools.",
        duration_months=(0, 1),
        change={"preferred_regions": regions},
        details={"regions": list(regions)},
    )


def specialty_steps(
    profile: ApplicantProfile, standing: Standing, match_rates: Mapping[str, float]
) -> list[PlanStep]:
    """The guide's competitiveness groups, and a second specialty for low scores."""
    steps: list[PlanStep] = []
    if not profile.specialties:
        return steps
    first = profile.specialties[0]
    harder = [s for s in profile.specialties if s in HARDER]
    if harder and (low_scores(profile) or below_strong(profile)):
        steps.append(
            PlanStep(
                id="specialty_choice",
                title=f"Weigh {', '.join(harder)} against your realistic chances",
                actions=(
                    f"The guide counts {', '.join(harder)} among specialties where scores are "
                    "heavily scrutinized.",
                    "Decide between your ideal specialty and your chances of matching at all; "
                    "consider a specialty the guide calls more open to IMGs.",
                ),
                why=_harder_why(profile.specialties, match_rates),
                guide="Generally harder (scores heavily scrutinized): Dermatology, Plastic "
                "Surgery, Neurosurgery, Orthopedics, Radiation Oncology, ENT.",
                duration_months=(0, 1),
                details={"groups": dict(standing.competitiveness)},
            )
        )
    already_two = len(profile.specialties) >= 2
    if low_scores(profile) and not already_two:
        options = [s for s in SECOND_SPECIALTY.get(first, ("Family Medicine",)) if s != first]
        if options:
            second = options[0]
            steps.append(
                PlanStep(
                    id="second_specialty",
                    title=f"Apply to {first} + {second}",
                    actions=(
                        f"Add {second} to {first}: one joint list, fees restart per specialty.",
                        f"Write a separate personal statement for {second} and get at least one "
                        f"letter in it.",
                    ),
                    why="With low scores, a second specialty the guide names as more open to IMGs "
                    "adds programs where your file competes better.",
                    guide="Apply to a broader set of specialties (e.g. IM + FM or IM + Neurology) "
                    "if your scores are very low.",
                    duration_months=(1, 2),
                    change={"specialties": (first, second)},
                    details={
                        "second": second,
                        "alternatives": options[1:],
                        "match_rates_pct": {
                            s: rate_pct(match_rates[s])
                            for s in (first, *options)
                            if s in match_rates
                        },
                    },
                )
            )
    return steps


def volume_step(profile: ApplicantProfile, lst: ListFacts) -> PlanStep:
    """How many programs to apply to (the list's value-of-a-match rule, `core.lists.economics`)
    and the university/community mix."""
    lo, hi = GUIDE_VOLUME
    if lst.programs == 0:
        return PlanStep(
            id="volume_mix",
            title="No program is open to you yet: do the steps above first",
            actions=(
                "As you stand, no program in your specialties can take you (see the red flags: "
                "exams, visa and stated requirements).",
                "Fix what closes them (for example pass Step 3 for an H-1B, or accept a J-1), "
                f"then apply broadly: the guide's rule of thumb is {lo}-{hi} applications.",
            ),
            why="An application list needs programs that can take you.",
            guide="Filter programs by: Visa support (non-negotiable for foreign nationals).",
            duration_months=(1, 1),
            details={"rule_count": 0, "current_programs": 0, "guide_range": list(GUIDE_VOLUME)},
        )
    how = lst.how_many
    rule = how.rule_count or lst.programs
    versus = (
        f"inside the guide's {lo}-{hi}"
        if lo <= rule <= hi
        else f"{'below' if rule < lo else 'above'} the guide's {lo}-{hi}"
    )
    uni = lst.settings.get("university", 0)
    affiliated = lst.settings.get("university_affiliated_community", 0)
    community = lst.settings.get("community", 0)
    # every listed program counted: military ones and those whose setting no source states
    others = [
        f"{n} {words}"
        for n, words in (
            (lst.settings.get("military", 0), "military"),
            (lst.settings.get("unknown", 0), "of unknown setting"),
        )
        if n
    ]
    listed = max(1, sum(lst.settings.values()))
    if uni / listed > 0.8:
        mix = (
            "Your list is mostly university programs: add university-affiliated community "
            "programs, which the guide says give the best odds in a mix."
        )
    elif uni == 0:
        mix = (
            "Your list has no university programs: include IMG-friendly state university "
            "programs in less competitive regions, not only community programs."
        )
    else:
        mix = (
            f"Your list mixes {uni} university, {affiliated} university-affiliated community and "
            f"{community} community programs"
            + (f" (and {' and '.join(others)})" if others else "")
            + ", the mix the guide recommends."
        )
    at = {n: p for n, p in lst.p_match_by_count}
    # Priced as the move from the current list to the rule's count; when the list is already
    # there, against the guide's nearer bound, to show what the rule of thumb would change.
    if rule != lst.programs:
        priced_count = rule
        priced_as = (
            f"your list of {count(lst.programs)} programs, then {count(rule)} (the value rule)"
        )
    else:
        priced_count = hi if rule > hi or rule == lo else lo
        priced_as = f"{count(rule)} programs (the value rule), then {count(priced_count)} (the guide's range)"
    actions = [
        f"Apply to about {count(rule)} programs ({versus}).",
        *how.lines,
        mix,
        "Keep a core of programs where you have US clinical experience, research or personal "
        "connections.",
    ]
    if lst.programs != rule:
        actions.append(
            f"Your current list has {count(lst.programs)} programs"
            + (f" under a {dollars(lst.budget_usd)} budget." if lst.budget_usd else ".")
        )
    return PlanStep(
        id="volume_mix",
        title=f"Apply to about {count(rule)} programs, mixing university and affiliated community",
        actions=tuple(actions),
        why="Each application costs little next to what a match is worth; the list stops where "
        "one more no longer pays for its fee. The guide's 60-120 is a rule of thumb for "
        "applicants with low scores.",
        guide="Many successful IMGs with low Step 1 or Step 2 CK scores submit 60-120 "
        "applications ... A mix of university and community programs (especially those "
        "affiliated with universities) gives you the best odds.",
        duration_months=(1, 1),
        change={"count": priced_count},
        details={
            "rule_count": rule,
            "match_value_usd": how.match_value_usd,
            "current_programs": lst.programs,
            "priced_as": priced_as,
            "guide_range": list(GUIDE_VOLUME),
            "p_match_at": {str(n): round(at[n], 4) for n in (30, 60, 90, 120, rule) if n in at},
            "settings": dict(lst.settings),
        },
    )


def j1_option_step(
    profile: ApplicantProfile, counts: Sequence[CatalogCounts], today: _dt.date
) -> PlanStep | None:
    """For an applicant who would train only on an H-1B: what also accepting a J-1 would open
    (priced), with the H-1B payment that makes a J-1 the safer route (`rules.policy`).
    `counts`: each specialty applied to, the first first."""
    if profile.visa != "h1b" or profile.applicant_type != "non_us_img":
        return None
    restriction = entry_restriction(profile)
    payment = h1b_payment()
    opened = [(c.opened_by_j1, c.specialty) for c in counts if c.opened_by_j1]
    actions = [
        "Consider also accepting a J-1: it is sponsored by ECFMG, not the program, and is not "
        "affected by the H-1B payment.",
        "A J-1 requires a Statement of Need from your home country's health ministry and "
        "usually two years at home after training, unless waived: weigh that against the "
        "programs it opens.",
    ]
    if restriction is not None:
        actions.append(
            f"J visas are currently suspended for nationals of {restriction.name} (Proclamation "
            "of 4 June 2025): a J-1 may not be open to you unless an exception applies."
        )
    return PlanStep(
        id="j1_option",
        title="Price also accepting a J-1",
        actions=tuple(actions),
        why=programs_of(
            [(f"{count(c.h1b_programs)} of {count(c.programs_total)}", c.specialty) for c in counts]
        )
        + f" state they consider H-1B, and {payment.in_force(today)}; "
        + (
            f"accepting a J-1 too opens {programs_of(opened)} that the visa rules now close to you."
            if opened
            else "many more programs consider a J-1."
        ),
        guide="J-1 is most common. A few will support H-1B (especially if you already have "
        "Step 3).",
        duration_months=(0, 1),
        change={"visa": "either"},
        details={
            "h1b_programs": sum(c.h1b_programs for c in counts),
            "programs_total": sum(c.programs_total for c in counts),
            "opened_by_j1_by_specialty": {c.specialty: c.opened_by_j1 for c in counts},
        },
    )
