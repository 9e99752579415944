"""Where an applicant stands: the guide's score bands and the Charting Outcomes percentile.

The bands are the guide's ("Strategic Low Step Score Guide for Non-US Citizen IMGs", section
"What Counts as a Low Step Score?"):

- Step 1 (historical numeric): 230+ above average for most IMGs; 215-229 competitive at many
  mid-tier and community programs; under 215 often considered low.
- Step 2 CK: 240+ strong for most IMGs; 225-239 around average; under 225 typically low.

The percentile places a score among the chosen specialty's matched and unmatched non-US IMGs of
NRMP Charting Outcomes 2026, by linear interpolation between the published five-number summary
(min, Q1, median, Q3, max = 0th, 25th, 50th, 75th, 100th percentile). It is an approximation of
the published distribution, exact at the five published points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from smartpick.core.chances.outcomes import SOURCE as CO_SOURCE
from smartpick.core.chances.outcomes import (
    Distribution,
    charting_outcomes,
    outcomes_for,
    unpublished_step2ck,
)
from smartpick.core.plan.figures import P_DIGITS
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import InvalidInput

Step1Status = Literal["score", "pass", "fail_then_pass", "not_taken"]
Band = Literal["above_average", "competitive", "average", "strong", "low", "pass", "failed_attempt"]

STEP1_ABOVE_AVERAGE = 230
STEP1_COMPETITIVE = 215
STEP2CK_STRONG = 240
STEP2CK_AVERAGE = 225

GUIDE_STEP1 = (
    "Step 1 (historical): 230+ above average for most IMGs; 215-229 competitive at many mid-tier "
    "and community programs; < 215 often considered low, especially for university-based programs."
)
GUIDE_STEP2CK = (
    "Step 2 CK: 240+ strong for most IMGs; 225-239 around average / slightly below average for "
    "some university programs; < 225 typically treated as a low Step 2 CK score."
)


@dataclass(frozen=True)
class ScoreBand:
    """A score's band in the guide's terms, with the label shown to the user."""

    exam: str
    score: int | None
    band: Band
    label: str


def step1_band(status: Step1Status, score: int | None) -> ScoreBand | None:
    """Classify Step 1 as the guide does; None when Step 1 is not taken."""
    if status == "not_taken":
        return None
    if status == "fail_then_pass":
        return ScoreBand("Step 1", None, "failed_attempt", "failed once, then passed (a red flag)")
    if status == "pass" or score is None:
        return ScoreBand(
            "Step 1", None, "pass", "pass (pass/fail era: Step 2 CK carries the weight)"
        )
    if score >= STEP1_ABOVE_AVERAGE:
        return ScoreBand("Step 1", score, "above_average", "above average for most IMGs (230+)")
    if score >= STEP1_COMPETITIVE:
        return ScoreBand(
            "Step 1", score, "competitive", "competitive at many mid-tier and community programs"
        )
    return ScoreBand("Step 1", score, "low", "low, especially for university-based programs (<215)")


def step2ck_band(score: int | None) -> ScoreBand | None:
    """Classify Step 2 CK as the guide does; None when there is no score yet."""
    if score is None:
        return None
    if score >= STEP2CK_STRONG:
        return ScoreBand("Step 2 CK", score, "strong", "strong for most IMGs (240+)")
    if score >= STEP2CK_AVERAGE:
        return ScoreBand("Step 2 CK", score, "average", "around average (225-239)")
    return ScoreBand("Step 2 CK", score, "low", "low (<225)")


@dataclass(frozen=True)
class FiveNumber:
    """A published five-number summary (NRMP Charting Outcomes) of one cohort's measure."""

    n: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float

    def percentile_of(self, value: float) -> float:
        """Share (0-100) of the cohort at or below `value`, interpolated between the five points."""
        points = (self.minimum, self.q1, self.median, self.q3, self.maximum)
        ranks = (0.0, 25.0, 50.0, 75.0, 100.0)
        if value <= points[0]:
            return 0.0
        if value >= points[-1]:
            return 100.0
        for i in range(len(points) - 1):
            x0, x1 = points[i], points[i + 1]
            if x0 <= value <= x1:
                if x1 == x0:
                    return ranks[i + 1]
                return ranks[i] + 25.0 * (value - x0) / (x1 - x0)
        return 100.0


@dataclass(frozen=True)
class SpecialtyStanding:
    """A Step 2 CK score against one specialty's 2026 non-US IMG applicants."""

    specialty: str
    score: int
    matched: FiveNumber
    not_matched: FiveNumber
    matched_percentile: float
    not_matched_percentile: float
    all_percentile: float  # both cohorts pooled, weighted by their counts
    match_rate_pct: float | None
    source: str

    @property
    def summary(self) -> str:
        """One sentence for the user."""
        return (
            f"Step 2 CK {self.score} is above about {self.matched_percentile:.0f}% of matched and "
            f"{self.not_matched_percentile:.0f}% of unmatched non-US IMGs who preferred "
            f"{self.specialty} (matched median {self.matched.median:.0f}, unmatched median "
            f"{self.not_matched.median:.0f}; {self.source})."
        )


