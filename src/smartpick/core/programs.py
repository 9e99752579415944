"""The residency program as the core sees it: every field is a `Fact` with its source and year.

An unknown value is `Fact(None, ...)`: it is never filled in with a guess. Where two sources
disagree, the newer value is the fact's value and the older ones are kept in `conflicts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

# "none_listed" is FREIDA's empty visa list: neither a stated "no" nor unknown.
VisaStatus = Literal["yes", "no", "none_listed"]
Setting = Literal["university", "university_affiliated_community", "community", "military"]
Track = Literal["categorical", "preliminary", "advanced", "single"]

SETTINGS: tuple[Setting, ...] = (
    "university",
    "university_affiliated_community",
    "community",
    "military",
)


@dataclass(frozen=True)
class Fact(Generic[T]):
    """One value with where it came from. `value is None` means unknown."""

    value: T | None
    source: str | None = None  # e.g. "FREIDA 2025", "AAMC Residency Explorer 2021", "user import"
    year: int | None = None
    conflicts: tuple[Fact[T], ...] = ()

    @property
    def known(self) -> bool:
        """True when the value is stated by some source."""
        return self.value is not None


UNKNOWN: Fact[object] = Fact(None)


@dataclass(frozen=True)
class NrmpResult:
    """NRMP Main Match quota and matched count for one year (source kept)."""

    year: int
    quota: int
    matched: int
    source: str


@dataclass(frozen=True)
class Program:
    """A residency program track. `id` is unique, stable and URL-safe (ACGME code + track)."""

    id: str
    acgme_code: str
    name: str
    specialty: str
    track: Track
    institution: Fact[str] = field(default_factory=lambda: Fact(None))
    city: Fact[str] = field(default_factory=lambda: Fact(None))
    state: Fact[str] = field(default_factory=lambda: Fact(None))
    region: Fact[str] = field(default_factory=lambda: Fact(None))  # Census region
    division: Fact[str] = field(default_factory=lambda: Fact(None))  # Census division
    latitude: Fact[float] = field(default_factory=lambda: Fact(None))
    longitude: Fact[float] = field(default_factory=lambda: Fact(None))
    setting: Fact[Setting] = field(default_factory=lambda: Fact(None))
    pgy1_positions: Fact[int] = field(default_factory=lambda: Fact(None))
    visa_j1: Fact[VisaStatus] = field(default_factory=lambda: Fact(None))
    visa_h1b: Fact[VisaStatus] = field(default_factory=lambda: Fact(None))
    visa_f1: Fact[VisaStatus] = field(default_factory=lambda: Fact(None))
    pct_non_us_img: Fact[float] = field(default_factory=lambda: Fact(None))  # 0-100
    pct_us_img: Fact[float] = field(default_factory=lambda: Fact(None))
    pct_us_md: Fact[float] = field(default_factory=lambda: Fact(None))
    pct_do: Fact[float] = field(default_factory=lambda: Fact(None))
    pct_img_any: Fact[float] = field(default_factory=lambda: Fact(None))  # FREIDA: all IMGs
    applications_received: Fact[int] = field(default_factory=lambda: Fact(None))
    pct_interviewed: Fact[float] = field(default_factory=lambda: Fact(None))  # 0-100
    interviews_conducted: Fact[int] = field(default_factory=lambda: Fact(None))
    step1_range: Fact[str] = field(default_factory=lambda: Fact(None))  # e.g. "210-225"
    eras: Fact[bool] = field(default_factory=lambda: Fact(None))
    nrmp: Fact[bool] = field(default_factory=lambda: Fact(None))
    accepting_applications: Fact[bool] = field(default_factory=lambda: Fact(None))
    board_pass_rate: Fact[float] = field(default_factory=lambda: Fact(None))  # 0-100
    nrmp_results: tuple[NrmpResult, ...] = ()
    accreditation: Fact[str] = field(default_factory=lambda: Fact(None))  # ACGME status
    website: Fact[str] = field(default_factory=lambda: Fact(None))
    # Caveats found while building the catalog (e.g. a name taken from OCR-garbled text).
    data_notes: tuple[str, ...] = ()
    # Facts a user imported from their own spreadsheet (source "user import").
    min_step1: Fact[int] = field(default_factory=lambda: Fact(None))
    min_step2ck: Fact[int] = field(default_factory=lambda: Fact(None))
    max_years_since_graduation: Fact[int] = field(default_factory=lambda: Fact(None))
    usce_required: Fact[bool] = field(default_factory=lambda: Fact(None))
    notes: Fact[str] = field(default_factory=lambda: Fact(None))
