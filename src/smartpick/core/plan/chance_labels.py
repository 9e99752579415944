"""Which number is the applicant's chance, and what every other chance shown next to it is.

The results page, the plan and the PDF show several percentages; only one is the applicant's
chance with their list. The others are labelled here once, in plain words, with their source:
the model's chance for a typical applicant with the same Step 2 CK, the published match rate of
the applicant's group, and the chance if every priced step of the plan is done. US-citizen IMGs
are never given non-US IMG figures: they get the US-IMG row of the published rates, or a plain
"no US-IMG figure" line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from smartpick.core.bundled import bundled_rows
from smartpick.core.chances.outcomes import other_group_step2ck
from smartpick.core.plan.figures import percent
from smartpick.core.profile import ApplicantProfile
from smartpick.core.rules.screens import GROUP_WORDS

YOUR_CHANCE = "Your chance of matching with this list"
ALL_STEPS = "If you do every priced step of your plan"
RATES_FILE = ("reference", "match_rates_by_applicant_type.csv")
_GROUP = {
    "non_us_img": "non-US IMG",
    "us_img": "US IMG",
    "us_md": "US MD senior",
    "us_do": "US DO senior",
}


@dataclass(frozen=True)
class PublishedRate:
    """The latest published first-year match rate of one applicant group, all specialties."""

    group: str
    year: int
    rate: float  # fraction
    source_url: str
    source_type: str

    @property
    def source_words(self) -> str:
        """Where the figure comes from, in plain words, as every face says it ("NRMP Match 2025
        figures, as restated in a public GitHub summary"; the data file's `source_type` is the
        curator's note, "GitHub README citing NRMP Match Data 2025")."""
        if self.source_type.startswith("GitHub"):
            return f"NRMP Match {self.year} figures, as restated in a public GitHub summary"
        return self.source_type

    @property
    def shown(self) -> str:
        """The rate as every face writes it: rounded once, by the shared figure writer."""
        return percent(self.rate)


@cache
def published_rate(applicant_type: str) -> PublishedRate | None:
    """The latest all-specialty PGY-1 match rate of the applicant's group, or None."""
    group = _GROUP.get(applicant_type)
    rows = [
        r
        for r in bundled_rows(*RATES_FILE)
        if r["applicant_type"] == group and r["pgy1_match_rate_pct"]
    ]
    if not rows:
        return None
    row = max(rows, key=lambda r: int(r["match_year"]))
    return PublishedRate(
        group=GROUP_WORDS[applicant_type],
        year=int(row["match_year"]),
        rate=float(row["pgy1_match_rate_pct"]) / 100.0,
        source_url=row["source_url"],
        source_type=row["source_type"],
    )


@dataclass(frozen=True)
class LabelledChance:
    """A percentage shown near the applicant's chance, with what it is."""

    label: str
    value: float | None  # fraction; None when no figure exists
    explanation: str

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {"label": self.label, "value": self.value, "explanation": self.explanation}


@dataclass(frozen=True)
class SpecialtyFigures:
    """One specialty's figures shown next to the applicant's chance (None where none exists)."""

    specialty: str
    # the model's chance for a non-US IMG with the applicant's Step 2 CK who applies as the
    # specialty's applicants typically do
    typical_p_match: float | None
    # the share of non-US IMGs preferring the specialty who matched (Charting Outcomes 2026)
    match_rate: float | None


def other_chances(
    profile: ApplicantProfile, figures: Sequence[SpecialtyFigures]
) -> tuple[LabelledChance, ...]:
    """The chances shown next to the applicant's own, each labelled in plain words: for a
    non-US IMG, each of `figures` (one per specialty applied to) that has them, and one line
    naming the specialties that have none."""
    out: list[LabelledChance] = []
    non_us = profile.applicant_type == "non_us_img"
    several = len(figures) > 1
    if non_us:
        # each explanation in full once, then "as above" for the next specialties
        typical = [f for f in figures if f.typical_p_match is not None and profile.step2ck]
        for k, f in enumerate(typical):
            out.append(_typical(profile.step2ck or 0, f, several=several, again=k > 0))
        for k, f in enumerate(f for f in figures if f.match_rate is not None):
            out.append(_specialty_rate(f, again=k > 0))
        # a specialty with no published rate has no Charting Outcomes row: no model fit either
        missing = " and ".join(f.specialty for f in figures if f.match_rate is None)
        if missing:
            out.append(
                LabelledChance(
                    f"Typical non-US IMG and published match rate, {missing}",
                    None,
                    f"SmartPick's data have no 2026 Charting Outcomes figures for non-US IMGs in "
                    f"{missing}, so neither is shown",
                )
            )
    if profile.applicant_type == "us_img" and figures:
        out.append(
            LabelledChance(
                f"Typical US-citizen IMG in {' and '.join(f.specialty for f in figures)}",
                None,
                other_group_step2ck(profile.applicant_type) + ", so none is shown",
            )
        )
    rate = published_rate(profile.applicant_type)
    if not non_us and rate is not None:
        out.append(
            LabelledChance(
                f"Published match rate, {rate.group}",
                rate.rate,
                f"the share of {rate.group} who matched to a first-year position in "
                f"{rate.year}, all specialties together ({rate.source_words})",
            )
        )
    return tuple(out)


def _typical(step2ck: int, f: SpecialtyFigures, *, several: bool, again: bool) -> LabelledChance:
    return LabelledChance(
        f"A typical non-US IMG with Step 2 CK {step2ck}"
        + (f" in {f.specialty}" if several else ""),
        f.typical_p_match,
        f"as above, for {f.specialty}"
        if again
        else f"the model's chance for a non-US IMG with your Step 2 CK who applies to "
        f"{f.specialty} as its applicants typically do, fitted to published 2026 data; "
        "like your own chance, it counts an applicant with no interview as unmatched; "
        "not your list",
    )


def _specialty_rate(f: SpecialtyFigures, *, again: bool) -> LabelledChance:
    return LabelledChance(
        f"Published match rate, non-US IMGs in {f.specialty}",
        f.match_rate,
        f"as above, for {f.specialty}"
        if again
        else f"the share of non-US IMGs who ranked {f.specialty} first and matched in 2026 "
        "(NRMP Charting Outcomes 2026); all scores together; it counts only applicants "
        "who ranked at least one program, so it leaves out those with no interview",
    )


def not_compared_note(applicant_type: str) -> str:
    """Why an applicant who is not a non-US IMG gets no percentile, and what exists instead."""
    rate = published_rate(applicant_type)
    line = (
        other_group_step2ck(applicant_type) + ", so no percentile is shown. Where your list "
        "compares your Step 2 CK with a specialty's matched applicants, they are non-US IMGs"
    )
    if rate is None:
        return line + "."
    return line + (
        f". The published match rate of {rate.group} in {rate.year}, all specialties together, "
        f"was {rate.shown} ({rate.source_words})."
    )
