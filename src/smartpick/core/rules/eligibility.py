"""Eligibility: the hard rules that remove a program, and the visa factor that only lowers chances.

Hard rules (the program is excluded, the reason is kept with its source):
- the program does not consider the visa the applicant needs (a stated "no");
- the applicant needs an H-1B (only) and has not passed Step 3 (`rules.visas`): H-1B sponsorship
  for residency requires a passed Step 3 before the petition, so no program can take them on an
  H-1B;
- a minimum Step 1 / Step 2 CK score, a graduation-year limit or a USCE requirement stated by the
  program (from the user's own imported facts) that the applicant does not meet; a USCE
  requirement is met by hands-on months only (`meets_usce_requirement`);
- the program does not take part in ERAS or the NRMP Match, or is not accepting applications,
  according to a source less than `STALE_YEARS` years older than the Match (an older "no", e.g.
  AAMC 2021, is often an artefact: it is shown as a warning and lowers confidence instead);
- the program is a military one (it fills through the military's own selection).

Unknown facts never exclude and are never shown as known: an unknown visa policy counts with the
specialty's acceptance rate and lowers confidence. FREIDA's empty visa list ("none_listed") is not a
stated "no": it is a strong penalty, the program considering J-1 with probability 13/108 and H-1B
with 1/108 (`rules.visas.NONE_LISTED`: the AAMC 2021 answers of 108 such IM programs).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Fact, Program, VisaStatus
from smartpick.core.rules.visas import (
    H1B_SOURCE,
    NONE_LISTED,
    VISA_BASE_RATE,
    VISA_LABEL,
    none_listed_probability,
)

# The tracks an applicant applies to unless they ask for others (one-year preliminary positions
# are a separate choice).
DEFAULT_TRACKS = ("categorical",)
STALE_YEARS = 4  # a participation "no" older than this many years before the Match only warns

Direction = Literal["+", "-", "?", "x"]  # raises, lowers, unknown, excludes
# Which hard rule an exclusion comes from (the advisor counts programs shut per rule).
Rule = Literal[
    "visa",
    "h1b_step3",
    "min_step1",
    "min_step2ck",
    "graduation_limit",
    "usce_required",
    "military",
    "participation",
]


@dataclass(frozen=True)
class Reason:
    """One reason behind a program's probability, with where it comes from."""

    text: str
    source: str | None = None
    year: int | None = None
    direction: Direction = "+"
    weight: float = 0.0  # size on the log-odds scale, to pick the top reasons
    rule: Rule | None = None  # for exclusions: the hard rule behind it

    def __str__(self) -> str:
        if self.source is None:
            return self.text
        return f"{self.text} ({cite(self.source, self.year)})"


def cite(source: str, year: int | None) -> str:
    """A source as shown: "FREIDA 2025", or "name year" for a source named without its year."""
    # A source named with its edition ("AAMC Residency Explorer 2021") keeps its own year.
    dated = year is None or re.search(r"\b(19|20)\d\d\b", source) is not None
    return source if dated else f"{source} {year}"


@dataclass(frozen=True)
class Eligibility:
    """Whether a program can take the applicant, and the visa factor on its interview chance."""

    eligible: bool
    exclusions: tuple[Reason, ...]
    visa_factor: float  # P(the program considers the applicant's visa); 1 without a visa need
    soft_reasons: tuple[Reason, ...]  # visa and stale-data warnings (not exclusions)
    unknowns: tuple[str, ...]


def meets_usce_requirement(profile: ApplicantProfile) -> bool:
    """A program's "US clinical experience required" is met by hands-on months only: an
    observership involves no patient care (effects.py, `observership_weight`)."""
    return profile.usce_hands_on_months > 0


def h1b_step3_reason(profile: ApplicantProfile) -> Reason:
    """Why no program can sponsor an H-1B for this applicant yet (no passed Step 3)."""
    mark = profile.pass_mark("step3")
    if profile.step3 is None:
        text = f"H-1B needs a passed Step 3 ({mark.text}); no Step 3 score is in your profile"
    else:
        text = f"H-1B needs a passed Step 3 ({mark.text}); your Step 3 {profile.step3} is below it"
    return Reason(text, H1B_SOURCE, None, "x", 9.0, "h1b_step3")