def place_score(
    specialty: str,
    score: int,
    matched: FiveNumber,
    not_matched: FiveNumber,
    *,
    match_rate_pct: float | None,
    source: str,
) -> SpecialtyStanding:
    """Percentiles of `score` among a specialty's matched, unmatched and all non-US IMGs."""
    pm = matched.percentile_of(score)
    pn = not_matched.percentile_of(score)
    total = matched.n + not_matched.n
    pooled = (pm * matched.n + pn * not_matched.n) / total if total else (pm + pn) / 2.0
    return SpecialtyStanding(
        specialty=specialty,
        score=score,
        matched=matched,
        not_matched=not_matched,
        matched_percentile=round(pm, 1),
        not_matched_percentile=round(pn, 1),
        all_percentile=round(pooled, 1),
        match_rate_pct=match_rate_pct,
        source=source,
    )


def _five_number(d: Distribution | None) -> FiveNumber | None:
    if d is None or not d.published or d.minimum is None or d.maximum is None:
        return None
    if d.q1 is None or d.median is None or d.q3 is None:
        return None
    return FiveNumber(d.n, d.minimum, d.q1, d.median, d.q3, d.maximum)


@cache
def match_rates() -> dict[str, float]:
    """Non-US IMG match rate per catalog specialty, Charting Outcomes 2026 (matched / preferring),
    exact: the faces round it once (`core.plan.figures`)."""
    rates: dict[str, float] = {}
    for o in charting_outcomes():
        try:
            name = resolve_specialty(o.specialty).name
        except InvalidInput:
            continue
        rates[name] = o.match_rate
    return rates


def rate_pct(rate: float) -> float:
    """A rate as the plan's JSON gives it: in percent, to the contract's precision (48.51)."""
    return round(100.0 * rate, P_DIGITS - 2)


def specialty_standing(specialty: str, step2ck: int | None) -> SpecialtyStanding | None:
    """Step 2 CK among the specialty's 2026 matched and unmatched non-US IMGs (None if unpublished)."""
    spec = resolve_specialty(specialty)
    if step2ck is None or spec.charting_outcomes is None:
        return None
    outcomes = outcomes_for(spec.charting_outcomes)
    if outcomes is None:
        return None
    matched = _five_number(outcomes.step2ck_matched)
    unmatched = _five_number(outcomes.step2ck_not_matched)
    if matched is None or unmatched is None:
        return None
    return place_score(
        spec.name,
        step2ck,
        matched,
        unmatched,
        match_rate_pct=rate_pct(outcomes.match_rate),
        source=CO_SOURCE,
    )


def unpublished_note(specialty: str, step2ck: int | None) -> str:
    """The line shown instead of a percentile when a specialty's figures were not published: the
    list's reasons say the same (`core.chances.outcomes.unpublished_step2ck`)."""
    return unpublished_step2ck(specialty, step2ck) + "; no percentile is shown for this specialty."


@dataclass(frozen=True)
class Standing:
    """Where the applicant stands: the guide's bands and the Charting Outcomes percentile."""

    step1: ScoreBand | None
    step2ck: ScoreBand | None
    step3_score: int | None
    specialty: SpecialtyStanding | None
    competitiveness: Mapping[str, str]  # specialty -> the guide's group
    # Shown instead of the percentile when none can be given (unpublished, or not a non-US IMG).
    percentile_note: str | None = None
    # The same placement in each further specialty applied to, one line each (its summary, or
    # why there is none).
    other_specialties: tuple[str, ...] = ()

    def band_lines(self, suffix: str = "") -> list[str]:
        """ "Step 1 209: low" lines for the Step 1 and Step 2 CK bands the applicant has."""
        bands = (("Step 1", self.step1), ("Step 2 CK", self.step2ck))
        return [band_line(label, b.score, b.label, suffix) for label, b in bands if b is not None]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        sp = self.specialty
        return {
            "step1": None if self.step1 is None else _band_dict(self.step1),
            "step2ck": None if self.step2ck is None else _band_dict(self.step2ck),
            "step3_score": self.step3_score,
            "specialty_percentile": None
            if sp is None
            else {
                "specialty": sp.specialty,
                "score": sp.score,
                "matched_percentile": sp.matched_percentile,
                "not_matched_percentile": sp.not_matched_percentile,
                "all_percentile": sp.all_percentile,
                "matched": _five_dict(sp.matched),
                "not_matched": _five_dict(sp.not_matched),
                "match_rate_pct": sp.match_rate_pct,
                "summary": sp.summary,
                "source": sp.source,
            },
            "competitiveness": dict(self.competitiveness),
            "percentile_note": self.percentile_note,
            "other_specialties": list(self.other_specialties),
        }


def band_line(label: str, score: int | None, band_label: str, suffix: str = "") -> str:
    """ "Step 1 209: low": one exam's band, as every face words it."""
    return f"{label}{'' if score is None else f' {score}'}: {band_label}{suffix}"


def _band_dict(band: ScoreBand) -> dict[str, object]:
    return {"score": band.score, "band": band.band, "label": band.label}


def _five_dict(f: FiveNumber) -> dict[str, object]:
    return {
        "n": f.n,
        "min": f.minimum,
        "q1": f.q1,
        "median": f.median,
        "q3": f.q3,
        "max": f.maximum,
    }
