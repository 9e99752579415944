"""The reasons shown with a program's chances, in plain words with their sources.

Order: the program's 2026 evidence first ("Invited 2% of 1,165 non-US IMG applicants in 2026
(AAMC Residency Explorer, 2026 cycle)", for the applicant's own type where the program publishes
it, and the Step 2 CK range of the applicants of that type it invited), the visa facts, then the
program's own signal, failed-attempt, geographic and home-state figures where they bear on this
applicant, then older proxies (residents' mix, share interviewed). A program without 2026 figures
says so: its range is wider. Applicant-level reasons (the score against the specialty's matched
applicants, the assumed effects of the applicant's file) follow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from smartpick.core.chances.effects import EFFECTS_SOURCE, REFERENCE
from smartpick.core.chances.evidence import invited_bounds, type_rate
from smartpick.core.chances.outcomes import (
    other_group_step2ck,
    pooled_step2ck_medians,
    unpublished_step2ck,
)
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program, RateCount, once_per_program
from smartpick.core.rules.certification import missing_step2ck_words
from smartpick.core.rules.eligibility import Direction, Eligibility, Reason
from smartpick.core.rules.usmle import Exam

TYPE_LABEL = {"non_us_img": "non-US IMG", "us_img": "US IMG", "us_md": "US MD", "us_do": "US DO"}
PLUS: Direction = "+"
MINUS: Direction = "-"
UNKNOWN: Direction = "?"
EXAM_NAMES: tuple[tuple[Exam, str], ...] = (
    ("step1", "Step 1"),
    ("step2ck", "Step 2 CK"),
    ("step3", "Step 3"),
)


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.0f}%"


def _rate(table: Mapping[str, RateCount], key: str) -> float | None:
    rc = table.get(key)
    return None if rc is None else rc.rate


def _both(table: Mapping[str, RateCount], a: str, b: str) -> tuple[float, float] | None:
    """The rates of `a` and `b`, None unless the program publishes both."""
    first, second = _rate(table, a), _rate(table, b)
    return None if first is None or second is None else (first, second)


# A reason with its text as shown (with its source).
Said = tuple[Reason, str]


def said(r: Reason) -> Said:
    """A reason with its text as shown."""
    return r, str(r)


def _cite(source: str | None, year: int | None) -> str:
    """What `str(Reason)` appends to a text with this source and year (" (source year)")."""
    return str(Reason("", source, year))


@dataclass(frozen=True)
class ProgramReasons:
    """A program's reasons that no applicant changes (`program_reasons`): per applicant type
    its 2026 invitation rate and sentence, its invited Step 2 CK range and the older proxies;
    its 2026 signal, failed-attempt, geographic and home-state sentences."""

    older: dict[str, tuple[Said, ...]]  # per applicant type: `older_proxies`
    cite: str  # what each reason's text is shown with: " (source year)"
    invited: dict[str, tuple[float, Said, Said]]  # per type: rate, above / below the pooled one
    step2ck: dict[str, tuple[float, float, str, str]]  # per type: q1, q3, the range, reliability
    signal: Said | None
    failed: tuple[Said | None, Said | None]  # Step 1, Step 2 CK
    geographic: tuple[Said, Said] | None  # for a program in / outside the applicant's areas
    home_state: Said | None


def _program_reasons(p: Program) -> ProgramReasons:
    """The program's applicant-independent reasons, written once per process."""
    older = {kind: tuple(map(said, older_proxies(p, kind))) for kind in RESIDENT_SHARE}
    ev = p.interview_evidence
    if ev is None:
        return ProgramReasons(older, "", {}, {}, None, (None, None), None, None)
    src, year = ev.source, ev.year
    invited: dict[str, tuple[float, Said, Said]] = {}
    step2ck: dict[str, tuple[float, float, str, str]] = {}
    for kind, label in TYPE_LABEL.items():
        rc = type_rate(ev, kind)
        if rc is None or rc.rate is None or rc.applicants is None:
            continue
        text = f"Invited {_pct(rc.rate)} of {rc.applicants:,} {label} applicants in {year}"
        if rc.rate < 0.01:
            lo, hi = invited_bounds(ev, kind)
            text += f" ({lo} people)" if lo == hi else f" ({lo}-{hi} people)"
        above = Reason(text, src, year, PLUS, 10.0)
        invited[kind] = (rc.rate, said(above), said(replace(above, direction=MINUS)))
        r = ev.step2ck_invited.get(kind)
        if r is not None and r.q1 is not None and r.q3 is not None:
            where = (
                f"the {label} applicants it invited in {year} (middle half {r.q1:.0f}-{r.q3:.0f})"
            )
            flag = "" if r.reliable else "; the site flags this range as less reliable"
            step2ck[kind] = (r.q1, r.q3, where, flag)
    sig, signal = ev.signal, None
    if "gold" in sig or "silver" in sig:
        text = (
            f"It interviewed {_pct(_rate(sig, 'gold'))} of applicants who sent a gold signal, "
            f"{_pct(_rate(sig, 'silver'))} with silver, {_pct(_rate(sig, 'none'))} without "
            f"(all applicant types, {year})"
        )
        signal = said(Reason(text, src, year, PLUS, 1.0))
    elif "sent" in sig:
        text = (
            f"It interviewed {_pct(_rate(sig, 'sent'))} of applicants who signalled it and "
            f"{_pct(_rate(sig, 'none'))} of those who did not (all applicant types, {year})"
        )
        signal = said(Reason(text, src, year, PLUS, 1.0))
    failed: list[Said | None] = []
    for exam, table in (("Step 1", ev.step1_failed), ("Step 2 CK", ev.step2ck_failed)):
        both = _both(table, "ever", "never")
        failed.append(
            None
            if both is None
            else said(
                Reason(
                    f"It interviewed {_pct(both[0])} of applicants who ever failed {exam} and "
                    f"{_pct(both[1])} of those who never did (all applicant types, {year})",
                    src,
                    year,
                    MINUS if both[0] < both[1] else PLUS,
                    3.0,
                )
            )
        )
    both = _both(ev.geographic, "aligned", "not_aligned")
    geographic = None
    if both is not None:
        inside = Reason(
            f"It interviewed {_pct(both[0])} of applicants whose stated region was its own "
            f"and {_pct(both[1])} of those who stated another (all applicant types, {year})",
            src,
            year,
            PLUS,
            2.0,
        )
        geographic = (said(inside), said(replace(inside, direction=MINUS)))
    both = _both(ev.home_state, "in_state", "out_of_state")
    home = None
    if both is not None:
        text = (
            f"It interviewed {_pct(both[0])} of in-state applicants and {_pct(both[1])} "
            f"of others (all applicant types, {year})"
        )
        home = said(Reason(text, src, year, PLUS, 2.0))
    return ProgramReasons(
        older,
        _cite(src, year),
        invited,
        step2ck,
        signal,
        (failed[0], failed[1]),
        geographic,
        home,
    )


