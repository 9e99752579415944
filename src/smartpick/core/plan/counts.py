"""What the catalog says about one of the applicant's specialties: visa policies and where they
come from, the programs the hard rules shut, and the programs where USCE would count as a tie.

Shut programs are the model's own verdicts (`Assessment.exclusion_rules`): the programs the
results page counts as "ruled out by a rule they state", so the plan and the results always agree
on which programs are closed and why. What no applicant changes (the specialty's programs, their
visa policies and sources, stated facts) is worked out once per list of programs and visa need,
and kept for the process (`_specialty_side`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from smartpick.core.chances.reasons import caveats
from smartpick.core.plan.types import CatalogCounts, TieProgram
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program
from smartpick.core.rules.eligibility import DEFAULT_TRACKS, RuleFacts, check, cite
from smartpick.core.rules.policy import fact_possibly_outdated
from smartpick.core.rules.screens import ScreenedApplicant, screened, screens
from smartpick.core.rules.visas import specialty_visa_rates

TIE_PROGRAMS_SHOWN = 10
TIE_SETTINGS = ("university", "university_affiliated_community")
# Lists of programs whose side is kept (the bundled catalog has one per specialty; a user's import
# makes new program objects, so the oldest side is dropped past this many).
SIDES_KEPT = 64
VISA_RULES = frozenset({"visa", "h1b_step3"})  # the hard rules a visa need brings


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


def _visa_sources(ps: Sequence[Program], visa: str) -> tuple[str, ...]:
    """The sources (with their year) of the stated visa policies an applicant with this need
    reads, most programs first."""
    kinds = {"j1": ("j1",), "h1b": ("h1b",), "either": ("j1", "h1b")}.get(visa, ())
    found: Counter[str] = Counter()
    for p in ps:
        for kind in kinds:
            fact = getattr(p, f"visa_{kind}")
            if fact.value is not None and fact.source:
                found[cite(fact.source, fact.year)] += 1
    return tuple(source for source, _ in found.most_common())


@dataclass(frozen=True)
class _SpecialtySide:
    """A specialty's programs as any applicant with one visa need sees them."""

    programs: tuple[Program, ...]  # the list it was made from (keeps the ids in the key alive)
    ps: tuple[Program, ...]  # the specialty's programs in the default tracks
    rates: dict[str, float]
    ties: tuple[Program, ...]  # programs that could be ties, before ordering
    fixed: CatalogCounts  # the counts no applicant changes (the others still zero)
    screened: dict[ScreenedApplicant, dict[str, int]] = field(default_factory=dict)


_sides: dict[tuple[object, ...], _SpecialtySide] = {}


def _specialty_side(specialty: str, programs: Sequence[Program], visa: str) -> _SpecialtySide:
    key = (specialty, visa, *map(id, programs))
    side = _sides.get(key)
    if side is not None:
        return side
    rates = specialty_visa_rates([p for p in programs if p.specialty == specialty])
    ps = tuple(p for p in programs if p.specialty == specialty and p.track in DEFAULT_TRACKS)
    sponsors = tuple(_sponsors(p, visa) for p in ps)
    with_evidence = [p.interview_evidence for p in ps if p.interview_evidence is not None]
    fixed = CatalogCounts(
        specialty=specialty,
        programs_total=len(ps),
        visa_sponsoring=sum(1 for s in sponsors if s is True),
        visa_not_sponsoring=sum(1 for s in sponsors if s is False),
        visa_unknown=sum(1 for s in sponsors if s is None),
        h1b_programs=sum(1 for p in ps if p.visa_h1b.value == "yes"),
        opened_by_h1b=0,
        shut_by_visa=0,
        shut_by_any_rule=0,
        shut_by_graduation_limit=0,
        shut_by_usce_requirement=0,
        visa_sources=_visa_sources(ps, visa),
        stated_graduation_limits=sum(1 for p in ps if p.max_years_since_graduation.known),
        stated_min_scores=sum(1 for p in ps if p.min_step1.known or p.min_step2ck.known),
        stated_usce_requirements=sum(1 for p in ps if p.usce_required.known),
        evidence_programs=len(with_evidence),
        evidence_source=with_evidence[0].source if with_evidence else "",
        evidence_year=with_evidence[0].year if with_evidence else None,
        h1b_yes_possibly_outdated=sum(
            1 for p in ps if p.visa_h1b.value == "yes" and fact_possibly_outdated(p.visa_h1b.year)
        ),
    )
    ties = tuple(
        p
        for p, ok in zip(ps, sponsors, strict=True)
        if ok is not False and p.setting.value in TIE_SETTINGS
    )
    if len(_sides) >= SIDES_KEPT:
        _sides.pop(next(iter(_sides)), None)
    side = _sides[key] = _SpecialtySide(tuple(programs), ps, rates, ties, fixed)
    return side


