"""ERAS application fees, read from the bundled AAMC schedule (`eras_fees.csv`).

ERAS charges per specialty: the price tiers restart for each specialty an applicant applies to.
Two shapes of schedule exist in the table:

- 2024 (and earlier): a flat fee for the first 10 programs of a specialty, then a per-program fee
  that rises with the count (11-20, 21-30, 31+).
- 2025 and 2026: $11 per program for programs 1-30 of a specialty, $30 from the 31st.

The USMLE transcript fee is charged once per season. The AAMC states it ($80) only on the 2024 page;
for later seasons the most recent stated value is used and its season is reported
(`FeeSchedule.transcript_season`) so nobody mistakes it for a 2026 figure.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from smartpick.core.bundled import bundled_rows
from smartpick.core.rules.season import Season
from smartpick.errors import DataUnavailable, InvalidInput

FeeRule = Literal["flat", "per_program"]
ApplicationType = Literal["residency", "fellowship"]


@dataclass(frozen=True)
class FeeTier:
    """Programs `first`..`last` (1-based, `last` None = no upper end) of one specialty.

    `flat`: one fee covers the whole tier (charged with its first program).
    `per_program`: each program in the tier costs `fee_usd`.
    """

    first: int
    last: int | None
    rule: FeeRule
    fee_usd: int

    def covers(self, position: int) -> bool:
        """True when the `position`-th program of a specialty falls in this tier."""
        return position >= self.first and (self.last is None or position <= self.last)


@dataclass(frozen=True)
class FeeSchedule:
    """One season's ERAS fee schedule for one application type, with its source."""

    season: int
    application_type: ApplicationType
    tiers: tuple[FeeTier, ...]
    transcript_fee_usd: int
    transcript_season: int | None  # season whose page states the transcript fee; None if none
    source_url: str
    requested_season: int | None = None  # the season asked for, when its table is not out yet

    @property
    def note(self) -> str:
        """Which season's table is used, flagged when it is older than the season asked for."""
        if self.requested_season is None or self.requested_season == self.season:
            return f"ERAS {self.season} fee schedule"
        opened = Season(self.requested_season).opened_words(_dt.date.today())
        if opened is None:
            return (
                f"ERAS {self.season} fee schedule, the latest published (the "
                f"{self.requested_season} schedule is not out yet)"
            )
        return (
            f"ERAS {self.season} fee schedule, the latest in SmartPick's data ({opened[0].lower()}"
            f"{opened[1:]}, but its schedule is not in SmartPick's data)"
        )

    def marginal_fee_usd(self, already_in_specialty: int) -> int:
        """Fee of one more program in a specialty that already has `already_in_specialty`."""
        if already_in_specialty < 0:
            raise InvalidInput(
                f"already_in_specialty must be 0 or more, got {already_in_specialty}",
                field="already_in_specialty",
            )
        position = already_in_specialty + 1
        for tier in self.tiers:
            if tier.covers(position):
                if tier.rule == "flat":
                    return tier.fee_usd if position == tier.first else 0
                return tier.fee_usd
        raise DataUnavailable(f"ERAS {self.season} fee schedule has no tier for program {position}")

    def specialty_fee_usd(self, programs: int) -> int:
        """Total fee for `programs` applications in one specialty (tiers start at 1)."""
        if programs < 0:
            raise InvalidInput(f"programs must be 0 or more, got {programs}", field="programs")
        return sum(self.marginal_fee_usd(k) for k in range(programs))

    def total_fee_usd(
        self, programs_by_specialty: Mapping[str, int], *, include_transcript: bool = True
    ) -> int:
        """Fees for a whole application: tiers restart per specialty, plus the transcript fee.

        The transcript fee is charged once when at least one program is applied to.
        """
        programs_fee = sum(self.specialty_fee_usd(n) for n in programs_by_specialty.values())
        applying = any(n > 0 for n in programs_by_specialty.values())
        transcript = self.transcript_fee_usd if include_transcript and applying else 0
        return programs_fee + transcript

    def marginal_fees_usd(self, programs: int) -> tuple[int, ...]:
        """The fee of the 1st, 2nd, ..., `programs`-th application in one specialty."""
        return tuple(self.marginal_fee_usd(k) for k in range(programs))

    def most_applications(self, budget_usd: float, specialties: int, limit: int = 1000) -> int:
        """How many applications a budget pays for, split as evenly as possible over
        `specialties` (tiers restart per specialty), the transcript fee included."""
        count = 0
        while count < limit and self.even_split_fee_usd(count + 1, specialties) <= budget_usd:
            count += 1
        return count

    def even_split_fee_usd(self, count: int, specialties: int) -> int:
        """Fees of `count` applications split as evenly as possible over `specialties`."""
        per = max(specialties, 1)
        return self.total_fee_usd({str(i): count // per + (i < count % per) for i in range(per)})


_RANGE = re.compile(r"^(?:(?P<a>\d+)-(?P<b>\d+)|up to (?P<upto>\d+)|(?P<open>\d+) or more)$")


def _parse_range(text: str) -> tuple[int, int | None]:
    found = _RANGE.match(text.strip())
    if not found:
        raise DataUnavailable(f"eras_fees.csv: cannot read the program range '{text}'")
    if found["upto"]:
        return 1, int(found["upto"])
    if found["open"]:
        return int(found["open"]), None
    return int(found["a"]), int(found["b"])


@cache
def _rows() -> tuple[dict[str, str], ...]:
    return tuple(bundled_rows("reference", "eras_fees.csv"))


def fee_seasons(application_type: ApplicationType = "residency") -> tuple[int, ...]:
    """Seasons with a per-program fee schedule in the bundled table, ascending."""
    return tuple(
        sorted(
            {
                int(r["eras_season"])
                for r in _rows()
                if r["application_type"] == application_type
                and r["programs_per_specialty"] != "USMLE transcript"
            }
        )
    )


@cache
def fee_schedule(
    season: int | None = None,
    application_type: ApplicationType = "residency",
    field: str = "season",
) -> FeeSchedule:
    """The ERAS fee schedule of a season (= its Match year; AAMC, bundled `eras_fees.csv`).

    A season later than the table uses the latest published schedule and says so (`note`);
    None is the latest. Raises InvalidInput naming the seasons available for an earlier season,
    under `field`: what the caller calls the season (a profile's `match_year`).
    """
    seasons = fee_seasons(application_type)
    asked = seasons[-1] if season is None else season
    usable = [s for s in seasons if s <= asked]
    if not usable:
        raise InvalidInput(
            f"{field}: SmartPick has no ERAS {application_type} fee schedule for {asked}; "
            f"allowed {seasons[0]} or later (a season after {seasons[-1]} uses the latest).",
            field=field,
        )
    season = usable[-1]
    tiers: list[FeeTier] = []
    source_url = ""
    for row in _rows():
        if int(row["eras_season"]) != season or row["application_type"] != application_type:
            continue
        if row["programs_per_specialty"] == "USMLE transcript":
            continue
        first, last = _parse_range(row["programs_per_specialty"])
        rule: FeeRule = "flat" if row["fee_rule"] == "flat" else "per_program"
        tiers.append(FeeTier(first, last, rule, int(row["fee_usd"])))
        source_url = row["source_url"]
    tiers.sort(key=lambda t: t.first)
    transcript_fee, transcript_season = _transcript_fee(season)
    return FeeSchedule(
        season=season,
        application_type=application_type,
        tiers=tuple(tiers),
        transcript_fee_usd=transcript_fee,
        transcript_season=transcript_season,
        source_url=source_url,
        requested_season=asked,
    )


def _transcript_fee(season: int) -> tuple[int, int | None]:
    """The USMLE transcript fee stated for the season, else the latest earlier statement."""
    stated = sorted(
        (int(r["eras_season"]), int(r["fee_usd"]))
        for r in _rows()
        if r["programs_per_specialty"] == "USMLE transcript"
    )
    usable = [s for s in stated if s[0] <= season] or stated
    if not usable:
        return 0, None
    year, fee = usable[-1]
    return fee, year


def custom_schedule(
    tiers: tuple[FeeTier, ...], *, transcript_fee_usd: int = 0, season: int = 0
) -> FeeSchedule:
    """A schedule built in code (tests, benchmarks, or a schedule the AAMC has not yet published)."""
    return FeeSchedule(
        season=season,
        application_type="residency",
        tiers=tiers,
        transcript_fee_usd=transcript_fee_usd,
        transcript_season=None,
        source_url="",
    )
