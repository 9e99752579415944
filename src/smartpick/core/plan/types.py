"""The advisor's plan as data: steps, prices, red flags, timeline, and its JSON contract.

These types carry what the advisor (`core.plan`) decides from the guide and what the service
measures (the price of each step, from re-running the model and optimizer). The CLI prints the
typed `Plan`; `Plan.to_dict()` is the JSON contract documented in docs/advisor.md (JSON output, the
web page and the PDF). `rounded()` gives the JSON's numbers; users read figures written once from
the exact values (`core.plan.figures`, `Price.shown`), in every face.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from smartpick.core.chances.estimate import Estimate
from smartpick.core.lists.economics import GUIDE_TITLE, HowMany
from smartpick.core.lists.result import CurvePoint, ListedProgram
from smartpick.core.plan.figures import INTERVIEW_DIGITS, P_DIGITS, offers, percent, points
from smartpick.core.plan.standing import Standing
from smartpick.core.rules.institutions import InstitutionMatch

ChangeValue = int | float | str | bool | tuple[str, ...]
PLAN_MONTHS = (12, 18)  # the guide: "This type of structured plan, executed over 12-18 months"


@dataclass(frozen=True)
class TieProgram:
    """A catalog program where USCE would count as a tie (state-university or affiliated)."""

    program_id: str
    name: str
    city: str | None
    state: str | None
    setting: str | None
    pct_non_us_img: float | None
    # the first caveat the program's row leads with for this applicant (an old "did not take
    # part", no visa listed), as shown; None when it has none
    caveat: str | None = None


@dataclass(frozen=True)
class CatalogCounts:
    """Catalog figures for one of the applicant's specialties, from the eligibility rules."""

    specialty: str
    programs_total: int
    visa_sponsoring: int  # programs stating they consider the applicant's visa (all if none needed)
    visa_not_sponsoring: int  # stated "no" or FREIDA's empty list ("none listed")
    visa_unknown: int
    h1b_programs: int  # programs stating they consider H-1B
    # For a J-1 applicant: programs the visa rule shuts that accepting an H-1B too (with Step 3
    # passed) would open, by the same hard rules as the step's price.
    opened_by_h1b: int
    shut_by_visa: int  # excluded by the visa rules (a stated "no", or H-1B without Step 3)
    shut_by_any_rule: int  # excluded by any stated rule (the results page's "ruled out")
    shut_by_graduation_limit: int  # a stated graduation-year limit the applicant exceeds
    shut_by_usce_requirement: int  # a stated USCE requirement the applicant lacks
    tie_candidates: tuple[TieProgram, ...] = ()
    # the best-ranked tie program without a caveat (the connection step's), and the ones ranked
    # above it, each with its caveat
    connection_target: TieProgram | None = None
    connection_passed_over: tuple[TieProgram, ...] = ()
    # Where the stated visa policies the applicant's need reads come from ("FREIDA 2025"), most
    # programs first.
    visa_sources: tuple[str, ...] = ()
    # Cut-offs stated by some source (a user's import): programs with a value known.
    stated_graduation_limits: int = 0
    stated_min_scores: int = 0
    stated_usce_requirements: int = 0
    # What the latest cycle's data shows (core.rules.screens): programs with data, and per
    # screen kind the programs showing a screen this applicant would meet.
    evidence_programs: int = 0
    evidence_source: str = ""
    evidence_year: int | None = None
    screened: Mapping[str, int] = field(default_factory=dict)
    # Programs that consider H-1B by a fact dated before the 2025 H-1B payment took effect.
    h1b_yes_possibly_outdated: int = 0
    # For an H-1B applicant: programs the visa rules shut that accepting a J-1 too would open.
    opened_by_j1: int = 0


@dataclass(frozen=True)
class ListFacts:
    """The baseline optimized list and its curve, as the service measured them."""

    programs: int
    how_many: HowMany  # the list's value-of-a-match rule: where it stops, and why
    p_match_by_count: Sequence[tuple[int, float]]
    settings: Mapping[str, int]  # programs in the list per setting
    budget_usd: float | None


