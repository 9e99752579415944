"""What the catalog says about the applicant's first specialty: visa policies, the programs the
eligibility rules shut, and the programs where USCE would count as a tie.

Shut programs are counted with `rules.eligibility.check`, the same rules the model applies, so the
plan and the chances always agree on which programs are closed and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from smartpick.core.plan.types import CatalogCounts, TieProgram
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import DEFAULT_TRACKS, check, rule_key
from smartpick.core.rules.policy import fact_possibly_outdated
from smartpick.core.rules.screens import screened, screens
from smartpick.core.rules.visas import specialty_visa_rates

TIE_PROGRAMS_SHOWN = 10
TIE_SETTINGS = ("university", "university_affiliated_community")


def _sponsors(p: Program, visa: str) -> bool | None:
    """True/False when the catalog states it; None when unknown."""
    j1, h1b = p.visa_j1.value, p.visa_h1b.value
    if visa == "none":
        return True
    if visa == "j1":
        return None if j1 is None else j1 == "yes"
    if visa == "h1b":
        return None if h1b is None else h1b == "yes"
    if j1 == "yes" or h1b == "yes":
        return True
    return None if j1 is None or h1b is None else False


def catalog_counts(
    profile: ApplicantProfile,
    programs: Sequence[Program],
    *,
    p_interview: Mapping[str, float] | None = None,
) -> CatalogCounts:
    """Visa, H-1B and rule counts for the first specialty (`programs`: all its tracks), and the
    programs that would be ties."""
    specialty = profile.specialties[0]
    rates = specialty_visa_rates([p for p in programs if p.specialty == specialty])
    ps = [p for p in programs if p.specialty == specialty and p.track in DEFAULT_TRACKS]
    sponsors = [_sponsors(p, profile.visa) for p in ps]
    # Programs with equal rule keys get equal results, so the rules run once per key.
    by_key: dict[tuple[object, ...], set[str | None]] = {}
    rules = []
    for p in ps:
        key = rule_key(p, profile.visa)
        if key not in by_key:
            by_key[key] = {r.rule for r in check(profile, p, rates).exclusions}
        rules.append(by_key[key])
    candidates = [
        p
        for p, ok in zip(ps, sponsors, strict=True)
        if ok is not False and p.setting.value in TIE_SETTINGS
    ]
    if p_interview:
        candidates.sort(key=lambda p: (-p_interview.get(p.id, 0.0), p.id))
    else:
        candidates.sort(key=lambda p: (-(p.pct_non_us_img.value or 0.0), p.id))
    ties = tuple(
        TieProgram(
            program_id=p.id,
            name=p.name,
            city=p.city.value,
            state=p.state.value,
            setting=p.setting.value,
            pct_non_us_img=p.pct_non_us_img.value,
        )
        for p in candidates[:TIE_PROGRAMS_SHOWN]
    )
    applicant = screened(profile)  # the applicant's side once, not once per program
    screened_by: dict[str, int] = {}
    for p in ps:
        for kind in {s.kind for s in screens(applicant, p)}:
            screened_by[kind] = screened_by.get(kind, 0) + 1
    with_evidence = [p.interview_evidence for p in ps if p.interview_evidence is not None]
    return CatalogCounts(
        specialty=specialty,
        programs_total=len(ps),
        visa_sponsoring=sum(1 for s in sponsors if s is True),
        visa_not_sponsoring=sum(1 for s in sponsors if s is False),
        visa_unknown=sum(1 for s in sponsors if s is None),
        h1b_programs=sum(1 for p in ps if p.visa_h1b.value == "yes"),
        h1b_only_programs=sum(
            1 for p in ps if p.visa_h1b.value == "yes" and p.visa_j1.value != "yes"
        ),
        shut_by_visa=sum(1 for r in rules if r & {"visa", "h1b_step3"}),
        shut_by_graduation_limit=sum(1 for r in rules if "graduation_limit" in r),
        shut_by_usce_requirement=sum(1 for r in rules if "usce_required" in r),
        tie_candidates=ties,
        stated_graduation_limits=sum(1 for p in ps if p.max_years_since_graduation.known),
        stated_min_scores=sum(1 for p in ps if p.min_step1.known or p.min_step2ck.known),
        stated_usce_requirements=sum(1 for p in ps if p.usce_required.known),
        evidence_programs=len(with_evidence),
        evidence_source=with_evidence[0].source if with_evidence else "",
        evidence_year=with_evidence[0].year if with_evidence else None,
        screened=screened_by,
        h1b_yes_possibly_outdated=sum(
            1 for p in ps if p.visa_h1b.value == "yes" and fact_possibly_outdated(p.visa_h1b.year)
        ),
    )
