"""Dated US visa policy facts that change an IMG's options: the H-1B payment and entry limits.

Both come from bundled, replaceable files (`data/reference/policy/`, built by
`scripts/build_reference.py` from the project's research notes): secondary reports of presidential
proclamations, each with its date and sources. Rules like these change, so every sentence built
here names its source and date and says to check the current rule.

- H-1B: since 21 September 2025 a new H-1B petition for someone outside the US carries a one-time
  $100,000 payment (Proclamation of 19 September 2025), announced for 12 months unless extended;
  physicians may be exempted case by case. A J-1 (sponsored by ECFMG) is not affected.
- Entry: the Proclamation of 4 June 2025 (effective 9 June 2025) fully suspends visas for the
  nationals of 12 countries (J-1 and H-1B included) and partly for 7 more (J visas included,
  H-1B not listed).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cache

from smartpick.core.bundled import bundled_rows
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.values import country_name

H1B_FILE = ("reference", "policy", "h1b_payment_2025.csv")
ENTRY_FILE = ("reference", "policy", "us_entry_restrictions_2025.csv")
CHECK = "check the current rule before you rely on it"
EXCEPTIONS = (
    "Exceptions include a valid visa issued before 9 June 2025, dual nationals travelling on "
    "another passport, and case-by-case national-interest exceptions"
)


def _day(d: _dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class H1bPayment:
    """The one-time payment on new H-1B petitions, with its dates and sources."""

    payment_usd: int
    effective: _dt.date
    announced_until: _dt.date
    proclamation: str
    exceptions: str
    sources: tuple[str, ...]

    def note(self, today: _dt.date) -> str:
        """The fact for an H-1B applicant, dated and sourced."""
        text = (
            f"Since {_day(self.effective)}, a new H-1B petition for someone outside the US "
            f"carries a one-time ${self.payment_usd:,} payment ({self.proclamation}). Programs may "
            "sponsor fewer H-1B visas than their stated policy says; physicians may be exempted "
            f"case by case. A J-1 is not affected. Source: {self.sources[0]}"
        )
        if self.past_announced_end(today):
            text += (
                f". It was announced until {_day(self.announced_until)} unless extended; "
                "whether it was extended is not known to SmartPick"
            )
        return text + f"; {CHECK}."

    def past_announced_end(self, today: _dt.date) -> bool:
        """Whether `today` is after the date the payment was announced until (its extension is
        not known)."""
        return today > self.announced_until

    def in_force(self, today: _dt.date) -> str:
        """ "since <date> a new H-1B petition carries a one-time $<n> payment", for a sentence
        about it; once `today` is past the date it was announced until, with that date and that
        its extension is not known."""
        text = (
            f"since {_day(self.effective)} a new H-1B petition carries a one-time "
            f"${self.payment_usd:,} payment"
        )
        if self.past_announced_end(today):
            text += (
                f" (announced until {_day(self.announced_until)}; whether it was extended is "
                "not known to SmartPick)"
            )
        return text


@cache
def h1b_payment() -> H1bPayment:
    """The H-1B payment facts of the bundled file."""
    rows = {r["fact"]: r for r in bundled_rows(*H1B_FILE)}
    pay = rows["payment_usd"]
    return H1bPayment(
        payment_usd=int(pay["value"]),
        effective=_dt.date.fromisoformat(pay["effective"]),
        announced_until=_dt.date.fromisoformat(pay["until"]),
        proclamation=rows["proclamation"]["statement"].rstrip("."),
        exceptions=rows["exceptions"]["statement"],
        sources=tuple(u.strip() for u in pay["source_urls"].split(";") if u.strip()),
    )


def fact_possibly_outdated(fact_year: int | None) -> bool:
    """True for an H-1B sponsorship fact that may predate the payment (dated in or before the
    year it took effect, or undated): programs may sponsor fewer H-1B visas since then."""
    return fact_year is None or fact_year <= h1b_payment().effective.year


@dataclass(frozen=True)
class EntryRestriction:
    """A current US entry restriction on one country's nationals."""

    country: str  # ISO two-letter code
    name: str
    level: str  # "full" or "partial"
    visas_affected: str
    effective: _dt.date
    source_url: str

    @property
    def blocks_h1b(self) -> bool:
        """Only the full restriction covers H-1B."""
        return self.level == "full"

    def note(self) -> str:
        """What it means for a residency applicant, dated and sourced."""
        if self.blocks_h1b:
            means = (
                "both a J-1 and an H-1B visa are suspended, so you could not enter to train on "
                "either unless an exception applies"
            )
        else:
            means = (
                "J visas (the J-1 for residency) are suspended but H-1B is not listed, so an "
                "H-1B (which needs a passed Step 3 and a program that sponsors it) may be the "
                "only visa route"
            )
        return (
            f"A US entry restriction applies to nationals of {self.name} ({self.level}, effective "
            f"{_day(self.effective)}, Proclamation of 4 June 2025): {means}. {EXCEPTIONS}. "
            f"Source: {self.source_url}; {CHECK}."
        )

    def closes(self, visa: str) -> bool:
        """Whether it shuts every route the applicant's visa need allows: a full restriction,
        or a partial one (J visas only) for an applicant who can take only a J-1."""
        return self.blocks_h1b or visa == "j1"

    def condition(self, visa: str) -> str:
        """What the chances and the list assume given the restriction, for the top of every face
        (the page, `smartpick recommend`, the plan's summary): the chances are kept, and said to
        hold only if the restriction is lifted or an exception applies."""
        dated = (
            "These numbers hold only if you can enter the US to train. US entry restriction "
            f"(Proclamation of 4 June 2025, effective {_day(self.effective)}):"
        )
        tail = f"{EXCEPTIONS}. Source: {self.source_url}; {CHECK}."
        if self.closes(visa):
            suspended = "a J-1 or an H-1B visa" if self.blocks_h1b else "a J-1 visa"
            return (
                f"{dated} nationals of {self.name} cannot currently get {suspended}, so you could "
                "not enter the US to train. The chance and the list shown hold only if the "
                "restriction is lifted before you would start, or an exception applies to you; "
                f"otherwise your chance of starting residency is 0%. {tail}"
            )
        return (
            f"{dated} nationals of {self.name} cannot currently get a J visa, which includes the "
            "J-1 for residency; H-1B is not listed. The chance and the list shown count programs "
            "that take only a J-1, which hold only if the restriction is lifted or an exception "
            f"applies to you. {tail}"
        )


@cache
def entry_restrictions() -> dict[str, EntryRestriction]:
    """The restricted countries by ISO code."""
    out = {}
    for row in bundled_rows(*ENTRY_FILE):
        code = row["iso2"].strip().upper()
        out[code] = EntryRestriction(
            country=code,
            name=country_name(code),
            level=row["restriction"].strip(),
            visas_affected=row["visas_affected"],
            effective=_dt.date.fromisoformat(row["effective"]),
            source_url=row["source_url"],
        )
    return out


def entry_restriction(profile: ApplicantProfile) -> EntryRestriction | None:
    """The entry restriction on the applicant's country, for one who needs a visa."""
    if profile.citizenship is None or profile.visa == "none":
        return None
    return entry_restrictions().get(profile.citizenship)


def entry_condition(profile: ApplicantProfile) -> str | None:
    """The restriction's sentence for the top of every face showing a chance (`condition`), or
    None when none applies or it leaves the applicant's only visa (an H-1B) open."""
    restriction = entry_restriction(profile)
    if restriction is None or (profile.visa == "h1b" and not restriction.blocks_h1b):
        return None
    return restriction.condition(profile.visa)
