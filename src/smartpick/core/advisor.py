"""The strategy advisor: the guide's plan, turned into steps that fit one applicant.

Pure domain: every rule here comes from the guide SmartPick grew from ("Strategic Low Step Score
Guide for Non-US Citizen IMGs", quoted in each step's `guide` field and in docs/advisor.md).
Numbers about programs (how many sponsor a visa, which would count as ties) are computed from the
catalog by the service and passed in; prices (the effect of a step on P(match), expected
interviews and fees) are measured by the service by re-running the model and optimizer on the
changed profile described by each step's `change`, and attached with `with_price`. The plan's
types and JSON contract live in `core.plan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from smartpick.core.plan import Plan, PlanStep, Price, RedFlag, Standing, TimelineEntry
from smartpick.core.standing import (
    STEP2CK_AVERAGE,
    STEP2CK_STRONG,
    SpecialtyStanding,
    Step1Status,
    step1_band,
    step2ck_band,
)

VisaNeed = Literal["none", "j1", "h1b", "either"]

# The guide's competitiveness groups ("Specialty-Specific Flexibility").
HARDER = (
    "Dermatology",
    "Plastic Surgery",
    "Neurological Surgery",
    "Orthopaedic Surgery",
    "Radiation Oncology",
    "Otolaryngology",
)
MODERATE = (
    "Internal Medicine",
    "Pediatrics",
    "Family Medicine",
    "Psychiatry",
    "Pathology",
    "Neurology",
    "Physical Medicine and Rehabilitation",
)
OPEN_TO_IMGS = ("Internal Medicine", "Family Medicine", "Psychiatry", "Neurology", "Pathology")
# Second specialties the guide names for very low scores ("IM + FM or IM + Neurology"); for other
# first choices, the specialties it calls "often more open to IMGs".
SECOND_SPECIALTY = {
    "Internal Medicine": ("Family Medicine", "Neurology"),
    "Family Medicine": ("Internal Medicine",),
    "Neurology": ("Internal Medicine",),
    "Psychiatry": ("Family Medicine",),
    "Pediatrics": ("Family Medicine",),
    "Pathology": ("Internal Medicine",),
}
OPEN_REGIONS = ("Midwest", "South")  # "Less popular geographic regions (Midwest, some Southern"
GUIDE_VOLUME = (60, 120)  # "Many successful IMGs with low Step 1 or Step 2 CK scores submit 60-120"
STEP2CK_OVER_STEP1 = (10, 15)  # "Aim to outperform your Step 1 by at least 10-15 points"
STEP3_TARGET_FLOOR = 230  # the guide's sample plan: "Schedule Step 3 ... aiming for >230"
STEP3_PREP_MONTHS = (6, 9)  # "Schedule Step 3 within 6-9 months"
USCE_TARGET_HANDS_ON_MONTHS = 4  # "Secure 2-4 months of USCE", hands-on preferred
LETTERS_TARGET = 3  # "At least 2-3 LoRs from US faculty ... in the specialty"
LONG_SINCE_GRADUATION_YEARS = 5  # our threshold: the guide names no number (docs/advisor.md)


@dataclass(frozen=True)
class ApplicantFacts:
    """What the advisor needs to know about an applicant (built from the profile by the service)."""

    applicant_type: Literal["non_us_img", "us_img", "us_md", "us_do"]
    visa: VisaNeed
    step1_status: Step1Status
    step1_score: int | None
    step2ck_score: int | None
    step2ck_attempts: int
    step3_score: int | None
    years_since_graduation: int
    usce_hands_on_months: float
    usce_observership_months: float
    us_letters: int
    us_letters_in_specialty: int
    abstracts: int
    posters: int
    publications: int
    languages: tuple[str, ...]
    specialties: tuple[str, ...]
    preferred_regions: tuple[str, ...] = ()
    step3_attempts: int = 1

    @property
    def failed_attempts(self) -> int:
        """Failed USMLE attempts on record (Step 1 fail-then-pass, repeated Step 2 CK or 3)."""
        step1 = 1 if self.step1_status == "fail_then_pass" else 0
        step3 = max(0, self.step3_attempts - 1) if self.step3_score is not None else 0
        return step1 + max(0, self.step2ck_attempts - 1) + step3

    @property
    def research_items(self) -> int:
        """Abstracts, posters and publications together."""
        return self.abstracts + self.posters + self.publications

    @property
    def low_scores(self) -> bool:
        """True when the guide would call the record low (Step 2 CK < 225, Step 1 < 215, a fail)."""
        s2 = self.step2ck_score
        s1_low = self.step1_status == "score" and (self.step1_score or 0) < 215
        return (s2 is not None and s2 < STEP2CK_AVERAGE) or s1_low or self.failed_attempts > 0

    @property
    def below_strong(self) -> bool:
        """True when Step 2 CK is under the guide's "strong" 240 (or missing)."""
        return self.step2ck_score is None or self.step2ck_score < STEP2CK_STRONG


