"""The residency program as the core sees it: every field is a `Fact` with its source and year.

An unknown value is `Fact(None, ...)`: it is never filled in with a guess. Where two sources
disagree, the newer value is the fact's value and the older ones are kept in `conflicts`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
class RateCount:
    """A published interview rate and the number of applicants behind it."""

    rate: float | None  # fraction 0-1 (the site publishes whole percent); None = not shown
    applicants: int | None  # applicants behind the rate


@dataclass(frozen=True)
class ScoreRange:
    """Step 2 CK scores of the applicants a program invited to interview (one group)."""

    lower: float | None
    q1: float | None
    median: float | None
    q3: float | None
    upper: float | None
    reliable: bool  # False for the site's undocumented status flag 3


# Keys of InterviewEvidence's mappings (a key is absent where the site shows nothing).
APPLICANT_TYPES = ("us_md", "us_do", "us_img", "non_us_img")
SIGNALS_IM = ("gold", "silver", "none")
SIGNALS_FM = ("sent", "none")
GEOGRAPHIC = ("aligned", "not_aligned", "no_preference")
HOME_STATE = ("in_state", "out_of_state")
FAILED = ("ever", "never")
SCORE_GROUPS = ("all", *APPLICANT_TYPES)


@dataclass(frozen=True)
class InterviewEvidence:
    """What a program did in one ERAS cycle (AAMC Residency Explorer).

    Rates are fractions 0-1, `None` where the site shows no rate (never 0 for unknown; a
    published 0 is 0, which the site rounds from anything under 0.5%). Signal, geographic,
    home-state and failure rates mix all applicant types; "non_us_img" counts non-US IMGs with
    and without a visa need. Mappings are not part of the hash (they are read-only views).
    """

    source: str  # "AAMC Residency Explorer, 2026 cycle"
    year: int  # 2026
    # "us_md", "us_do", "us_img", "non_us_img": interview rate and applicants of each type
    by_type: Mapping[str, RateCount] = field(hash=False)
    invited: int | None  # applicants invited, all types (IM page layout only)
    # Share of the invited applicants of each type (fractions 0-1, whole percent on the site; IM
    # page layout only, else empty): it narrows the rounded non-US IMG count.
    invited_mix: Mapping[str, float] = field(hash=False)
    interview_rate_all: float | None  # fraction of all applicants invited (IM page layout only)
    # IM: "gold", "silver", "none"; FM: "sent", "none" (all applicant types)
    signal: Mapping[str, RateCount] = field(hash=False)
    geographic: Mapping[str, RateCount] = field(hash=False)  # "aligned", "not_aligned", ...
    home_state: Mapping[str, RateCount] = field(hash=False)  # "in_state", "out_of_state"
    step1_failed: Mapping[str, RateCount] = field(hash=False)  # "ever", "never"
    step2ck_failed: Mapping[str, RateCount] = field(hash=False)  # "ever", "never"
    # "all", "us_md", "us_do", "us_img", "non_us_img"; groups without a shown range are absent
    step2ck_invited: Mapping[str, ScoreRange] = field(hash=False)
    positions_offered: int | None  # Main Match positions of the cycle (IM: categorical)
    positions_filled: int | None
    applications_by_year: Mapping[int, int] = field(hash=False)  # ERAS applicants, 2022..2026
    prior_gme_required: bool | None

    @property
    def publishes_signal_rates(self) -> bool:
        """Whether the cycle shows the program's interview rates by signal: the model's signal
        effect at the program is fitted on them; without them it is a typical program's."""
        return any(rc.rate is not None for rc in self.signal.values())


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
    total_residents: Fact[int] = field(default_factory=lambda: Fact(None))  # all years
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
    # Interview evidence of the program's latest ERAS cycle (IM and FM programs, 2026), if any.
    interview_evidence: InterviewEvidence | None = None


R = TypeVar("R")


def once_per_program(make: Callable[[Program], R]) -> Callable[[Program], R]:
    """`make(program)` computed once per program object and kept for the process: for what no
    applicant changes (a program's sentences, its row's pieces). The bundled programs are shared
    by every request (see the web preload); a program rebuilt from a user's import is another
    object and gets its own. Keyed by the object's id, with the object kept so the id is never
    reused; two threads may both make it once, which is harmless."""
    made: dict[int, tuple[Program, R]] = {}

    def get(program: Program) -> R:
        found = made.get(id(program))
        if found is None or found[0] is not program:
            found = made[id(program)] = (program, make(program))
        return found[1]

    get.__doc__ = make.__doc__
    return get
