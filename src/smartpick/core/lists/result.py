"""The optimized list as a result: the programs with why each is there, the curve, the totals.

`Recommendation.to_dict()` is the JSON contract documented in docs/optimizer.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np

from smartpick.core.chances.estimate import Estimate
from smartpick.core.chances.results import Assessment, program_ref
from smartpick.core.chances.rows import RowWords
from smartpick.core.lists.economics import HowMany
from smartpick.core.lists.tiers import TIERS, TierScale
from smartpick.core.programs import Program, once_per_program
from smartpick.core.rules.institutions import InstitutionMatch


class ListWords(Protocol):
    """What writes a list's rows in words (`service.recommendation`): each listed program's row
    of the model in words and why it is in the list, by its place in the list."""

    def words(self, k: int) -> RowWords:
        """The model's row of the k-th listed program in words."""
        ...

    def reasons(self, k: int) -> tuple[str, ...]:
        """Why the k-th listed program is in the list, most specific first."""
        ...

    def shown(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        """Every listed program's top reasons (`RowWords.reasons`) and unknowns, in list
        order: the words a list shows, without a `RowWords` per row."""
        ...


class ListedProgram(NamedTuple):
    """One program of the list, with why it is there (a named tuple: a list has a hundred, made
    on every request; two are equal when every field but `written` is)."""

    rank: int
    program: Program
    tier: str  # reach / target / likely (core.lists.tiers), by P(interview) at its signal level
    p_interview: Estimate  # at its signal level
    p_interview_unsignaled: float
    signal: str  # the model's level: none / silver / gold
    signal_name: str  # what the applicant reads (`signals.Allowance.name`): "signal" for one kind
    fee_usd: int  # marginal ERAS fee in list order within its specialty
    contribution_pp: float  # objective lost (percentage points) if it were dropped
    preference: float | None  # the applicant's value for a match there, if preferences given
    must_include: bool
    # the list's words, written when first read (`words`, `reasons`; this row is its
    # `rank - 1`-th): a what-if's list is priced, not shown
    written: ListWords

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ListedProgram):
            return NotImplemented
        return self[:-1] == other[:-1]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:-1])

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={v!r}" for n, v in zip(self._fields[:-1], self, strict=False))
        return f"ListedProgram({fields})"

    @property
    def words(self) -> RowWords:
        """The model's row of the program in words (confidence, unknowns, its reasons)."""
        return self.written.words(self.rank - 1)

    @property
    def confidence(self) -> str:
        """The model's: high / medium / low, by how many program facts are unknown."""
        return self.words.confidence

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the program is in the list, most specific first."""
        return self.written.reasons(self.rank - 1)

    def to_dict(self) -> dict[str, Any]:
        """One list row of the JSON contract."""
        return _row(self)


@once_per_program
def _program_keys(p: Program) -> dict[str, Any]:
    """The keys of a list row that no applicant changes, worked out once per process."""
    return {
        **program_ref(p),
        "city": p.city.value,
        "region": p.region.value,
        "setting": p.setting.value,
        "latitude": p.latitude.value,
        "longitude": p.longitude.value,
    }


def _row(item: ListedProgram) -> dict[str, Any]:
    """One list row of the JSON contract (`ListedProgram.to_dict`)."""
    return {
        "rank": item.rank,
        **_program_keys(item.program),
        "tier": item.tier,
        "p_interview": item.p_interview.to_dict(),
        "p_interview_unsignaled": item.p_interview_unsignaled,
        "signal": item.signal,
        "signal_name": item.signal_name,
        "fee_usd": item.fee_usd,
        "contribution_pp": item.contribution_pp,
        "preference": item.preference,
        "must_include": item.must_include,
        "confidence": item.confidence,
        "reasons": list(item.reasons),
    }


def several_specialties(programs: Sequence[ListedProgram]) -> bool:
    """True when a list holds programs of more than one specialty: every face then shows each
    program's specialty (one name can be a program of each, with its own fees)."""
    return len({item.program.specialty for item in programs}) > 1


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
        return curve_rows((self,))[0]


_NO_RANGE = (None, None)


def curve_rows(curve: Sequence[CurvePoint]) -> list[dict[str, Any]]:
    """The curve's points as the JSON contract gives them (`CurvePoint.to_dict` of each), in one
    pass: a curve has hundreds."""
    return [
        {
            "applications": n,
            "fees_usd": fees,
            "p_match": {"point": point, "low": low, "high": high},
            "objective": objective,
            "gain_pp": gain,
            "within_limits": within,
        }
        for n, fees, point, span, objective, gain, within in curve
        for low, high in (span or _NO_RANGE,)
    ]


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
    # A US entry restriction the chances are conditional on (`rules.policy.entry_condition`).
    entry_condition: str | None = None

    @property
    def total_fees_usd(self) -> int:
        """ERAS program fees plus the transcript fee."""
        return self.program_fees_usd + self.transcript_fee_usd

    @property
    def several_specialties(self) -> bool:
        """The list holds more than one specialty (`several_specialties`)."""
        return several_specialties(self.programs)

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
            head["programs"] = list(map(_row, self.programs))
            head["curve"] = curve_rows(self.curve)
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
            "entry_condition": self.entry_condition,
            "institutions": [{**m.to_dict(), "sentence": m.sentence} for m in self.institutions],
            "notes": list(self.notes),
        }