@dataclass(frozen=True)
class TieProgram:
    """A catalog program where USCE would count as a tie (state-university or affiliated)."""

    program_id: str
    name: str
    city: str | None
    state: str | None
    setting: str | None
    pct_non_us_img: float | None


@dataclass(frozen=True)
class CatalogCounts:
    """Catalog figures for the applicant's first specialty, computed by the service."""

    specialty: str
    programs_total: int
    visa_sponsoring: int  # programs stating they consider the applicant's visa (all if none needed)
    visa_not_sponsoring: int  # stated "no" or FREIDA's empty list ("none listed")
    visa_unknown: int
    h1b_programs: int  # programs stating they consider H-1B
    h1b_only_programs: int  # consider H-1B but not J-1 (what Step 3 opens to a J-1 applicant)
    shut_by_graduation_limit: int  # a stated graduation-year limit the applicant exceeds
    shut_by_usce_requirement: int  # a stated USCE requirement the applicant lacks
    tie_candidates: tuple[TieProgram, ...] = ()
    source: str = "SmartPick catalog (FREIDA 2025, AAMC Residency Explorer 2021)"


def competitiveness_group(specialty: str) -> str:
    """The guide's group for a specialty: 'harder', 'moderate' or 'not grouped by the guide'."""
    if specialty in HARDER:
        return "harder: scores heavily scrutinized"
    if specialty in OPEN_TO_IMGS:
        return "moderately competitive; often more open to IMGs"
    if specialty in MODERATE:
        return "moderately competitive, but still possible with strong profiles"
    return "not grouped by the guide (see its Charting Outcomes match rate)"


def assess_standing(
    facts: ApplicantFacts,
    specialty: SpecialtyStanding | None,
    match_rates_pct: Mapping[str, float] | None = None,
) -> Standing:
    """The guide's bands for each exam, the placement within the first specialty, and each
    specialty's group (with its 2026 non-US IMG match rate when given)."""
    rates = match_rates_pct or {}
    return Standing(
        step1=step1_band(facts.step1_status, facts.step1_score),
        step2ck=step2ck_band(facts.step2ck_score),
        step3_score=facts.step3_score,
        specialty=specialty,
        competitiveness={
            s: competitiveness_group(s)
            + (
                f"; non-US IMG match rate {rates[s]:.0f}% (NRMP Charting Outcomes 2026)"
                if s in rates
                else ""
            )
            for s in facts.specialties
        },
    )


