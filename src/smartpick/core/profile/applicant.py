"""The applicant profile: a validated description of one applicant.

Every value a user gives is checked here, and only here: its bounds and meaning are declared on the
model's fields, and the web form, the API's query model and the CLI are generated from them. A bad
value raises `InvalidInput` naming the field and the allowed range; specialty names are checked
against the catalog's names with a "did you mean". Files are read by `profile.files`, what-ifs are
applied by `profile.whatif`; the repeatable entries (USCE blocks, connections) are in
`profile.entries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from smartpick.core.geography import REGIONS
from smartpick.core.profile.entries import Connection, UsceEntry
from smartpick.core.profile.values import (
    STEP1_ALIASES,
    TYPE_ALIASES,
    VISA_ALIASES,
    alias,
    as_list,
    check_specialty,
    check_state,
    clean_text,
    country_code,
    no_boolean,
)
from smartpick.core.rules import usmle
from smartpick.core.rules.season import default_match_year, match_year_range
from smartpick.core.specialties import resolve_specialty

FIRST_GRADUATION_YEAR = 1950  # the earliest graduation year a profile takes
MATCH_YEARS = match_year_range()  # fixed when SmartPick starts: every face checks the same

ApplicantType = Literal["non_us_img", "us_img", "us_md", "us_do"]
VisaNeed = Literal["none", "j1", "h1b", "either"]
Step1Result = Literal["pass", "fail_then_pass"]


class ApplicantProfile(BaseModel):
    """Everything SmartPick needs to know about one applicant. Unknown optional values are None."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(
        default=None, max_length=80, description="A label for this profile (not shown)."
    )
    applicant_type: ApplicantType = Field(
        default="non_us_img",
        description="non_us_img, us_img (US-citizen IMG), us_md or us_do.",
    )
    visa: VisaNeed = Field(
        default="none", description="Visa needed to train: none, j1, h1b or either (J-1 or H-1B)."
    )
    citizenship: str | None = Field(
        default=None,
        max_length=60,
        description="Country of citizenship: a country name or ISO code (stored as the "
        "two-letter code); used for current US entry restrictions.",
    )
    step1: int | Step1Result | None = Field(
        default=None,
        description="Step 1: a numeric score (1-300), 'pass', 'fail_then_pass', or absent.",
    )
    step1_attempts: int = Field(default=1, ge=1, le=6, description="Attempts at Step 1 (1-6).")
    step2ck: int | None = Field(default=None, ge=1, le=300, description="Step 2 CK score (1-300).")
    step2ck_attempts: int = Field(default=1, ge=1, le=6, description="Attempts at Step 2 CK (1-6).")
    step3: int | None = Field(
        default=None, ge=1, le=300, description="Step 3 score (1-300); absent when not taken."
    )
    step3_attempts: int = Field(default=1, ge=1, le=6, description="Attempts at Step 3 (1-6).")
    step1_date: str | None = Field(
        default=None,
        pattern=usmle.TEST_DATE_PATTERN,
        description="When Step 1 was last taken, YYYY-MM (decides the passing score).",
    )
    step2ck_date: str | None = Field(
        default=None,
        pattern=usmle.TEST_DATE_PATTERN,
        description="When Step 2 CK was last taken, YYYY-MM (decides the passing score).",
    )
    step3_date: str | None = Field(
        default=None,
        pattern=usmle.TEST_DATE_PATTERN,
        description="When Step 3 was last taken, YYYY-MM (decides the passing score).",
    )
    match_year: int = Field(
        default_factory=default_match_year,
        ge=MATCH_YEARS[0],
        le=MATCH_YEARS[1],
        description="The Match this profile applies to (default: the season now open).",
    )
    graduation_year: int = Field(
        ge=FIRST_GRADUATION_YEAR,
        description="Year of medical school graduation (not after the Match year).",
    )
    usce: tuple[UsceEntry, ...] = Field(
        default=(), max_length=8, description="US clinical experience blocks (up to 8)."
    )
    us_letters: int = Field(default=0, ge=0, le=20, description="Letters from US faculty (0-20).")
    us_letters_by_specialty: dict[str, int] = Field(
        default_factory=dict,
        description="How many of the US letters are from each specialty (each 0..us_letters).",
    )
    abstracts: int = Field(default=0, ge=0, le=500, description="Conference abstracts (0-500).")
    posters: int = Field(default=0, ge=0, le=500, description="Posters and presentations (0-500).")
    publications: int = Field(default=0, ge=0, le=500, description="Peer-reviewed papers (0-500).")
    research_months: float = Field(
        default=0, ge=0, le=240, description="Months of research work (0-240)."
    )
    research_institution: str | None = Field(
        default=None, max_length=80, description="Where the research was (up to 80)."
    )
    languages: tuple[str, ...] = Field(
        default=(), max_length=8, description="Languages spoken besides English (up to 8)."
    )
    specialties: tuple[str, ...] = Field(
        min_length=1, max_length=6, description="Target specialties (1-6), catalog names."
    )
    preferred_states: tuple[str, ...] = Field(default=(), description="Two-letter state codes.")
    preferred_regions: tuple[str, ...] = Field(
        default=(), description="Census regions: Northeast, Midwest, South, West."
    )
    ties_states: tuple[str, ...] = Field(
        default=(), description="States of residence, family or other ties (two-letter codes)."
    )
    connections: tuple[Connection, ...] = Field(
        default=(),
        max_length=20,
        description="Programs or institutions where you have a connection (up to 20).",
    )
    budget_usd: float | None = Field(
        default=None, ge=0, le=100_000, description="Application fee budget in US dollars."
    )

    # --- validators -------------------------------------------------------------------------

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean(cls, value: Any) -> Any:
        return no_boolean(value)

    @field_validator("name", "research_institution", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return clean_text(value)

    @field_validator("research_months", "budget_usd", mode="after")
    @classmethod
    def _hundredths(cls, value: float | None) -> float | None:
        # Months and dollars to the hundredth: what a person types, and what a link carries.
        return None if value is None else round(value, 2)

    @field_validator("citizenship", mode="before")
    @classmethod
    def _citizenship(cls, value: Any) -> Any:
        text = clean_text(value)
        return None if text is None else country_code(str(text))

    @field_validator("applicant_type", mode="before")
    @classmethod
    def _applicant_type(cls, value: Any) -> Any:
        return alias(value, TYPE_ALIASES)

    @field_validator("visa", mode="before")
    @classmethod
    def _visa(cls, value: Any) -> Any:
        return alias(value, VISA_ALIASES)

    @field_validator("step1", mode="before")
    @classmethod
    def _step1(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be a score 1-300, 'pass' or 'fail_then_pass'")
        if isinstance(value, str):
            text = value.strip()
            if text.isascii() and text.isdigit() and len(text) <= 3:
                value = int(text)
            elif text.casefold() in ("", "none", "not_taken", "not taken"):
                return None
            else:
                found = STEP1_ALIASES.get(text.casefold().replace("-", " ").replace(",", ""))
                if found is None:
                    raise ValueError(
                        f"'{value}' is not allowed; use a score 1-300, 'pass' or 'fail_then_pass'"
                    )
                return found
        if isinstance(value, int) and not 1 <= value <= 300:
            raise ValueError(f"{value} is out of range; a Step 1 score is 1-300")
        return value

    @field_validator("specialties", mode="before")
    @classmethod
    def _specialties(cls, value: Any) -> Any:
        names = [check_specialty(v) for v in as_list(value, "specialty names")]
        return tuple(dict.fromkeys(names))

    @field_validator("us_letters_by_specialty", mode="before")
    @classmethod
    def _letters_by_specialty(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        if any(isinstance(v, bool) for v in value.values()):
            raise ValueError("each count must be a whole number of letters, not true or false")
        # A specialty with no letters is the same as one not named.
        return {check_specialty(k): v for k, v in value.items() if v != 0}

    @field_validator("preferred_states", "ties_states", mode="before")
    @classmethod
    def _states(cls, value: Any) -> Any:
        codes = as_list(value, "two-letter state codes")
        return tuple(dict.fromkeys(check_state(v) for v in codes))

    @field_validator("preferred_regions", mode="before")
    @classmethod
    def _regions(cls, value: Any) -> Any:
        out = []
        for v in as_list(value, "Census regions"):
            match = [r for r in REGIONS if r.casefold() == str(v).strip().casefold()]
            if not match:
                raise ValueError(f"'{v}' is not a Census region; allowed: {', '.join(REGIONS)}")
            out.append(match[0])
        return tuple(dict.fromkeys(out))

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, value: Any) -> Any:
        names = as_list(value, "language names")
        if any(not isinstance(v, str) or "," in v or len(v) > 30 for v in names):
            raise ValueError("must be a list of language names (up to 30 letters, no commas)")
        return tuple(dict.fromkeys(v.strip().title() for v in names if v.strip()))

    @model_validator(mode="after")
    def _consistent(self) -> ApplicantProfile:
        checked: tuple[tuple[usmle.Exam, int | None, int, str | None], ...] = (
            ("step2ck", self.step2ck, self.step2ck_attempts, self.step2ck_date),
            ("step3", self.step3, self.step3_attempts, self.step3_date),
        )
        for exam, score, attempts, taken in checked:
            if score is None and attempts > 1:
                raise ValueError(
                    f"{exam}_attempts: {attempts} attempts but no {usmle.EXAM_LABEL[exam]} score; "
                    f"give the score of the last attempt (1-300)"
                )
            if score is None and taken is not None:
                raise ValueError(
                    f"{exam}_date: a test date but no {usmle.EXAM_LABEL[exam]} score; give the "
                    "score, or leave the date out"
                )
        for exam, taken in (
            ("step1", self.step1_date),
            ("step2ck", self.step2ck_date),
            ("step3", self.step3_date),
        ):
            if taken is not None and usmle.parse_test_date(taken).year >= self.match_year:
                raise ValueError(
                    f"{exam}_date: {taken} is not before the {self.match_year} Match; allowed "
                    f"up to {self.match_year - 1}-12"
                )
        if self.applicant_type == "non_us_img" and self.citizenship == "US":
            raise ValueError(
                "citizenship: a US citizen is not a non-US-citizen IMG (the applicant type); "
                "choose the applicant type US-citizen IMG, or give your other citizenship"
            )
        if self.applicant_type == "us_img" and self.visa != "none":
            raise ValueError(
                "visa: the applicant type US-citizen IMG needs no visa to train; choose visa "
                "none, or another applicant type"
            )
        if self.applicant_type in ("us_md", "us_do") and self.visa in ("j1", "either"):
            raise ValueError(
                "visa: a J-1 for residency is the ECFMG's, for graduates of medical schools "
                "outside the US; a US MD or DO graduate (the applicant type) who needs a visa "
                "trains on an H-1B. Choose visa H-1B or none, or another applicant type"
            )
        if self.graduation_year > self.match_year:
            raise ValueError(
                f"graduation_year: {self.graduation_year} is after the Match year; allowed "
                f"{FIRST_GRADUATION_YEAR} to {self.match_year} (the Match year)"
            )
        for specialty, count in self.us_letters_by_specialty.items():
            if not 0 <= count <= self.us_letters:
                raise ValueError(
                    f"us_letters_by_specialty: {count} letters in {specialty} is out of range; "
                    f"allowed 0 to {self.us_letters} (your US letters in all)"
                )
        if sum(self.us_letters_by_specialty.values()) > self.us_letters:
            raise ValueError(
                "us_letters_by_specialty: the counts add up to more than your US letters in "
                f"all ({self.us_letters})"
            )
        return self

    # --- derived values ---------------------------------------------------------------------

    @property
    def step1_status(self) -> Literal["score", "pass", "fail_then_pass", "not_taken"]:
        """Step 1 as a status: a numeric score, pass, failed then passed, or not taken."""
        if self.step1 is None:
            return "not_taken"
        if isinstance(self.step1, int):
            return "fail_then_pass" if self.step1_attempts > 1 else "score"
        return self.step1

    @property
    def step1_score(self) -> int | None:
        """The numeric Step 1 score, if one is given."""
        return self.step1 if isinstance(self.step1, int) else None

    def failed_attempts_at(self, exam: usmle.Exam) -> int:
        """Failed attempts at one exam (`rules.usmle.failed_attempts`)."""
        result: int | str | None = {
            "step1": self.step1,
            "step2ck": self.step2ck,
            "step3": self.step3,
        }[exam]
        attempts = {
            "step1": self.step1_attempts,
            "step2ck": self.step2ck_attempts,
            "step3": self.step3_attempts,
        }[exam]
        taken = {"step1": self.step1_date, "step2ck": self.step2ck_date, "step3": self.step3_date}[
            exam
        ]
        return usmle.failed_attempts(exam, result, attempts, taken)

    @property
    def failed_attempts(self) -> int:
        """Failed USMLE attempts across Step 1, Step 2 CK and Step 3 (the one count every part
        of SmartPick uses: model, eligibility and advisor)."""
        return sum(self.failed_attempts_at(exam) for exam in ("step1", "step2ck", "step3"))

    @property
    def step3_passed(self) -> bool:
        """True when Step 3 has a passing score for its test date (`rules.usmle`)."""
        return usmle.passed("step3", self.step3, self.step3_date)

    def pass_mark(self, exam: usmle.Exam) -> usmle.PassMark:
        """The passing score that applies to this applicant's exam (by its test date)."""
        taken = {"step1": self.step1_date, "step2ck": self.step2ck_date, "step3": self.step3_date}[
            exam
        ]
        return usmle.pass_mark(exam, taken)

    @property
    def years_since_graduation(self) -> int:
        """Years between graduation and the Match (0 for a student graduating that year)."""
        return self.match_year - self.graduation_year

    @property
    def usce_hands_on_months(self) -> float:
        """Total hands-on US clinical experience in months."""
        return sum(e.months for e in self.usce if e.kind == "hands_on")

    @property
    def usce_observership_months(self) -> float:
        """Total observership months."""
        return sum(e.months for e in self.usce if e.kind == "observership")

    @property
    def research_items(self) -> int:
        """Abstracts, posters and publications together."""
        return self.abstracts + self.posters + self.publications

    @property
    def needs_visa(self) -> bool:
        """True when the applicant needs a J-1 or H-1B to train."""
        return self.visa != "none"

    def letters_in(self, specialty: str) -> int:
        """US letters written by faculty of this specialty."""
        return self.us_letters_by_specialty.get(resolve_specialty(specialty).name, 0)

    def usce_institutions(self) -> tuple[str, ...]:
        """Institutions and program ids where the applicant rotated (for the prior-rotation tie)."""
        names = [e.institution for e in self.usce if e.institution]
        ids = [e.program_id for e in self.usce if e.program_id]
        return tuple(dict.fromkeys([*names, *ids]))
