"""NRMP Charting Outcomes 2026 for non-US IMGs, read from the bundled reference tables.

Two tables: the per-specialty summary (positions, applicants, non-US IMGs matched and not matched)
and the per-specialty measures (n, quartiles, mean and SD of Step 2 CK, contiguous ranks, ... for
matched and not-matched applicants). Match rates come from the summary; the shapes of the
distributions come from the measures, whose n is about three quarters of the summary's counts
(the report's measures cover fewer applicants). Pediatrics, Psychiatry, Neurology and Pathology have
a summary row but no measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from smartpick.core.bundled import bundled_rows
from smartpick.core.rules.screens import GROUP_WORDS
from smartpick.errors import DataUnavailable

SOURCE = "NRMP Charting Outcomes 2026, non-US IMGs"
SOURCE_YEAR = 2026
STEP2CK = "USMLE Step 2 CK"
RANKS = "Contiguous ranks"


@dataclass(frozen=True)
class Distribution:
    """A published five-number summary with mean and SD (None where NRMP suppressed it)."""

    n: int
    q1: float | None
    median: float | None
    q3: float | None
    mean: float | None
    sd: float | None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def published(self) -> bool:
        """True when quartiles are given (NRMP suppresses them for small n)."""
        return self.median is not None and self.q1 is not None and self.q3 is not None


@dataclass(frozen=True)
class PublishedFigures:
    """The figures one specialty's non-US IMGs are published with: the match counts and the four
    distributions among those who ranked (None where not published). Calibration fits these."""

    matched: int
    not_matched: int
    step2ck_matched: Distribution | None
    step2ck_not_matched: Distribution | None
    ranks_matched: Distribution | None
    ranks_not_matched: Distribution | None

    @property
    def applicants(self) -> int:
        """Non-US IMGs who preferred the specialty."""
        return self.matched + self.not_matched

    @property
    def match_rate(self) -> float:
        """Share of those non-US IMGs who matched (from the summary counts)."""
        return self.matched / self.applicants

    @property
    def distributions(self) -> tuple[Distribution | None, ...]:
        """Step 2 CK of matched and not matched, then contiguous ranks of matched and not."""
        return (
            self.step2ck_matched,
            self.step2ck_not_matched,
            self.ranks_matched,
            self.ranks_not_matched,
        )

    @property
    def has_measures(self) -> bool:
        """True when at least one per-specialty measure is published (not suppressed)."""
        return any(d is not None and d.published for d in self.distributions)


@dataclass(frozen=True)
class SpecialtyOutcomes(PublishedFigures):
    """One specialty's Charting Outcomes figures for non-US IMGs: its published figures and the
    competition for its positions."""

    specialty: str  # the Charting Outcomes name
    positions: int
    all_applicants: int

    @property
    def applicants_per_position(self) -> float:
        """All applicants preferring the specialty per position (competition)."""
        return self.all_applicants / self.positions


def _read(name: str) -> list[dict[str, str]]:
    return bundled_rows("reference", name)


def _num(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def _distribution(row: dict[str, str] | None) -> Distribution | None:
    if row is None:
        return None
    return Distribution(
        n=int(row["n"]),
        q1=_num(row["q1"]),
        median=_num(row["median"]),
        q3=_num(row["q3"]),
        mean=_num(row["mean"]),
        sd=_num(row["sd"]),
        minimum=_num(row["min"]),
        maximum=_num(row["max"]),
    )


@cache
def charting_outcomes() -> tuple[SpecialtyOutcomes, ...]:
    """Every specialty of the Charting Outcomes 2026 non-US IMG summary, largest first."""
    measures: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in _read("co_img_2026_measures_by_specialty.csv"):
        measures[(row["specialty"], row["cohort"], row["measure"])] = row
    out = []
    for row in _read("co_img_2026_specialty_summary.csv"):
        name = row["specialty"]
        out.append(
            SpecialtyOutcomes(
                specialty=name,
                positions=int(row["positions_offered"]),
                all_applicants=int(row["all_applicants_preferring_specialty"]),
                matched=int(row["img_matched"]),
                not_matched=int(row["img_not_matched"]),
                step2ck_matched=_distribution(measures.get((name, "matched", STEP2CK))),
                step2ck_not_matched=_distribution(measures.get((name, "not_matched", STEP2CK))),
                ranks_matched=_distribution(measures.get((name, "matched", RANKS))),
                ranks_not_matched=_distribution(measures.get((name, "not_matched", RANKS))),
            )
        )
    return tuple(sorted(out, key=lambda o: -o.applicants))


def outcomes_for(charting_name: str) -> SpecialtyOutcomes | None:
    """The row for a Charting Outcomes specialty name, or None when it is not in the report."""
    for o in charting_outcomes():
        if o.specialty == charting_name:
            return o
    return None


@cache
def pooled_step2ck_medians() -> tuple[float, float]:
    """Step 2 CK medians of matched and unmatched non-US IMGs, all 24 specialties pooled
    (NRMP Charting Outcomes 2026, Table 2)."""
    for row in bundled_rows("reference", "co_img_2026_overall_table2.csv"):
        if row["measure"] == STEP2CK and row["statistic"] == "median":
            return float(row["matched_value"]), float(row["not_matched_value"])
    raise DataUnavailable("co_img_2026_overall_table2.csv has no Step 2 CK median row")


def other_group_step2ck(applicant_type: str) -> str:
    """The one sentence for an applicant who is not a non-US IMG: NRMP does publish Step 2 CK
    figures by specialty for their group, but the only Charting Outcomes report SmartPick
    carries is the non-US IMG one. Every face (the list's reasons, the plan, the page) says it
    in these words."""
    words = GROUP_WORDS.get(applicant_type, "your group")
    return (
        f"NRMP publishes Step 2 CK figures by specialty for {words} in a report of their own, "
        f"but the only one included in SmartPick's data is its 2026 report on non-US IMGs"
    )


def unpublished_step2ck(specialty: str, step2ck: int | None) -> str:
    """The one rule for a specialty whose non-US IMG Step 2 CK figures were not published
    (Pediatrics, Psychiatry, Neurology, Pathology): say so, and place the score only against the
    published all-specialty medians, never against an estimated specialty median. Every face (the
    list's reasons, the plan, the PDF) says it in these words."""
    matched, unmatched = pooled_step2ck_medians()
    line = (
        f"No Step 2 CK figures for non-US IMGs in {specialty} are in the published 2026 data "
        f"SmartPick uses. Across all specialties, matched non-US IMGs' median Step 2 CK was "
        f"{matched:.0f} and unmatched {unmatched:.0f} ({SOURCE})"
    )
    if step2ck is None:
        return line
    if step2ck >= matched:
        where = "at or above both"
    elif step2ck >= unmatched:
        where = "between the two"
    else:
        where = "below both"
    return line + f": your {step2ck} is {where}"