def red_flags(facts: ApplicantFacts, counts: CatalogCounts) -> list[RedFlag]:
    """The guide's red flags that apply, with the programs each shuts (from the catalog)."""
    flags: list[RedFlag] = []
    total = counts.programs_total
    if facts.failed_attempts:
        what = []
        if facts.step1_status == "fail_then_pass":
            what.append("Step 1 failed once, then passed")
        if facts.step2ck_attempts > 1:
            what.append(f"Step 2 CK taken {facts.step2ck_attempts} times")
        if facts.step3_score is not None and facts.step3_attempts > 1:
            what.append(f"Step 3 taken {facts.step3_attempts} times")
        flags.append(
            RedFlag(
                id="failed_attempt",
                title="Failed USMLE attempt",
                detail="; ".join(what) + ".",
                guide="If you failed Step 1 or Step 2 once, or you have multiple attempts, most "
                "programs will consider that a red flag. However, that flag can be mitigated.",
                programs_total=total,
                addressed_by=("address_attempt", "step3", "personal_statement", "interview"),
            )
        )
    if facts.years_since_graduation >= LONG_SINCE_GRADUATION_YEARS:
        flags.append(
            RedFlag(
                id="long_since_graduation",
                title="Long time since graduation",
                detail=f"{facts.years_since_graduation} years between graduation and the Match.",
                guide="Make sure dates are clear and gaps are explained (research, exam prep, "
                "family reasons).",
                programs_total=total,
                programs_shut=counts.shut_by_graduation_limit,
                addressed_by=("usce", "gap_explanation"),
            )
        )
    is_img = facts.applicant_type in ("non_us_img", "us_img")
    if is_img and facts.usce_hands_on_months + facts.usce_observership_months <= 0:
        flags.append(
            RedFlag(
                id="no_usce",
                title="No US clinical experience",
                detail="No months of US clinical experience on record.",
                guide="For a non-US citizen IMG targeting state university programs, US clinical "
                "experience is critical - often more impactful than a marginal score difference.",
                programs_total=total,
                programs_shut=counts.shut_by_usce_requirement,
                addressed_by=("usce",),
            )
        )
    if is_img and facts.us_letters <= 0:
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
    if facts.visa != "none" and total:
        share = counts.visa_sponsoring / total
        label = {"j1": "J-1", "h1b": "H-1B", "either": "J-1 or H-1B"}[facts.visa]
        h1b_blocked = facts.visa == "h1b" and facts.step3_score is None
        few = share < 0.5 or h1b_blocked
        flags.append(
            RedFlag(
                id="visa_few_sponsors" if few else "visa_needed",
                title=f"Needs a {label} visa"
                + (": few programs state they sponsor it" if few else ""),
                detail=f"{counts.visa_sponsoring} of {total} {counts.specialty} programs state they "
                f"consider {label}; {counts.visa_not_sponsoring} state no (or list no visa) and "
                f"{counts.visa_unknown} are unknown. Source: {counts.source}."
                + (
                    " An H-1B needs a passed Step 3: until you pass it, no program can sponsor one."
                    if h1b_blocked
                    else ""
                ),
                guide="Filter programs by: Visa support (non-negotiable for foreign nationals).",
                programs_total=total,
                programs_shut=total if h1b_blocked else counts.visa_not_sponsoring,
                addressed_by=("step3",) if facts.visa in ("j1", "h1b", "either") else (),
            )
        )
    return flags


def step3_step(
    facts: ApplicantFacts, counts: CatalogCounts, months_to_eras_open: int
) -> PlanStep | None:
    """Step 3 before ERAS opens, when it can lift a record below strong or opens H-1B programs."""
    if facts.step3_score is not None or facts.applicant_type not in ("non_us_img", "us_img"):
        return None
    helps_visa = facts.visa in ("j1", "either", "h1b")
    # The guide: "If Step 2 CK is already low: Consider Step 3"; and H-1B needs a passed Step 3.
    if not (facts.low_scores or helps_visa):
        return None
    best = max(s for s in (facts.step1_score, facts.step2ck_score, 0) if s is not None)
    target = max(STEP3_TARGET_FLOOR, min(best + 10, 260))
    in_time = months_to_eras_open >= STEP3_PREP_MONTHS[0]
    timing = (
        f"ERAS opens in about {months_to_eras_open} months: enough for the guide's 6-9 months of "
        "preparation if you start now."
        if in_time
        else f"ERAS opens in about {months_to_eras_open} months, less than the guide's 6 months "
        "of preparation: take Step 3 for the following season rather than rush it (the guide: "
        "'If you cannot prepare adequately or risk another low score/attempt, it may be safer not "
        "to rush Step 3')."
    )
    why = (
        f"A Step 3 score of {target}+ would show academic recovery over your "
        f"{'Step 2 CK ' + str(facts.step2ck_score) if facts.step2ck_score else 'record'}"
    )
    if helps_visa:
        why += (
            f" and makes H-1B possible: {counts.h1b_programs} {counts.specialty} programs in the "
            f"catalog state they consider H-1B"
            + (
                f", {counts.h1b_only_programs} of them not J-1 (they open to you only with Step 3)"
                if facts.visa == "j1"
                else ""
            )
        )
    return PlanStep(
        id="step3",
        title=f"Take Step 3 before ERAS opens, aiming for {target}+",
        actions=(
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
        change={"step3": target},
        details={
            "target_score": target,
            "before_eras": in_time,
            "months_to_eras_open": months_to_eras_open,
            "h1b_programs": counts.h1b_programs,
            "h1b_only_programs": counts.h1b_only_programs,
            "programs_total": counts.programs_total,
        },
    )


def step2ck_step(facts: ApplicantFacts) -> PlanStep | None:
    """Step 2 CK still pending: the guide's make-or-break exam, with a target score."""
    if facts.step2ck_score is not None:
        return None
    if facts.step1_status == "score" and facts.step1_score is not None:
        target = min(facts.step1_score + STEP2CK_OVER_STEP1[1], 270)
        aim = (
            f"at least {facts.step1_score + STEP2CK_OVER_STEP1[0]}-{target}, 10-15 points over "
            f"your Step 1 {facts.step1_score}"
        )
    else:
        target = STEP2CK_STRONG
        aim = f"{target} or more, the guide's 'strong for most IMGs'"
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
        # Priced against Step 2 CK equal to Step 1 (no improvement): with no score at all the
        # model would compare with a typical applicant's, not with this applicant.
        change={"step2ck": target} if facts.step1_score is not None else None,
        details={"target_score": target}
        | ({"compare_with": {"step2ck": facts.step1_score}} if facts.step1_score else {}),
    )


