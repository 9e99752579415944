"""ERAS program-signal allowances per specialty and season (bundled `eras_signals.csv`).

Some specialties give two kinds of signal (gold and silver, e.g. Internal Medicine 3 + 12 in the
2025 season), others a single kind (e.g. Family Medicine 5): a single kind is the "gold" level of
the model (`chances.SIGNAL_LEVELS`), the level it prices for a specialty's only signal, and is
called a "signal" wherever a person reads it (`Allowance.name`). A specialty that is not in the
table for a season has no signals.

The table has the 2025 season from the AAMC, and 2024 from a consultancy page (unverified). A later
season that is not in the table uses the latest earlier season, and says so (`Allowance.note`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from smartpick.core.bundled import bundled_rows
from smartpick.core.specialties import resolve_specialty


@dataclass(frozen=True)
class Allowance:
    """How many signals of each kind one applicant may send in one specialty."""

    specialty: str
    gold: int
    silver: int
    season: int | None  # the season whose row was used; None when no row applies
    source_url: str | None
    note: str

    @property
    def total(self) -> int:
        """All signals of any kind."""
        return self.gold + self.silver

    @property
    def single_kind(self) -> bool:
        """One kind of signal (e.g. Family Medicine), not gold and silver."""
        return self.gold > 0 and self.silver == 0

    def name(self, level: str) -> str:
        """What a signal level of the model ("none", "silver", "gold") is called here: "signal"
        where the specialty has one kind, else the level itself."""
        return "signal" if level == "gold" and self.single_kind else level

    def used_words(self, gold_used: int, silver_used: int) -> str:
        """The signals a list uses, in words: "5 of 5 used" for one kind, "3 of 3 gold and 12 of
        12 silver used" for two, "none" where the specialty has no signals."""
        if self.single_kind:
            return f"{gold_used} of {self.gold} used"
        if not self.total:
            return "none"
        return f"{gold_used} of {self.gold} gold and {silver_used} of {self.silver} silver used"


def signal_noun(name: str) -> str:
    """A signal's name (`Allowance.name`) in a sentence: "a signal", "a gold signal"."""
    return "a signal" if name == "signal" else f"a {name} signal"


@cache
def _rows() -> tuple[dict[str, str], ...]:
    return tuple(bundled_rows("reference", "eras_signals.csv"))


def _int(text: str) -> int:
    return int(text) if text.strip() else 0


@cache
def signal_allowance(specialty: str, season: int | None = None) -> Allowance:
    """The signal allowance for a specialty (catalog, AAMC or ERAS name) in an ERAS season.

    Uses the latest season in the table that is not after `season`; a specialty without a row in
    that season has no signals (allowance 0 with a note saying why).
    """
    spec = resolve_specialty(specialty)
    seasons = sorted({int(r["eras_season"]) for r in _rows()})
    season = seasons[-1] if season is None else season
    usable = [s for s in seasons if s <= season]
    if not usable:
        return Allowance(
            spec.name, 0, 0, None, None, f"no ERAS signal table for {season} or earlier"
        )
    used = usable[-1]
    if spec.eras_signals is None:
        return Allowance(spec.name, 0, 0, used, None, "no preference signals in this specialty")
    for row in _rows():
        if int(row["eras_season"]) == used and row["specialty"] == spec.eras_signals:
            single = _int(row["signals_total"])
            gold, silver = (single, 0) if single else (_int(row["gold"]), _int(row["silver"]))
            note = f"ERAS {used} season" + (
                f", the latest published; the {season} numbers may differ" if used != season else ""
            )
            if row["note"].strip():
                note += f"; {row['note'].strip()}"
            return Allowance(spec.name, gold, silver, used, row["source_url"], note)
    return Allowance(
        spec.name, 0, 0, used, None, f"{spec.eras_signals} has no signals in the ERAS {used} table"
    )