def _screened_by(side: _SpecialtySide, applicant: ScreenedApplicant) -> dict[str, int]:
    """Per screen kind, the programs showing a screen this applicant would meet (kept per
    applicant side: it reads only the applicant's failed attempts, Step 2 CK and group)."""
    found = side.screened.get(applicant)
    if found is None:
        found = {}
        for p in side.ps:
            for kind in {s.kind for s in screens(applicant, p)}:
                found[kind] = found.get(kind, 0) + 1
        side.screened[applicant] = found
    return dict(found)


def _opened_by_either(
    profile: ApplicantProfile, side: _SpecialtySide, shut: Mapping[str, frozenset[str]]
) -> int:
    """The programs the visa rules alone shut that the same applicant accepting either visa could
    apply to (a J-1 applicant with Step 3 passed, as Step 3's H-1B option prices it; an H-1B
    applicant accepting a J-1 too, as the J-1 option prices it): the hard rules again."""
    if profile.visa not in ("j1", "h1b"):
        return 0
    either = replace(RuleFacts.of(profile), visa="either")
    if profile.visa == "j1":
        either = replace(either, h1b_blocked=None)
    return sum(
        1
        for p in side.ps
        if (rules := shut.get(p.id))
        and rules <= VISA_RULES
        and check(profile, p, side.rates, facts=either).eligible
    )


def _ties(
    profile: ApplicantProfile, side: _SpecialtySide, candidates: Sequence[Program]
) -> tuple[TieProgram, ...]:
    """The tie programs in order, each with its row's first caveat: the ones shown, and on to
    the first without a caveat (the connection step's program)."""
    facts = RuleFacts.of(profile)
    out: list[TieProgram] = []
    clear = False  # a program without a caveat is among them
    for p in candidates:
        if len(out) >= TIE_PROGRAMS_SHOWN and clear:
            break
        found = caveats(check(profile, p, side.rates, facts=facts))
        clear = clear or not found
        out.append(
            TieProgram(
                program_id=p.id,
                name=p.name,
                city=p.city.value,
                state=p.state.value,
                setting=p.setting.value,
                pct_non_us_img=p.pct_non_us_img.value,
                caveat=str(found[0]) if found else None,
            )
        )
    return tuple(out)


def catalog_counts(
    profile: ApplicantProfile,
    specialty: str,
    programs: Sequence[Program],
    *,
    shut: Mapping[str, frozenset[str]],
    p_interview: Mapping[str, float] | None = None,
) -> CatalogCounts:
    """Visa, H-1B and rule counts for one of the applicant's specialties (`programs`: all its
    tracks), and the programs that would be ties.

    `shut`: the hard rules that rule out each program for this applicant, as the model applied
    them (`Assessment.exclusion_rules`); `p_interview` orders the tie programs."""
    side = _specialty_side(specialty, programs, profile.visa)
    rules = [shut.get(p.id, frozenset()) for p in side.ps]
    candidates = list(side.ties)
    if p_interview:
        candidates.sort(key=lambda p: (-p_interview.get(p.id, 0.0), p.id))
    else:
        candidates.sort(key=lambda p: (-(p.pct_non_us_img.value or 0.0), p.id))
    ties = _ties(profile, side, candidates)
    target = next((t for t in ties if t.caveat is None), None)
    opened = _opened_by_either(profile, side, shut)
    return replace(
        side.fixed,
        opened_by_h1b=opened if profile.visa == "j1" else 0,
        opened_by_j1=opened if profile.visa == "h1b" else 0,
        shut_by_visa=sum(1 for r in rules if r & VISA_RULES),
        shut_by_any_rule=sum(1 for r in rules if r),
        shut_by_graduation_limit=sum(1 for r in rules if "graduation_limit" in r),
        shut_by_usce_requirement=sum(1 for r in rules if "usce_required" in r),
        tie_candidates=ties[:TIE_PROGRAMS_SHOWN],
        connection_target=target,
        connection_passed_over=ties[: ties.index(target) if target else len(ties)],
        screened=_screened_by(side, screened(profile)),
    )