def usce_step(facts: ApplicantFacts, counts: CatalogCounts) -> PlanStep | None:
    """Hands-on USCE at state-university-affiliated or public hospitals, when there is too little."""
    if facts.applicant_type in ("us_md", "us_do"):
        return None
    if facts.usce_hands_on_months >= USCE_TARGET_HANDS_ON_MONTHS:
        return None
    add = USCE_TARGET_HANDS_ON_MONTHS - facts.usce_hands_on_months
    have = (
        f"{facts.usce_hands_on_months:g} months hands-on and "
        f"{facts.usce_observership_months:g} months of observership"
    )
    ties = [
        {
            "program_id": t.program_id,
            "name": t.name,
            "city": t.city,
            "state": t.state,
            "setting": t.setting,
            "pct_non_us_img": t.pct_non_us_img,
        }
        for t in counts.tie_candidates
    ]
    return PlanStep(
        id="usce",
        title=f"Add {add:g} month{'' if add == 1 else 's'} of hands-on US clinical experience",
        actions=(
            f"Secure {add:g} more month{'' if add == 1 else 's'} of hands-on USCE (sub-internship, acting internship, or an "
            "externship with note writing and presentations), bringing hands-on USCE to "
            f"{USCE_TARGET_HANDS_ON_MONTHS} months; an observership counts less than hands-on.",
            "Choose a state university-affiliated hospital or a public hospital system"
            + (
                f"; a rotation at one of the {len(ties)} programs listed would also count as a "
                "tie there."
                if ties
                else "."
            ),
            "Ask for a specialty letter before you leave each rotation.",
        ),
        why=f"You have {have}. Programs read hands-on USCE as readiness for US training, and it "
        "is where US letters and interview stories come from.",
        guide="Prioritize: Hands-on inpatient experiences where possible ... Settings linked to "
        "your target programs: State university hospital observerships or externships; Affiliated "
        "community hospitals ... Secure 2-4 months of USCE.",
        duration_months=(2, 4),
        change={"usce_months": float(USCE_TARGET_HANDS_ON_MONTHS)},
        details={
            "current_hands_on_months": facts.usce_hands_on_months,
            "current_observership_months": facts.usce_observership_months,
            "target_hands_on_months": USCE_TARGET_HANDS_ON_MONTHS,
            "tie_programs": ties,
        },
    )


def letters_step(facts: ApplicantFacts) -> PlanStep | None:
    """2-3 US letters in the specialty, when the applicant has fewer than three."""
    if facts.us_letters_in_specialty >= LETTERS_TARGET:
        return None
    first = facts.specialties[0] if facts.specialties else "your specialty"
    return PlanStep(
        id="letters",
        title=f"Get {LETTERS_TARGET} US letters in {first}",
        actions=(
            f"Aim for {LETTERS_TARGET} letters from US faculty in {first}, ideally at a state "
            f"university or public program (you have {facts.us_letters_in_specialty}).",
            "Give each writer your CV, personal statement draft and a bullet list of the cases "
            "and projects you worked on with them.",
            "Explain politely that as a non-US citizen IMG, strong detailed letters are crucial.",
        ),
        why="With below average board scores, letters can dramatically influence how program "
        "directors see you; they should speak to reliability, clinical reasoning and growth.",
        guide="At least 2-3 LoRs from US faculty, ideally: At a state university residency or "
        "public medical school program. In the specialty you're applying to.",
        duration_months=(2, 4),
        change={"us_letters": LETTERS_TARGET},
        details={"current": facts.us_letters_in_specialty, "target": LETTERS_TARGET},
    )