@dataclass(frozen=True)
class RuleFacts:
    """What the hard rules read from the applicant, worked out once for the many programs one
    request checks (the Step 3 pass parses test dates). Made per call; kept no longer than one
    request (`predict.shared_checks`)."""

    visa: str
    step1: int | None  # the numeric score only
    step2ck: int | None
    years_since_graduation: int
    usce_met: bool  # `meets_usce_requirement`
    stale_before: int  # a participation "no" of an earlier year only warns (`STALE_YEARS`)
    h1b_blocked: Reason | None  # `h1b_step3_reason` when an H-1B is asked for and Step 3 not passed

    @classmethod
    def of(cls, profile: ApplicantProfile) -> RuleFacts:
        """The facts of `profile`."""
        blocked = None
        if profile.visa in ("h1b", "either") and not profile.step3_passed:
            blocked = h1b_step3_reason(profile)
        return cls(
            visa=profile.visa,
            step1=profile.step1_score,
            step2ck=profile.step2ck,
            years_since_graduation=profile.years_since_graduation,
            usce_met=meets_usce_requirement(profile),
            stale_before=profile.match_year - STALE_YEARS,
            h1b_blocked=blocked,
        )


def _visa_one(
    kind: str, fact: Fact[VisaStatus], base_rate: float, applicant: RuleFacts
) -> tuple[float, Reason, bool]:
    """(P(considered), reason, hard exclusion) for one visa type."""
    if kind == "h1b" and applicant.h1b_blocked is not None and fact.value != "no":
        return 0.0, applicant.h1b_blocked, True
    return _visa_policy(kind, fact.value, fact.source, fact.year, base_rate)


@functools.lru_cache(maxsize=1024)  # a catalog states a few dozen (policy, source, year)s
def _visa_policy(
    kind: str, value: VisaStatus | None, source: str | None, year: int | None, base_rate: float
) -> tuple[float, Reason, bool]:
    """`_visa_one` for a program's stated visa policy (nothing of the applicant's but the visa
    asked for)."""
    label = VISA_LABEL[kind]
    if value == "yes":
        return 1.0, Reason(f"{label} considered", source, year, "+", 0.5), False
    if value == "no":
        return 0.0, Reason(f"{label} not considered", source, year, "x", 9.0, "visa"), True
    if value == "none_listed":
        p = none_listed_probability(kind)
        yes, no = NONE_LISTED[kind]
        text = (
            f"No visa listed: {no} of {yes + no} such programs did not consider {label} "
            f"(AAMC 2021); counted as a {p:.0%} chance that {label} is considered"
        )
        return p, Reason(text, source, year, "-", 2.1 if kind == "j1" else 4.0), False
    text = f"{label} policy unknown: counted at the specialty's rate ({base_rate:.0%})"
    return base_rate, Reason(text, None, None, "?", 0.4), False


def check(
    profile: ApplicantProfile,
    program: Program,
    visa_base_rates: dict[str, float] | None = None,
    *,
    facts: RuleFacts | None = None,
) -> Eligibility:
    """Apply the hard rules and compute the visa factor for one program; `facts`:
    `RuleFacts.of(profile)`, given when checking many programs for one profile."""
    applicant = facts or RuleFacts.of(profile)
    rates = visa_base_rates or VISA_BASE_RATE
    exclusions: list[Reason] = []
    unknowns: list[str] = []
    soft_reasons: list[Reason] = []
    factor = 1.0

    if applicant.visa in ("j1", "h1b"):
        fact = program.visa_j1 if applicant.visa == "j1" else program.visa_h1b
        factor, reason, hard = _visa_one(applicant.visa, fact, rates[applicant.visa], applicant)
        (exclusions if hard else soft_reasons).append(reason)
        if fact.value is None:
            unknowns.append(f"{VISA_LABEL[applicant.visa]} policy")
    elif applicant.visa == "either":
        p_j1, r_j1, hard_j1 = _visa_one("j1", program.visa_j1, rates["j1"], applicant)
        p_h1b, r_h1b, hard_h1b = _visa_one("h1b", program.visa_h1b, rates["h1b"], applicant)
        if hard_j1 and hard_h1b:
            exclusions.extend((r_j1, r_h1b))
            factor = 0.0
        else:
            factor = 1.0 - (1.0 - p_j1) * (1.0 - p_h1b)
            soft_reasons.extend(r for r, hard in ((r_j1, hard_j1), (r_h1b, hard_h1b)) if not hard)
        if program.visa_j1.value is None and program.visa_h1b.value is None:
            unknowns.append("visa policy")

    exclusions.extend(_stated_limits(applicant, program))

    if program.setting.value == "military":
        exclusions.append(
            Reason(
                "Military program: it fills through the military's own selection, not ERAS/NRMP",
                program.setting.source,
                program.setting.year,
                "x",
                9.0,
                "military",
            )
        )
    applied_to = _applications_counted_in(program)
    for attr, label, was, topic in (
        (
            "eras",
            "Does not take applications through ERAS",
            "Did not take applications through ERAS",
            "ERAS participation",
        ),
        (
            "nrmp",
            "Does not take part in the NRMP Main Match",
            "Did not take part in the NRMP Main Match",
            "NRMP Match participation",
        ),
        (
            "accepting_applications",
            "Not accepting applications",
            "Was not accepting applications",
            "accepting applications",
        ),
    ):
        flag: Fact[bool] = getattr(program, attr)
        if flag.value is not False:
            continue
        if flag.year is not None and flag.year < applicant.stale_before:
            if attr != "nrmp" and applied_to is not None and applied_to > flag.year:
                continue  # a later cycle's ERAS applications answer the old "no"

            # An old "no" (AAMC 2021) is often a data artefact: flag it, do not exclude on it.
            soft_reasons.append(
                Reason(
                    f"{was} in {flag.year}: check its current status", flag.source, None, "?", 1.0
                )
            )
            unknowns.append(f"{topic} after {flag.year}")  # the old "no" is said above
        else:
            exclusions.append(Reason(label, flag.source, flag.year, "x", 9.0, "participation"))
    return Eligibility(
        eligible=not exclusions,
        exclusions=tuple(exclusions),
        visa_factor=factor if not exclusions else 0.0,
        soft_reasons=tuple(soft_reasons),
        unknowns=tuple(unknowns),
    )


