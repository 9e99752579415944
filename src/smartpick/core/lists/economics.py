"""How many programs: the value of a match against the fee of one more application.

The rule (docs/optimizer.md, "How many programs"): one more application is worth sending while
what it adds to the chance of matching, times what a match is worth to the applicant, is at least
its ERAS fee. The default value of a match is the median first-year (PGY-1) salary stated on the
2026 AAMC Residency Explorer program pages: matching this season rather than next is worth at least
the year of salary the applicant would otherwise wait for, before counting the rest of a US
career or the lower chances of an older graduate next season; so a year's salary is a
conservative value, and the user can change it. The figures are built by
`scripts/build_list_economics.py` into `data/reference/list_economics_2026.csv`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from smartpick.core.bundled import bundled_rows
from smartpick.core.rules.screens import GROUP_WORDS
from smartpick.plain_text import counted, series

# The guide SmartPick's plan follows, and its volume: "Many successful IMGs ... submit 60-120".
GUIDE_TITLE = "Strategic Low Step Score Guide for Non-US Citizen IMGs"
GUIDE_RANGE = (60, 120)
ECONOMICS_FILE = ("reference", "list_economics_2026.csv")
_SPECIALTY_KEYS = {"Internal Medicine": "im", "Family Medicine": "fm"}


@dataclass(frozen=True)
class Figure:
    """One figure of the reference file, with how it was computed and its source."""

    key: str
    value: float
    unit: str
    n: int
    method: str
    source: str
    year: int


@cache
def figures() -> dict[str, Figure]:
    """The list-economics figures by key."""
    return {
        row["key"]: Figure(
            key=row["key"],
            value=float(row["value"]),
            unit=row["unit"],
            n=int(row["n"]),
            method=row["method"],
            source=row["source"],
            year=int(row["year"]),
        )
        for row in bundled_rows(*ECONOMICS_FILE)
    }


def default_match_value() -> Figure:
    """The default value of a match: the median 2026 PGY-1 salary (USD)."""
    return figures()["pgy1_salary_median_usd"]


def typical_applications(specialty: str) -> Figure | None:
    """Applications per IMG applicant in a specialty in 2026 (IM and FM only), or None."""
    key = _SPECIALTY_KEYS.get(specialty)
    return None if key is None else figures().get(f"applications_per_img_{key}")


def rate_specialty(specialty: str) -> str:
    """The specialty whose 2026 interview rates stand for `specialty`: its own for IM and FM
    (the only ones with 2026 figures), else Internal Medicine (the largest specialty for IMGs)."""
    return specialty if specialty in _SPECIALTY_KEYS else "Internal Medicine"


def typical_interview_rate(specialty: str, group: str = "non_us_img") -> Figure:
    """The share of an applicant group's applications (`non_us_img`, `us_img`, `us_md`,
    `us_do`) invited to interview in 2026, in `rate_specialty(specialty)`."""
    key = _SPECIALTY_KEYS[rate_specialty(specialty)]
    return figures()[f"interview_rate_{group}_{key}"]


def worth_sending(gain: float, fee_usd: float, match_value_usd: float) -> bool:
    """True when an application adding `gain` (a fraction of a match) pays for its fee."""
    return gain * match_value_usd >= fee_usd


def cost_per_point(gain: float, fee_usd: float) -> float | None:
    """What one more percentage point of the chance of matching costs at this margin (USD)."""
    return None if gain <= 0 else fee_usd / (100.0 * gain)


def break_even_gain(fee_usd: float, match_value_usd: float) -> float:
    """The smallest gain (a fraction) an application of this fee must add to be worth sending."""
    return fee_usd / match_value_usd


@dataclass(frozen=True)
class HowMany:
    """Why the list has as many programs as it has, in figures and in plain sentences."""

    match_value_usd: float
    match_value_is_default: bool
    # the programs the value rule sends: where it stops, or every one the curve reaches when
    # each is worth its fee (0: not even the first is; None: no curve)
    rule_count: int | None
    rule_p_match: float | None  # the chance of matching with the rule's list
    rule_fees_usd: int | None
    listed: int  # programs in the list shown (the rule's, or fewer under a budget or count)
    limited_by: str  # budget, count, match value, candidates
    next_gain_pp: float | None  # what one more application would add (percentage points)
    next_fee_usd: int | None
    cost_per_point_usd: float | None  # fee of one more point of the chance at that margin
    guide_range: tuple[int, int]
    typical: tuple[tuple[str, Figure], ...]  # (specialty, applications per IMG applicant)
    lines: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "match_value_usd": self.match_value_usd,
            "match_value_is_default": self.match_value_is_default,
            "match_value_source": _value_basis(default_match_value()),
            "rule_count": self.rule_count,
            "rule_p_match": self.rule_p_match,
            "rule_fees_usd": self.rule_fees_usd,
            "listed": self.listed,
            "limited_by": self.limited_by,
            "next_gain_pp": self.next_gain_pp,
            "next_fee_usd": self.next_fee_usd,
            "cost_per_point_usd": self.cost_per_point_usd,
            "guide_range": list(self.guide_range),
            "typical_applications": [
                {
                    "specialty": s,
                    "applications": f.value,
                    "method": f.method,
                    "source": f.source,
                    "year": f.year,
                }
                for s, f in self.typical
            ],
            "lines": list(self.lines),
        }


def _value_basis(fig: Figure) -> str:
    return (
        f"the median first-year resident salary stated on {fig.n} Internal Medicine and Family "
        f"Medicine program pages ({_dated(fig)})"
    )


def _dated(fig: Figure) -> str:
    """The figure's source with its year, said once."""
    return fig.source if str(fig.year) in fig.source else f"{fig.source}, {fig.year}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _past_the_rule(
    at: dict[int, tuple[int, float]],
    rule_count: int | None,
    listed: int,
    budget_usd: float | None,
    max_programs: int | None,
) -> str | None:
    """When a budget or a number of applications took the list past the value rule's count:
    what the programs beyond it add and cost, from the list's own curve."""
    if not rule_count or listed <= rule_count or listed not in at or rule_count not in at:
        return None
    limits = [w for w, v in (("budget", budget_usd), ("number of applications", max_programs)) if v]
    if not limits:
        return None
    fees = at[listed][0] - at[rule_count][0]
    points = 100 * (at[listed][1] - at[rule_count][1])
    per = f" (${fees / points:,.0f} a point)" if points > 0 else ""
    lower = "a lower budget" if budget_usd else "a smaller number of applications"
    return (
        f"Your {' and '.join(limits)} {'let' if len(limits) > 1 else 'lets'} the list go past "
        f"where one more program is worth its fee: programs {rule_count + 1}-{listed} add "
        f"{points:.1f} percentage points for ${fees:,}{per}. Set {lower}, or leave "
        f"{'them' if len(limits) > 1 else 'it'} blank to stop at {rule_count}."
    )