def research_step(facts: ApplicantFacts) -> PlanStep | None:
    """An abstract or poster in 6-12 months, when scores are below strong and research is thin."""
    if facts.research_items >= 2 or not facts.below_strong:
        return None
    return PlanStep(
        id="research",
        title="Produce an abstract or poster from a research role",
        actions=(
            "Take a 6-12 month research volunteer role at a state university (lab or clinical "
            "research office).",
            "Aim for at least one conference abstract or poster; a QI project counts too.",
            "Get in by cold-emailing faculty in your target departments with a 1-page CV, and "
            "through alumni now in US academia.",
            "Prefer topics on underserved or rural care, health services, or immigrant health.",
        ),
        why="For state university programs research is a significant plus when scores are low, "
        "and the department where you do it becomes a connection.",
        guide="Short-term research positions: 6-12 months in a lab or clinical research office at "
        "a state university. Focus on generating at least one: Abstract, Poster, Publication.",
        duration_months=(6, 12),
        change={"posters": facts.posters + 1},
        details={"current_items": facts.research_items},
    )


def service_step(facts: ApplicantFacts) -> PlanStep | None:
    """Languages and service to underserved communities: for applicants building a profile, and
    for anyone whose languages fit a program's patients."""
    others = [lang for lang in facts.languages if lang.casefold() != "english"]
    if not (facts.below_strong or facts.failed_attempts or others):
        return None
    actions = [
        "Volunteer at a free clinic serving immigrant or low-income populations.",
        "Connect your service with the mission of public programs (community, health equity, "
        "population health) in your statement and interviews.",
    ]
    if others:
        actions.insert(
            0,
            f"Name your {', '.join(others)} in the application and target programs whose "
            "patients speak it.",
        )
    return PlanStep(
        id="service_languages",
        title="Service and languages that fit public programs' communities",
        actions=tuple(actions),
        why="Public programs serve communities where language skills and service with "
        "underserved patients are differentiators the scores do not show.",
        guide="Language skills in communities served by the state university ... Work with "
        "underserved, refugee, or rural communities ... explicitly connect these with the mission "
        "of public medical school residency programs.",
        duration_months=(3, 12),
        details={"languages": others},
    )


def _harder_why(specialties: Sequence[str], match_rates_pct: Mapping[str, float]) -> str:
    rates = [f"{s} {match_rates_pct[s]:.0f}%" for s in specialties if s in match_rates_pct]
    why = "Programs in these specialties scrutinize scores heavily"
    if rates:
        why += "; non-US IMG match rates in 2026: " + "; ".join(rates)
        why += " (NRMP Charting Outcomes 2026)"
    return why + "."


def region_step(facts: ApplicantFacts) -> PlanStep | None:
    """A geographic preference for the regions the guide calls more open to IMGs."""
    if not (facts.below_strong or facts.failed_attempts):
        return None
    if set(OPEN_REGIONS) <= set(facts.preferred_regions):
        return None
    regions = tuple(sorted(set(facts.preferred_regions) | set(OPEN_REGIONS)))
    return PlanStep(
        id="regions",
        title="State a geographic preference for the Midwest and the South",
        actions=(
            "In ERAS, state a preference for the Midwest and the South"
            + (
                f" (besides {', '.join(facts.preferred_regions)})"
                if facts.preferred_regions
                else ""
            )
            + ", where the guide finds programs more open to IMGs.",
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
    facts: ApplicantFacts, standing: Standing, match_rates_pct: Mapping[str, float]
) -> list[PlanStep]:
    """The guide's competitiveness groups, and a second specialty for low scores."""
    steps: list[PlanStep] = []
    if not facts.specialties:
        return steps
    first = facts.specialties[0]
    harder = [s for s in facts.specialties if s in HARDER]
    if harder and (facts.low_scores or facts.below_strong):
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
                why=_harder_why(facts.specialties, match_rates_pct),
                guide="Generally harder (scores heavily scrutinized): Dermatology, Plastic "
                "Surgery, Neurosurgery, Orthopedics, Radiation Oncology, ENT.",
                duration_months=(0, 1),
                details={"groups": dict(standing.competitiveness)},
            )
        )
    already_two = len(facts.specialties) >= 2
    if facts.low_scores and not already_two:
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
                            s: match_rates_pct[s] for s in (first, *options) if s in match_rates_pct
                        },
                    },
                )
            )
    return steps


