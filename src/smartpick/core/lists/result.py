"""The optimized list as a result: the programs with why each is there, the curve, the totals.

`Recommendation.to_dict()` is the JSON contract documented in docs/optimizer.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from smartpick.core.chances.estimate import Estimate
from smartpick.core.chances.results import Assessment, program_ref
from smartpick.core.chances.rows import RowWords
from smartpick.core.lists.economics import HowMany
from smartpick.core.lists.tiers import TIERS, TierScale
from smartpick.core.programs import Program
from smartpick.core.rules.institutions import InstitutionMatch


@dataclass(frozen=True)
class ListedProgram:
    """One program of the list, with why it is there."""

    rank: int
    program: Program
    tier: str  # reach / target / likely (core.lists.tiers), by P(interview) at its signal level
    p_interview: Estimate  # at its signal level
    p_interview_unsignaled: float
    signal: str  # none / silver / gold
    fee_usd: int  # marginal ERAS fee in list order within its specialty
    contribution_pp: float  # objective lost (percentage points) if it were dropped
    preference: float | None  # the applicant's value for a match there, if preferences given
    must_include: bool
    # the model's row of the program in words and why it is in the list, written when first
    # read (`words`, `reasons`): a what-if's list is priced, not shown
    read_words: Callable[[], RowWords] = field(compare=False, repr=False)
    write_reasons: Callable[[], tuple[str, ...]] = field(compare=False, repr=False)

    @cached_property
    def words(self) -> RowWords:
        """The model's row of the program in words (confidence, unknowns, its reasons)."""
        return self.read_words()

    @property
    def confidence(self) -> str:
        """The model's: high / medium / low, by how many program facts are unknown."""
        return self.words.confidence

    @cached_property
    def reasons(self) -> tuple[str, ...]:
        """Why the program is in the list, most specific first."""
        return self.write_reasons()

    def to_dict(self) -> dict[str, Any]:
        """One list row of the JSON contract."""
        p = self.program
        return {
            "rank": self.rank,
            **program_ref(p),
            "city": p.city.value,
            "region": p.region.value,
            "setting": p.setting.value,
            "latitude": p.latitude.value,
            "longitude": p.longitude.value,
            "tier": self.tier,
            "p_interview": self.p_interview.to_dict(),
            "p_interview_unsignaled": self.p_interview_unsignaled,
            "signal": self.signal,
            "fee_usd": self.fee_usd,
            "contribution_pp": self.contribution_pp,
            "preference": self.preference,
            "must_include": self.must_include,
            "confidence": self.confidence,
            "reasons": list(self.reasons),
        }


class CurvePoint(NamedTuple):
    """The best list found with `applications` programs: its fees and P(match) (a named tuple:
    a curve has hundreds)."""

    applications: int
    fees_usd: int
    p_match_point: float  # P(match) at the point estimate
    p_match_range: tuple[float, float] | None  # (low, high); None: computed without intervals
    objective: float
    gain_pp: float  # objective gain of this application over the previous point
    within_limits: bool  # fits the budget and the count asked for

    @property
    def p_match(self) -> Estimate:
        """P(match) with its interval; raises when the list was computed without intervals
        (`recommend(..., intervals=False)`)."""
        if self.p_match_range is None:
            raise ValueError("this curve was computed without intervals (intervals=False)")
        return Estimate(self.p_match_point, *self.p_match_range)

    def to_dict(self) -> dict[str, Any]:
        """One curve point of the JSON contract (low and high are null without intervals)."""
        low, high = self.p_match_range or (None, None)
        return {
            "applications": self.applications,
            "fees_usd": self.fees_usd,
            "p_match": {"point": self.p_match_point, "low": low, "high": high},
            "objective": self.objective,
            "gain_pp": self.gain_pp,
            "within_limits": self.within_limits,
        }