# Every applicant type's at once, so what is kept holds only catalog data.
program_reasons = once_per_program(_program_reasons)


# What stands for a reason that was not made, its text alone being read (`evidence_reasons`).
UNWRITTEN = Reason("")


def evidence_reasons(
    p: Program,
    profile: ApplicantProfile,
    pooled: float,
    failed: tuple[float, float],
    *,
    text_only: bool = False,
) -> list[Said]:
    """The program's 2026 figures that bear on this applicant (empty without 2026 data). With
    `text_only` the one written for this applicant alone (the Step 2 CK against the program's
    invited range) comes with `UNWRITTEN` for its reason: a listed program shows text only, and
    making a `Reason` (a frozen dataclass) costs more than the rest of its figures."""
    c = program_reasons(p)
    kind = profile.applicant_type
    found = c.invited.get(kind)
    if found is None:  # a program without 2026 figures has none for any type
        return []
    rate, above, below = found
    out = [above if rate >= pooled else below]
    invited = c.step2ck.get(kind)
    if invited is not None:
        q1, q3, where, flag = invited
        s = profile.step2ck
        sign: Direction
        if s is None:
            text, sign = f"Step 2 CK of {where}", UNKNOWN
        elif s < q1:
            text, sign = f"Step 2 CK {s} is below {where}", MINUS
        elif s > q3:
            text, sign = f"Step 2 CK {s} is above {where}", PLUS
        else:
            text, sign = f"Step 2 CK {s} is within {where}", PLUS
        text += flag
        if text_only:
            reason = UNWRITTEN
        else:
            ev = p.interview_evidence
            assert ev is not None  # its figures come from it
            reason = Reason(text, ev.source, ev.year, sign, 5.0)
        out.append((reason, text + c.cite))
    if c.signal is not None:
        out.append(c.signal)
    step1, step2 = c.failed
    if step1 is not None and failed[0]:
        out.append(step1)
    if step2 is not None and failed[1]:
        out.append(step2)
    if c.geographic is not None and (profile.preferred_regions or profile.preferred_states):
        inside = p.region.value in profile.preferred_regions or (
            p.state.value in profile.preferred_states
        )
        out.append(c.geographic[0 if inside else 1])
    if c.home_state is not None and p.state.value in profile.ties_states:
        out.append(c.home_state)
    return out


