"""The experience steps of the plan: hands-on USCE, US letters, research, service and languages."""

from __future__ import annotations

from smartpick.core.plan.guide import (
    LETTERS_TARGET,
    USCE_TARGET_HANDS_ON_MONTHS,
    below_strong,
    is_img,
    letters_in_first,
    low_scores,
)
from smartpick.core.plan.types import CatalogCounts, PlanStep, TieProgram
from smartpick.core.plan.words import months
from smartpick.core.profile import ApplicantProfile


def usce_step(profile: ApplicantProfile, counts: CatalogCounts) -> PlanStep | None:
    """Hands-on USCE at state-university-affiliated or public hospitals, when there is too little."""
    if profile.applicant_type in ("us_md", "us_do"):
        return None
    if profile.usce_hands_on_months >= USCE_TARGET_HANDS_ON_MONTHS:
        return None
    add = USCE_TARGET_HANDS_ON_MONTHS - profile.usce_hands_on_months
    have = (
        f"{months(profile.usce_hands_on_months)} hands-on and "
        f"{months(profile.usce_observership_months)} of observership"
    )
    ties = [
        {
            "program_id": t.program_id,
            "name": t.name,
            "city": t.city,
            "state": t.state,
            "setting": t.setting,
            "pct_non_us_img": t.pct_non_us_img,
            "caveat": t.caveat,
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
            "current_hands_on_months": profile.usce_hands_on_months,
            "current_observership_months": profile.usce_observership_months,
            "target_hands_on_months": USCE_TARGET_HANDS_ON_MONTHS,
            "tie_programs": ties,
        },
    )


def connection_step(profile: ApplicantProfile, counts: CatalogCounts) -> PlanStep | None:
    """A connection at a program the applicant can apply to (priced as a hands-on rotation
    there), when the applicant names no rotation connection yet."""
    if not is_img(profile) or not counts.tie_candidates:
        return None
    if any(c.kind == "rotation" for c in profile.connections):
        return None
    # the best-ranked program whose row has no caveat: a rotation is months of work, and an old
    # "did not take part" or no visa listed may mean the program cannot take the applicant
    target = counts.connection_target or counts.tie_candidates[0]
    return PlanStep(
        id="connection",
        title=f"Build a connection at {target.name}",
        actions=(
            f"Ask for a hands-on rotation or externship at {target.name}"
            + (f" ({target.city}, {target.state})" if target.city and target.state else "")
            + ", or at another program you will apply to.",
            *_passed_over_words(counts, target),
            "Contact alumni of your school in its department, and faculty whose work you know.",
            "Name the program as a connection in your profile so your list counts it.",
        ),
        why="Applicants who matched often credit a person: a program where they rotated, an "
        "alumnus, a faculty contact. SmartPick counts a rotation at a program like that "
        "program's own in-state effect (2026 evidence, at most five times the odds), and an "
        "alumni or faculty contact half of it.",
        guide="A core list of programs where you have personal connections, USCE, or research. "
        "Connect with alumni from your school who are now in US academia.",
        duration_months=(1, 3),
        change={"add_connection": f"{target.program_id}:rotation"},
        details={"program_id": target.program_id, "name": target.name, "kind": "rotation"},
    )


def _passed_over_words(counts: CatalogCounts, target: TieProgram) -> tuple[str, ...]:
    """Why the step names `target` and not a program ranked above it (each has a caveat), or
    `target`'s own caveat when every program has one."""
    if target.caveat is not None:
        return (f"Check first that it can take you: {_lower_first(target.caveat)}.",)
    passed = counts.connection_passed_over
    if not passed:
        return ()
    first = passed[0]
    above = (
        f"{first.name} ranks above it for you"
        if len(passed) == 1
        else f"{len(passed)} programs rank above it for you (the first, {first.name})"
    )
    return (
        f"It is the program with your best interview chance where a rotation counts as a tie and "
        f"nothing casts doubt on whether it can take you: {above}, but "
        f"{_lower_first(first.caveat or '')}.",
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def letters_step(profile: ApplicantProfile) -> PlanStep | None:
    """2-3 US letters in the specialty, when the applicant has fewer than three."""
    if letters_in_first(profile) >= LETTERS_TARGET:
        return None
    first = profile.specialties[0] if profile.specialties else "your specialty"
    return PlanStep(
        id="letters",
        title=f"Get {LETTERS_TARGET} US letters in {first}",
        actions=(
            f"Aim for {LETTERS_TARGET} letters from US faculty in {first}, ideally at a state "
            f"university or public program (you have {letters_in_first(profile)}).",
            "Give each writer your CV, personal statement draft and a bullet list of the cases "
            "and projects you worked on with them.",
            _letters_plea(profile),
        ),
        why=(
            "With below average board scores or a failed attempt, letters can dramatically "
            "influence how program directors see you"
            if low_scores(profile)
            else "Letters from US faculty are what program directors read next to your scores"
        )
        + "; they should speak to reliability, clinical reasoning and growth.",
        guide="At least 2-3 LoRs from US faculty, ideally: At a state university residency or "
        "public medical school program. In the specialty you're applying to.",
        duration_months=(2, 4),
        change={"us_letters_in_specialty": LETTERS_TARGET},
        details={"current": letters_in_first(profile), "target": LETTERS_TARGET},
    )


def _letters_plea(profile: ApplicantProfile) -> str:
    """The guide's plea to letter writers, in the applicant's own group (the guide's words are
    for non-US citizen IMGs)."""
    who = {"non_us_img": "as a non-US citizen IMG, ", "us_img": "as an IMG, "}
    return (
        f"Explain politely that {who.get(profile.applicant_type, '')}strong detailed letters "
        "are crucial."
    )


def research_step(profile: ApplicantProfile) -> PlanStep | None:
    """An abstract or poster in 6-12 months, when scores are below strong and research is thin."""
    if profile.research_items >= 2 or not below_strong(profile):
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
        why="The guide calls research a significant plus for state university programs when "
        "scores are low, and the department where you do it becomes a connection.",
        guide="Short-term research positions: 6-12 months in a lab or clinical research office at "
        "a state university. Focus on generating at least one: Abstract, Poster, Publication.",
        duration_months=(6, 12),
        change={"posters": profile.posters + 1},
        details={"current_items": profile.research_items},
    )


def service_step(profile: ApplicantProfile) -> PlanStep | None:
    """Languages and service to underserved communities: for applicants building a profile, and
    for anyone whose languages fit a program's patients."""
    others = [lang for lang in profile.languages if lang.casefold() != "english"]
    if not (below_strong(profile) or profile.failed_attempts or others):
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
