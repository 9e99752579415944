"""The reasons shown with a program's chances, in plain words with their sources.

Order: the program's 2026 evidence first ("Invited 2% of 1,165 non-US IMG applicants in 2026
(AAMC Residency Explorer, 2026 cycle)", for the applicant's own type where the program publishes
it, and the Step 2 CK range of the applicants of that type it invited), the visa facts, then the
program's own signal, failed-attempt, geographic and home-state figures where they bear on this
applicant, then older proxies (residents' mix, share interviewed). A program without 2026 figures
says so: its range is wider. Applicant-level reasons (the score against the specialty's matched
applicants, the assumed effects of the applicant's file) follow; they are `applicant_reasons`'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from smartpick.core.chances.effects import EFFECTS_SOURCE
from smartpick.core.chances.evidence import invited_bounds, type_rate
from smartpick.core.profile import ApplicantProfile
from smartpick.core.programs import Program, RateCount, once_per_program
from smartpick.core.rules.eligibility import Direction, Eligibility, Reason

TYPE_LABEL = {"non_us_img": "non-US IMG", "us_img": "US IMG", "us_md": "US MD", "us_do": "US DO"}
PLUS: Direction = "+"
MINUS: Direction = "-"
UNKNOWN: Direction = "?"


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


# The short list shown in tables: the program's first reasons (its 2026 evidence leads), then
# `applicant_reasons.top_applicant_reasons`.
TOP_PROGRAM_REASONS = 3
# A visa or participation reason at least this large (`Reason.weight`: no visa listed, an old "does
# not take part") may shut the program to the applicant: the short list always shows it.
CAVEAT_WEIGHT = 1.0


def caveats(verdict: Eligibility) -> tuple[Reason, ...]:
    """A verdict's caveats: its soft reasons that may shut the program to the applicant, the
    ones a row leads with (and the plan does not send the applicant to without saying so)."""
    return tuple(r for r in verdict.soft_reasons if r.weight >= CAVEAT_WEIGHT)