def _no_evidence_reason(layered: bool) -> Said:
    if layered:
        text = (
            "No 2026 interview figures for this program: its chance is predicted from older "
            "program facts, so its range is wider"
        )
    else:
        text = (
            "No program publishes 2026 interview figures in this specialty: the chance is "
            "predicted from older program facts and the specialty's calibration, so its range "
            "is wider"
        )
    return said(Reason(text, None, None, UNKNOWN, 0.8))


# Why a program's range is wide: no 2026 interview figures for it (by whether the specialty
# has 2026 program data).
NO_EVIDENCE = {layered: _no_evidence_reason(layered) for layered in (True, False)}

# A connection the applicant named at the program, by its kind.
CONNECTION = {
    kind: said(Reason(text, EFFECTS_SOURCE, None, PLUS, 1.5))
    for kind, text in {
        "rotation": "You rotated here (hands-on): programs know applicants they have seen work",
        "alumni": "You have an alumni connection here",
        "faculty": "A faculty member here knows your work",
        "other": "You named a connection here",
    }.items()
}


RESIDENT_SHARE = {
    "non_us_img": ("pct_non_us_img", "non-US IMGs"),
    "us_img": ("pct_us_img", "US IMGs"),
    "us_md": ("pct_us_md", "US MD graduates"),
    "us_do": ("pct_do", "DO graduates"),
}


def older_proxies(p: Program, kind: str = "non_us_img") -> list[Reason]:
    """The residents' share of the applicant's type and the share of applicants interviewed,
    with their sources."""
    out: list[Reason] = []
    attr, label = RESIDENT_SHARE[kind]
    share = getattr(p, attr)
    if share.value is not None:
        out.append(
            Reason(
                f"{share.value:.0f}% of residents are {label}", share.source, share.year, PLUS, 0.3
            )
        )
    elif kind == "non_us_img" and p.pct_img_any.value is not None:
        f = p.pct_img_any
        out.append(Reason(f"{f.value:.0f}% of residents are IMGs", f.source, f.year, PLUS, 0.3))
    interviewed = p.pct_interviewed
    if interviewed.value is not None:
        out.append(
            Reason(
                f"Interviews {interviewed.value:.0f}% of all its applicants",
                interviewed.source,
                interviewed.year,
                PLUS,
                0.2,
            )
        )
    return out


def score_reason(
    profile: ApplicantProfile,
    quartiles: tuple[float, float, float] | None,
    source: str,
    beta: float,
    specialty: str = "this specialty",
) -> Reason:
    """Step 2 CK against the specialty's matched quartiles (`beta`: the calibrated slope).

    `quartiles` None: the specialty's non-US IMG figures were not published, and the reason says
    so in the plan's words (`outcomes.unpublished_step2ck`), placing the score against the
    published all-specialty medians only. The figures are non-US IMGs': an applicant of another
    group is told plainly that the comparison is with them (the plan gives them no percentile)."""
    s = profile.step2ck
    if s is None:
        return Reason(
            missing_step2ck_words(profile),
            None,
            None,
            UNKNOWN,
            0.5,
        )
    other = (
        ""
        if profile.applicant_type == "non_us_img"
        else f"; {other_group_step2ck(profile.applicant_type)}, so you are compared with them"
    )
    if quartiles is None:
        med = pooled_step2ck_medians()[0]
        text = unpublished_step2ck(specialty, s) + other
        sign = MINUS if s < med else PLUS
        return Reason(text, source, None, sign, abs(beta * (s - med) / 10.0) + 0.3)
    q1, med, q3 = quartiles
    weight = abs(beta * (s - med) / 10.0)
    quarter = "in the lowest quarter" if s < q1 else "in the highest quarter" if s >= q3 else None
    if quarter is not None:
        bound = f"below {q1:.0f}" if s < q1 else f"{q3:.0f} or above"
        who = "matched applicants" if not other else "matched non-US IMGs"
        text = f"Step 2 CK {s} is {quarter} of this specialty's {who} ({bound}){other}"
    else:
        side = "below" if s < med else "above"
        if other:
            text = (
                f"Step 2 CK {s} is {side} the median of matched non-US IMGs in this specialty "
                f"({med:.0f}){other}"
            )
        else:
            text = f"Step 2 CK {s} is {side} this specialty's matched median ({med:.0f})"
    sign = MINUS if s < med else PLUS
    return Reason(text, source, None, sign, weight + 0.3)