@dataclass(frozen=True)
class Recommendation:
    """An optimized list and everything shown with it. `to_dict()` is the JSON contract."""

    objective: str  # "p_match" or "preference_value"
    programs: tuple[ListedProgram, ...]
    p_match: Estimate
    p_match_draws: np.ndarray = field(repr=False)
    expected_interviews: Estimate
    expected_interviews_draws: np.ndarray = field(repr=False)
    expected_value: Estimate | None  # with preferences: E[value of the match]
    program_fees_usd: int
    transcript_fee_usd: int
    fees_by_specialty: dict[str, dict[str, int]]
    curve: tuple[CurvePoint, ...]
    stop_at_applications: int | None  # where the value-of-a-match rule stops
    how_many: HowMany  # the rule, its yardsticks and the plain explanation
    next_gain_pp: float | None
    next_fee_usd: int | None
    binding: str
    signals: dict[str, dict[str, Any]]
    tier_scales: tuple[TierScale, ...]  # the tier cut-offs of each specialty, with definitions
    season: int
    fee_source_url: str
    constraints: dict[str, Any]
    candidates: int  # eligible programs the list was chosen from
    not_eligible: int  # programs of the specialties the model ruled out (hard rules)
    filtered_out: int  # eligible programs removed by the applicant's filters
    notes: tuple[str, ...]
    blocked: str | None  # why no program can take the applicant now (a failing Step 2 CK), if so
    # What each institution of the applicant's US clinical experience matched in the catalog.
    institutions: tuple[InstitutionMatch, ...]
    # The chances the list was chosen from: later steps (the plan) reuse them, never recompute.
    assessment: Assessment = field(repr=False, compare=False)
    # False: the curve's points carry no interval (`recommend(..., intervals=False)`, for
    # callers that price a list without showing it); the list's own figures keep theirs.
    intervals: bool = True

    @property
    def total_fees_usd(self) -> int:
        """ERAS program fees plus the transcript fee."""
        return self.program_fees_usd + self.transcript_fee_usd

    def to_dict(self, *, rows: bool = True) -> dict[str, Any]:
        """The JSON contract of `smartpick recommend --format json`; without the list's rows and
        the curve's points with `rows=False` (for a page that draws them from the objects)."""
        head: dict[str, Any] = {
            "objective": self.objective,
            "totals": {
                "applications": len(self.programs),
                "p_match": self.p_match.to_dict(),
                "expected_interviews": self.expected_interviews.to_dict(),
                "expected_value": None
                if self.expected_value is None
                else self.expected_value.to_dict(),
                "fees_usd": self.total_fees_usd,
                "program_fees_usd": self.program_fees_usd,
                "transcript_fee_usd": self.transcript_fee_usd,
                "fees_by_specialty": self.fees_by_specialty,
                "tiers": {tier: sum(1 for p in self.programs if p.tier == tier) for tier in TIERS},
            },
        }
        if rows:
            head["programs"] = [p.to_dict() for p in self.programs]
            head["curve"] = [c.to_dict() for c in self.curve]
        return head | {
            "stopping": {
                "match_value_usd": self.how_many.match_value_usd,
                "stop_at_applications": self.stop_at_applications,
                "cost_per_point_usd": self.how_many.cost_per_point_usd,
                "next_gain_pp": self.next_gain_pp,
                "next_fee_usd": self.next_fee_usd,
                "limited_by": self.binding,
            },
            "how_many": self.how_many.to_dict(),
            "tier_definitions": [t.to_dict() for t in self.tier_scales],
            "signals": self.signals,
            "season": self.season,
            "fee_source_url": self.fee_source_url,
            "constraints": self.constraints,
            "candidates": self.candidates,
            "not_eligible": self.not_eligible,
            "filtered_out": self.filtered_out,
            "blocked": self.blocked,
            "institutions": [{**m.to_dict(), "sentence": m.sentence} for m in self.institutions],
            "notes": list(self.notes),
        }