def _applications_counted_in(program: Program) -> int | None:
    """The ERAS cycle whose applications to the program its 2026 figures count (it took ERAS
    applications then), or None."""
    evidence = program.interview_evidence
    return None if evidence is None else evidence.year


def rule_key(program: Program, visa: str = "either") -> tuple[object, ...]:
    """What `check` reads from a program for an applicant who needs `visa`: programs with equal
    keys get equal results for every such applicant (so the rules run once per key,
    `tests/rules/test_eligibility_groups.py`)."""

    def full(fact: Fact[Any]) -> tuple[object, ...]:
        return (fact.value, fact.source, fact.year)

    def when(fact: Fact[Any], value: object) -> tuple[object, ...] | None:
        return (fact.source, fact.year) if fact.value is value else None

    def stated(fact: Fact[Any]) -> tuple[object, ...] | None:
        return full(fact) if fact.value is not None else None

    return (
        full(program.visa_j1) if visa in ("j1", "either") else None,
        full(program.visa_h1b) if visa in ("h1b", "either") else None,
        stated(program.min_step1),
        stated(program.min_step2ck),
        stated(program.max_years_since_graduation),
        when(program.usce_required, True),
        (program.setting.source, program.setting.year)
        if program.setting.value == "military"
        else None,
        when(program.eras, False),
        when(program.nrmp, False),
        when(program.accepting_applications, False),
        _applications_counted_in(program)
        if False in (program.eras.value, program.accepting_applications.value)
        else None,
    )


def _stated_limits(applicant: RuleFacts, program: Program) -> list[Reason]:
    """Limits the program states (user-imported facts) that the applicant fails."""
    out: list[Reason] = []
    f1 = program.min_step1
    if f1.value is not None and applicant.step1 is not None and applicant.step1 < f1.value:
        out.append(
            Reason(
                f"Step 1 {applicant.step1} is below its minimum {f1.value}",
                f1.source,
                f1.year,
                "x",
                9.0,
                "min_step1",
            )
        )
    f2 = program.min_step2ck
    if f2.value is not None and applicant.step2ck is not None and applicant.step2ck < f2.value:
        out.append(
            Reason(
                f"Step 2 CK {applicant.step2ck} is below its minimum {f2.value}",
                f2.source,
                f2.year,
                "x",
                9.0,
                "min_step2ck",
            )
        )
    fy = program.max_years_since_graduation
    if fy.value is not None and applicant.years_since_graduation > fy.value:
        out.append(
            Reason(
                f"Graduated {applicant.years_since_graduation} years before the Match; it takes "
                f"at most {fy.value}",
                fy.source,
                fy.year,
                "x",
                9.0,
                "graduation_limit",
            )
        )
    fu = program.usce_required
    if fu.value is True and not applicant.usce_met:
        out.append(
            Reason(
                "Requires US clinical experience (hands-on; an observership does not count)",
                fu.source,
                fu.year,
                "x",
                9.0,
                "usce_required",
            )
        )
    return out