@dataclass(frozen=True)
class ListFacts:
    """The baseline optimized list and its curve, as the service measured them."""

    programs: int
    stop_count: int | None  # where the marginal gain falls under the threshold
    stop_threshold_pp: float
    p_match_by_count: Sequence[tuple[int, float]]
    settings: Mapping[str, int]  # programs in the list per setting
    budget_usd: float | None


def volume_step(facts: ApplicantFacts, lst: ListFacts) -> PlanStep:
    """How many programs to apply to (from the P(match) curve) and the university/community mix."""
    lo, hi = GUIDE_VOLUME
    if lst.programs == 0:
        return PlanStep(
            id="volume_mix",
            title="No program is open to you yet: do the steps above first",
            actions=(
                "As you stand, the model finds no program in your specialties that you are "
                "eligible for (see the red flags: visa and stated requirements).",
                "Fix what shuts them (e.g. pass Step 3 for an H-1B, or accept a J-1), then "
                f"apply broadly: the guide's rule of thumb is {lo}-{hi} applications.",
            ),
            why="An application list needs programs that can take you.",
            guide="Filter programs by: Visa support (non-negotiable for foreign nationals).",
            duration_months=(1, 1),
            details={"stop_count": 0, "current_programs": 0, "guide_range": list(GUIDE_VOLUME)},
        )
    stop = lst.stop_count or lst.programs
    versus = (
        "inside the guide's 60-120 rule of thumb"
        if lo <= stop <= hi
        else f"{'below' if stop < lo else 'above'} the guide's 60-120 rule of thumb"
    )
    uni = lst.settings.get("university", 0)
    affiliated = lst.settings.get("university_affiliated_community", 0)
    community = lst.settings.get("community", 0)
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
            f"{community} community programs, the mix the guide recommends."
        )
    at = {n: p for n, p in lst.p_match_by_count}
    # Priced as the move from the current list to the curve's count; when the list is already
    # there, against the guide's 60 (or 120), to show what the rule of thumb would change.
    if stop != lst.programs:
        priced_count, priced_as = stop, f"your list of {lst.programs} -> {stop} programs"
    else:
        priced_count = lo if stop != lo else hi
        priced_as = f"{stop} programs (the curve) -> {priced_count} (the guide's rule of thumb)"
    actions = [
        f"Apply to about {stop} programs: after that each extra application adds less than "
        f"{lst.stop_threshold_pp:g} percentage points of P(match) ({versus}).",
        mix,
        "Keep a core of programs where you have USCE, research or personal connections.",
    ]
    if lst.programs != stop:
        actions.append(
            f"Your current list has {lst.programs} programs"
            + (f" under a ${lst.budget_usd:,.0f} budget." if lst.budget_usd else ".")
        )
    return PlanStep(
        id="volume_mix",
        title=f"Apply to about {stop} programs, mixing university and affiliated community",
        actions=tuple(actions),
        why="The P(match) curve of your optimized list says where more applications stop paying; "
        "the guide's 60-120 is a rule of thumb for applicants with low scores.",
        guide="Many successful IMGs with low Step 1 or Step 2 CK scores submit 60-120 "
        "applications ... A mix of university and community programs (especially those "
        "affiliated with universities) gives you the best odds.",
        duration_months=(1, 1),
        change={"count": priced_count},
        details={
            "stop_count": stop,
            "current_programs": lst.programs,
            "priced_as": priced_as,
            "guide_range": list(GUIDE_VOLUME),
            "p_match_at": {str(n): round(at[n], 4) for n in (30, 60, 90, 120, stop) if n in at},
            "settings": dict(lst.settings),
        },
    )