def applicant_reasons(
    profile: ApplicantProfile, specialty: str, effects: Mapping[str, float], lam: float
) -> list[Reason]:
    """The assumed effects of the applicant's own file (scaled into their variance budget)."""
    e, ref = effects, REFERENCE
    out: list[Reason] = []

    def add(term: float, text: str) -> None:
        if abs(term) > 1e-9:
            out.append(Reason(text, EFFECTS_SOURCE, None, PLUS if term > 0 else MINUS, abs(term)))

    hands_on, obs = profile.usce_hands_on_months, profile.usce_observership_months
    months = hands_on + e["observership_weight"] * obs
    add(
        lam * e["usce_hands_on_per_month"] * (min(months, 6.0) - ref.usce_hands_on_months),
        f"US clinical experience: {hands_on:g} months hands-on, {obs:g} observership "
        "(typical: 3 hands-on)",
    )
    in_spec = profile.letters_in(specialty)
    add(
        lam
        * (
            e["us_letter"] * (min(profile.us_letters, 4) - ref.us_letters)
            + e["us_letter_in_specialty"] * (min(in_spec, 3) - ref.us_letters_in_specialty)
        ),
        f"{profile.us_letters} US letters, {in_spec} in {specialty} (typical: 3, 2 in specialty)",
    )
    years = profile.years_since_graduation
    add(
        lam * e["years_since_graduation"] * (min(max(years, 1), 10) - ref.years_since_graduation),
        f"Graduated {years} years before the Match (typical: 3)",
    )
    if profile.step3_passed and profile.step3 is not None:
        gain = min(max((profile.step3 - ref.step3_reference) / 10.0, 0.0), 3.0)
        add(
            lam * (e["step3_passed"] + e["step3_per_10_points"] * gain),
            f"Step 3 passed ({profile.step3})",
        )
    if isinstance(profile.step1, int):
        add(
            lam * e["step1_per_10_points"] * min(max((profile.step1 - 220) / 10.0, -3.0), 3.0),
            f"Step 1 {profile.step1} (220 is typical; below 215 is low in the guide)",
        )
    return out


def failed_reason(
    profile: ApplicantProfile, specialty: str, typical: float, layered: bool
) -> Reason:
    """The applicant's failed USMLE attempts (counted by the one rule, `profile.failed_attempts`)
    and what they cost at a typical program: `typical` is the median log-odds effect."""
    n = profile.failed_attempts
    exams = ", ".join(name for exam, name in EXAM_NAMES if profile.failed_attempts_at(exam) > 0)
    share = math.exp(typical)
    where = (
        "; each program that publishes 2026 figures is judged by its own rate for them"
        if layered
        else f" (estimated from how many {specialty} programs screen out a failed attempt, "
        "against Internal Medicine's 2026 figures)"
    )
    text = (
        f"{n} failed USMLE attempt{'s' if n > 1 else ''} ({exams}): a typical {specialty} program "
        f"invites applicants who ever failed at about {share:.0%} of the odds of the others{where}"
    )
    source = (
        "AAMC Residency Explorer, 2026 cycle"
        if layered
        else "NRMP Program Director Survey (about 2010); AAMC Residency Explorer, 2026 cycle"
    )
    return Reason(text, source, 2026 if layered else None, MINUS, abs(typical))


# The short list shown in tables: the program's first reasons (its 2026 evidence leads), then
# `top_applicant_reasons`.
TOP_PROGRAM_REASONS = 3
# A visa or participation reason at least this large (`Reason.weight`: no visa listed, an old "does
# not take part") may shut the program to the applicant: the short list always shows it.
CAVEAT_WEIGHT = 1.0


def caveats(verdict: Eligibility) -> tuple[Reason, ...]:
    """A verdict's caveats: its soft reasons that may shut the program to the applicant, the
    ones a row leads with (and the plan does not send the applicant to without saying so)."""
    return tuple(r for r in verdict.soft_reasons if r.weight >= CAVEAT_WEIGHT)


def top_applicant_reasons(applicant: Sequence[Reason]) -> list[Reason]:
    """The applicant's reasons a table row shows after the program's own: the score, and the
    applicant's strongest factor."""
    score, *others = applicant
    strongest = sorted(others, key=lambda r: -r.weight)[:1]
    return [score, *(r for r in strongest if r.weight >= 0.15)]