@dataclass(frozen=True)
class Outcome:
    """What an application list is worth: P(match), expected interviews, fees, list size."""

    p_match: Estimate
    expected_interviews: Estimate
    fees_usd: float
    programs: int

    def rounded(self) -> Outcome:
        """As the JSON gives it: P(match) to 4 digits, interviews to 2, fees to the cent."""
        return Outcome(
            self.p_match.rounded(P_DIGITS),
            self.expected_interviews.rounded(INTERVIEW_DIGITS),
            round(self.fees_usd, 2),
            self.programs,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form (rounded for programs that read it)."""
        shown = self.rounded()
        return {
            "p_match": shown.p_match.to_dict(),
            "expected_interviews": shown.expected_interviews.to_dict(),
            "fees_usd": shown.fees_usd,
            "programs": shown.programs,
        }


@dataclass(frozen=True)
class Price:
    """A step's effect measured by re-running the model and optimizer on the changed profile.

    `delta` intervals are quantiles of the per-draw differences (the same bootstrap draw of the
    model's parameters on both sides), so they are not the difference of the two intervals.
    """

    baseline: Outcome
    changed: Outcome
    delta_p_match: Estimate
    delta_expected_interviews: Estimate
    delta_fees_usd: float
    change: Mapping[str, ChangeValue]
    note: str = ""

    def rounded(self) -> Price:
        """As the JSON gives it: both outcomes and the differences rounded like
        `Outcome.rounded`."""
        return replace(
            self,
            baseline=self.baseline.rounded(),
            changed=self.changed.rounded(),
            delta_p_match=self.delta_p_match.rounded(P_DIGITS),
            delta_expected_interviews=self.delta_expected_interviews.rounded(INTERVIEW_DIGITS),
            delta_fees_usd=round(self.delta_fees_usd, 2),
        )

    def shown(self) -> dict[str, str]:
        """The figures as every face writes them, each rounded once from the exact value:
        chance of matching before and after ("28%"), its change and likely range in points
        ("+14.6"), interview offers before and after ("1.0")."""
        d = self.delta_p_match
        return {
            "p_match_before": percent(self.baseline.p_match.point),
            "p_match_after": percent(self.changed.p_match.point),
            "delta_p_match": points(d.point),
            "delta_p_match_low": points(d.low),
            "delta_p_match_high": points(d.high),
            "interviews_before": offers(self.baseline.expected_interviews.point),
            "interviews_after": offers(self.changed.expected_interviews.point),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON form (numbers rounded for programs; `shown`: the texts users read)."""
        shown = self.rounded()
        return {
            "change": {k: list(v) if isinstance(v, tuple) else v for k, v in self.change.items()},
            "baseline": shown.baseline.to_dict(),
            "changed": shown.changed.to_dict(),
            "delta": {
                "p_match": shown.delta_p_match.to_dict(),
                "expected_interviews": shown.delta_expected_interviews.to_dict(),
                "fees_usd": shown.delta_fees_usd,
            },
            "note": self.note,
            "shown": self.shown(),
        }


@dataclass(frozen=True)
class RedFlag:
    """Something programs read as a weakness, with how many catalog programs it shuts or narrows.

    `programs_shut`: programs a stated rule removes. `programs_narrowed`: programs where the model
    gives a clearly lower interview chance because of it (filled in by the service; None = not
    measured; docs/advisor.md gives the rule). `programs_total`: programs in the specialty.
    """

    id: str
    title: str
    detail: str
    guide: str
    programs_total: int
    programs_shut: int | None = None
    programs_narrowed: int | None = None
    # Share of the interview chance the flag costs at the median program (model; None = not run).
    median_interview_cut: float | None = None
    addressed_by: tuple[str, ...] = ()
    # What is known and what is not, in plain sentences with source and year.
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "title": self.title,
            "detail": self.detail,
            "guide": self.guide,
            "programs_total": self.programs_total,
            "programs_shut": self.programs_shut,
            "programs_narrowed": self.programs_narrowed,
            "median_interview_cut": None
            if self.median_interview_cut is None
            else round(self.median_interview_cut, 3),
            "addressed_by": list(self.addressed_by),
            "notes": list(self.notes),
            # the texts users read, from the exact value (`figures`): the rounded number above
            # would round a second time
            "shown": {
                "median_interview_cut": None
                if self.median_interview_cut is None
                else percent(self.median_interview_cut)
            },
        }


@dataclass(frozen=True)
class PlanStep:
    """One step of the plan. `change` is the what-if the service prices (None = not priceable)."""

    id: str
    title: str
    actions: tuple[str, ...]
    why: str
    guide: str
    duration_months: tuple[int, int]
    change: Mapping[str, ChangeValue] | None = None
    details: Mapping[str, object] = field(default_factory=dict)
    price: Price | None = None
    price_error: str | None = None

    def with_price(self, price: Price | None, error: str | None = None) -> PlanStep:
        """A copy carrying its measured price (or why it could not be measured)."""
        return replace(self, price=price, price_error=error)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (see docs/advisor.md)."""
        return {
            "id": self.id,
            "title": self.title,
            "actions": list(self.actions),
            "why": self.why,
            "guide": self.guide,
            "duration_months": {"min": self.duration_months[0], "max": self.duration_months[1]},
            "duration_text": duration_words(*self.duration_months),
            "priceable": self.change is not None,
            "price": None if self.price is None else self.price.to_dict(),
            "price_error": self.price_error,
            "details": dict(self.details),
        }


def duration_words(low: int, high: int) -> str:
    """How long a step takes, in words: "about 1 month", "up to 1 month", "2-4 months"."""
    if low == high:
        return f"about {low} month{'' if low == 1 else 's'}"
    if low == 0:
        return f"up to {high} month{'' if high == 1 else 's'}"
    return f"{low}-{high} months"


@dataclass(frozen=True)
class TimelineEntry:
    """When to do a step, in months from today (month 0 = now)."""

    step_id: str
    start_month: int
    end_month: int
    label: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "step_id": self.step_id,
            "start_month": self.start_month,
            "end_month": self.end_month,
            "label": self.label,
        }


@dataclass(frozen=True)
class Plan:
    """The advisor's plan for one applicant (the service adds prices and the list)."""

    standing: Standing
    red_flags: tuple[RedFlag, ...]
    steps: tuple[PlanStep, ...]
    timeline: tuple[TimelineEntry, ...]
    months_to_eras_open: int
    notes: tuple[str, ...] = ()
    profile_name: str | None = None
    baseline: Outcome | None = None
    recommended: tuple[ListedProgram, ...] = ()  # the baseline list
    prepared_on: _dt.date | None = None
    curve: tuple[CurvePoint, ...] = ()  # the baseline list's P(match) curve
    stop_at_applications: int | None = None
    whole_plan: Price | None = None  # every priced step at once (not the volume step)
    summary: tuple[str, ...] = ()
    institutions: tuple[InstitutionMatch, ...] = ()  # what each USCE institution matched

    def calendar(self, entry: TimelineEntry) -> tuple[str, str] | None:
        """The entry's first and last month as 'YYYY-MM' (None when the plan has no date)."""
        if self.prepared_on is None:
            return None
        start = _month_label(self.prepared_on, entry.start_month)
        return start, _month_label(self.prepared_on, entry.end_month)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON contract (docs/advisor.md)."""
        timeline = [t.to_dict() for t in self.timeline]
        for entry, step in zip(timeline, self.timeline, strict=True):
            calendar = self.calendar(step)
            if calendar is not None:
                entry["start"], entry["end"] = calendar
        return {
            "profile_name": self.profile_name,
            "guide_title": GUIDE_TITLE,
            "summary": list(self.summary),
            "prepared_on": None if self.prepared_on is None else self.prepared_on.isoformat(),
            "standing": self.standing.to_dict(),
            "red_flags": [f.to_dict() for f in self.red_flags],
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
            "steps": [s.to_dict() for s in self.steps],
            "whole_plan": None if self.whole_plan is None else self.whole_plan.to_dict(),
            "timeline": timeline,
            "months_to_eras_open": self.months_to_eras_open,
            "plan_months_guide": list(PLAN_MONTHS),
            "recommended": [_listed_dict(r) for r in self.recommended],
            "curve": [
                {
                    "applications": c.applications,
                    "fees_usd": c.fees_usd,
                    "p_match": c.p_match.to_dict(),
                }
                for c in self.curve
            ],
            "stop_at_applications": self.stop_at_applications,
            "institutions": [{**m.to_dict(), "sentence": m.sentence} for m in self.institutions],
            "notes": list(self.notes),
        }


def _listed_dict(row: ListedProgram) -> dict[str, Any]:
    """A program of the plan's list, as the plan's JSON contract shows it."""
    program, est = row.program, row.p_interview
    return {
        "rank": row.rank,
        "program_id": program.id,
        "name": program.name,
        "specialty": program.specialty,
        "city": program.city.value,
        "state": program.state.value,
        "setting": program.setting.value,
        "tier": row.tier,
        "p_interview": est.to_dict(),
        "p_interview_text": f"{100 * est.point:.0f}% ({100 * est.low:.0f}-{100 * est.high:.0f}%)",
        "signal": row.signal,
        "fee_usd": row.fee_usd,
    }


def _month_label(start: _dt.date, months: int) -> str:
    """'YYYY-MM' of the month `months` after `start`."""
    index = start.year * 12 + start.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