def how_many(
    *,
    match_value_usd: float,
    is_default: bool,
    curve: list[tuple[int, int, float]],
    rule_index: int | None,
    listed: int,
    limited_by: str,
    specialties: tuple[str, ...],
    applicant_type: str = "non_us_img",
    budget_usd: float | None = None,
    max_programs: int | None = None,
    blocked: str | None = None,
    no_candidates: str | None = None,
) -> HowMany:
    """The explanation of the list's length from its curve: `curve` holds (applications, total
    fees, chance of matching) per list size; `rule_index` is where the value rule stops;
    `budget_usd` and `max_programs` are the limits the user set (the list is the best within
    them, past the rule's count if they allow); `blocked` says why no program can take the
    applicant at all, and `no_candidates` why none was left to choose from
    (`why_no_candidates`): either is then the explanation."""
    at = {n: (fee, p) for n, fee, p in curve}
    # No stopping stage: every program the chain could add was worth its fee (the chain runs
    # until one is not, or until no program is left), so the rule sends them all.
    every = rule_index is None and bool(curve) and curve[-1][0] > 0
    if every:
        rule_count: int | None = curve[-1][0]
    else:
        rule_count = None if rule_index is None else curve[rule_index][0]
    # the margin shown: the list's own next application
    nxt = at.get(listed + 1)
    now = at.get(listed)
    gain = fee = cpp = None
    if nxt is not None and now is not None:
        gain, fee = nxt[1] - now[1], nxt[0] - now[0]
        cpp = cost_per_point(gain, fee)
    # the applications-per-applicant counts are IMGs' (US and non-US): none for US graduates
    imgs = applicant_type in ("non_us_img", "us_img")
    typical = tuple(
        (s, f) for s in specialties if imgs and (f := typical_applications(s)) is not None
    )
    value = f"${match_value_usd:,.0f}"
    basis = (
        _value_basis(default_match_value()) + "; change it if a match is worth more or less to you"
        if is_default
        else "the value you gave"
    )
    lines: list[str] = []
    if blocked is not None:
        lines.append(blocked)
    elif no_candidates is not None:
        lines.append(no_candidates)
    elif rule_count is None or rule_count == 0:
        lines.append(
            f"Even the first application is not worth its fee if a match is worth {value} to "
            f"you ({basis})."
        )
    else:
        rule_p = at[rule_count][1]
        gives = (
            f"Every program you can apply to is worth its fee, all {rule_count} of them"
            if every
            else f"That gives {rule_count} programs"
        )
        lines.append(
            f"The rule: keep adding programs while one more raises your chance of matching "
            f"enough to be worth its fee, counting a match this season as worth {value} "
            f"({basis}). {gives}: your chance {_pct(rule_p)} for ${at[rule_count][0]:,} in ERAS "
            "fees."
        )
    if gain is not None and fee is not None and blocked is None and no_candidates is None:
        per = "" if cpp is None else f", that is ${cpp:,.0f} for each extra percentage point"
        lines.append(
            f"One more program would add {100 * gain:.2f} percentage points for ${fee:,}{per}."
        )
    if rule_count is not None and listed < rule_count and limited_by in ("budget", "count"):
        rule_p = at[rule_count][1]
        extra = at[rule_count][0] - at[listed][0] if listed in at else None
        lines.append(
            f"Your {limited_by} limits the list to {counted(listed, 'program')}; the rule would send "
            f"{rule_count} (chance {_pct(rule_p)}"
            + ("" if extra is None else f", ${extra:,} more in fees")
            + ")."
        )
    past = _past_the_rule(at, rule_count, listed, budget_usd, max_programs)
    if past is not None and blocked is None:
        lines.append(past)
    lo, hi = GUIDE_RANGE
    yardstick = (
        f'The "{GUIDE_TITLE}", the strategy SmartPick\'s plan follows, says applicants with low '
        f"scores often send {lo}-{hi} applications"
    )
    if typical:
        yardstick += "; in 2026 IMGs sent about " + " and ".join(
            f"{f.value:.0f} {s} applications each" for s, f in typical
        )
        yardstick += f" ({typical[0][1].source} with ERAS 2026 applicant totals)"
    without = [s for s in specialties if s not in dict(typical)]
    if not imgs:
        yardstick += (
            f"; SmartPick's data have no count of the applications {GROUP_WORDS[applicant_type]} "
            "send"
        )
    elif without:
        yardstick += (
            f"; SmartPick's data have no such count for {series(without, 'or')}"
            if typical
            else f"; SmartPick's data have no count of the applications IMGs send in "
            f"{series(without, 'or')}"
        )
    lines.append(yardstick + ".")
    return HowMany(
        match_value_usd=match_value_usd,
        match_value_is_default=is_default,
        rule_count=rule_count,
        rule_p_match=None if rule_count is None else at[rule_count][1],
        rule_fees_usd=None if rule_count is None else at[rule_count][0],
        listed=listed,
        limited_by=limited_by,
        next_gain_pp=None if gain is None else 100 * gain,
        next_fee_usd=fee,
        cost_per_point_usd=cpp,
        guide_range=GUIDE_RANGE,
        typical=typical,
        lines=tuple(lines),
    )


def why_no_candidates(
    specialties: Sequence[str],
    open_programs: int,
    ruled_out: int,
    reasons: Mapping[str, int],
    filters: Sequence[str],
) -> str:
    """Why no program was left to choose a list from, for `how_many`: none is open to the
    applicant (`ruled_out` programs, `reasons`: programs per stated rule, the commonest named),
    or the list's filters (`filters`, in words) left none of the `open_programs` that are."""
    where = " and ".join(specialties)
    if open_programs:
        return (
            f"No program is left to choose from: {open_programs} {where} programs are open to you, "
            f"but your filters leave none of them ({'; '.join(filters)}). Widen or remove a "
            "filter to get a list."
        )
    commonest = sorted(reasons.items(), key=lambda kv: -kv[1])[:3]
    why = ", ".join(f'{n} because "{text}"' for text, n in commonest)
    return (
        f"No program is open to you: each of the {ruled_out} {where} programs states a rule that "
        "rules you out" + (f", most often {why}" if why else "") + ". Change what you can (for "
        "example the visa you need or Step 3), or try another specialty."
    )