def narrative_steps(facts: ApplicantFacts, flags: Sequence[RedFlag]) -> list[PlanStep]:
    """Personal statement, interview answers, attempt and gap explanations tied to the red flags.

    Only facts from the profile are named; the applicant supplies the reasons and the changes.
    """
    steps: list[PlanStep] = []
    ids = {f.id for f in flags}
    weak: list[str] = []
    if facts.step1_status == "score" and facts.step1_score and facts.step1_score < 215:
        weak.append(f"Step 1 {facts.step1_score}")
    if facts.step2ck_score is not None and facts.step2ck_score < STEP2CK_AVERAGE:
        weak.append(f"Step 2 CK {facts.step2ck_score}")
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
                        f" (Step 2 CK {facts.step2ck_score})"
                        if facts.step2ck_score and facts.step2ck_attempts == 1
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
        if facts.step1_status == "fail_then_pass":
            record.append("the failed Step 1 attempt")
        if facts.step2ck_attempts > 1:
            record.append(f"{facts.step2ck_attempts} Step 2 CK attempts")
        if facts.step3_score is not None and facts.step3_attempts > 1:
            record.append(f"{facts.step3_attempts} Step 3 attempts")
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
                    f"Make every date since graduation ({facts.years_since_graduation} years) "
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
    if weak or "failed_attempt" in ids:
        answers.insert(
            0,
            "A short, confident answer to 'Tell me about your Step score': not defensive, no "
            "blame, what you learned and how you grew.",
        )
    if facts.applicant_type == "non_us_img":
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
            "Don't sound defensive. Don't blame others or the 'system.'",
            duration_months=(1, 2),
        )
    )
    return steps


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


def build_plan(
    facts: ApplicantFacts,
    *,
    standing: Standing,
    counts: CatalogCounts,
    list_facts: ListFacts,
    match_rates_pct: Mapping[str, float],
    months_to_eras_open: int,
) -> Plan:
    """The guide's steps that apply to this applicant, ordered, with a timeline (unpriced)."""
    flags = red_flags(facts, counts)
    steps: list[PlanStep] = []
    for step in (
        step2ck_step(facts),
        step3_step(facts, counts, months_to_eras_open),
        usce_step(facts, counts),
        letters_step(facts),
        research_step(facts),
        service_step(facts),
    ):
        if step is not None:
            steps.append(step)
    region = region_step(facts)
    if region is not None:
        steps.append(region)
    steps.extend(specialty_steps(facts, standing, match_rates_pct))
    steps.append(volume_step(facts, list_facts))
    steps.extend(narrative_steps(facts, flags))
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


STEP_LABELS = {
    "step2ck": "Step 2 CK",
    "step3": "Step 3",
    "usce": "hands-on USCE",
    "letters": "US letters",
    "research": "research",
    "regions": "regional preference",
    "second_specialty": "a second specialty",
}


def summarize(plan: Plan) -> tuple[str, ...]:
    """Three or four sentences for the top of the plan, from its measured prices only."""
    lines: list[str] = []
    base = plan.baseline
    if base is not None:
        p = base.p_match
        lines.append(
            f"As you stand: P(match) {100 * p.point:.0f}% ({100 * p.low:.0f}-{100 * p.high:.0f}%) "
            f"with {base.programs} programs for {base.fees_usd:,.0f} USD, "
            f"{base.expected_interviews.point:.1f} expected interviews."
        )
    gains = sorted(
        (
            (s.price.delta_p_match.point, STEP_LABELS[s.id])
            for s in plan.steps
            if s.price is not None and s.id in STEP_LABELS
        ),
        reverse=True,
    )
    if gains:
        lines.append(
            "Largest gains, each alone: "
            + "; ".join(f"{label} {100 * d:+.1f} pp" for d, label in gains[:3])
            + "."
        )
    whole: Price | None = plan.whole_plan
    if whole is not None:
        d = whole.delta_p_match
        lines.append(
            f"All {len(gains)} priced steps together: P(match) "
            f"{100 * whole.baseline.p_match.point:.0f}% -> {100 * whole.changed.p_match.point:.0f}% "
            f"({100 * d.point:+.1f} pp, {100 * d.low:+.1f} to {100 * d.high:+.1f})."
        )
    volume = next((s for s in plan.steps if s.id == "volume_mix"), None)
    if volume is not None:
        lines.append(volume.title + ".")
    return tuple(lines)
