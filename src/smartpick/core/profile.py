"""The applicant profile: a validated description of one applicant, loaded from TOML or JSON.

Every value a user gives is checked here; a bad one raises `InvalidInput` naming the field and the
allowed range. Specialty names are checked against the catalog's names with a "did you mean".

What-if changes (used by the strategy advisor) go through `ApplicantProfile.with_changes`, which
returns a new, revalidated profile; the accepted keys are listed in `WHAT_IF_KEYS`.
"""

from __future__ import annotations

import datetime as _dt
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from smartpick.core.specialties import resolve_specialty
from smartpick.errors import InvalidInput, NotFound

ApplicantType = Literal["non_us_img", "us_img", "us_md", "us_do"]
VisaNeed = Literal["none", "j1", "h1b", "either"]
Step1Result = Literal["pass", "fail_then_pass"]
UsceKind = Literal["hands_on", "observership"]

REGIONS = ("Northeast", "Midwest", "South", "West")
# USPS codes of the states, DC and the territories that host ACGME programs.
_STATE_TEXT = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
)
STATE_CODES = frozenset(_STATE_TEXT.split(" "))

_VISA_ALIASES = {
    "none": "none",
    "no": "none",
    "j1": "j1",
    "j-1": "j1",
    "h1b": "h1b",
    "h-1b": "h1b",
    "either": "either",
    "j1_or_h1b": "either",
    "j-1 or h-1b": "either",
}
_TYPE_ALIASES = {
    "non_us_img": "non_us_img",
    "non-us img": "non_us_img",
    "non-us-img": "non_us_img",
    "us_img": "us_img",
    "us img": "us_img",
    "us-img": "us_img",
    "us-citizen img": "us_img",
    "us_md": "us_md",
    "us md": "us_md",
    "md": "us_md",
    "us_do": "us_do",
    "us do": "us_do",
    "do": "us_do",
}
_STEP1_ALIASES = {
    "pass": "pass",
    "passed": "pass",
    "fail_then_pass": "fail_then_pass",
    "fail then pass": "fail_then_pass",
    "failed then passed": "fail_then_pass",
}


def current_match_year(today: _dt.date | None = None) -> int:
    """The Match year of the season now open: ERAS opens in June for the next March's Match."""
    today = today or _dt.date.today()
    return today.year + 1 if today.month >= 6 else today.year


class UsceEntry(BaseModel):
    """One block of US clinical experience."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    months: float = Field(ge=0, le=120, description="Length in months (0-120).")
    kind: UsceKind = Field(
        description="hands_on (externship, sub-internship, core rotation) or observership."
    )
    institution: str | None = Field(default=None, description="Hospital or university name.")
    program_id: str | None = Field(default=None, description="Catalog program id, if known.")
    state: str | None = Field(default=None, description="Two-letter state code.")
    specialty: str | None = Field(default=None, description="Specialty of the rotation.")

    @field_validator("state")
    @classmethod
    def _state(cls, value: str | None) -> str | None:
        return None if value is None else _check_state(value)

    @field_validator("specialty")
    @classmethod
    def _specialty(cls, value: str | None) -> str | None:
        return None if value is None else _check_specialty(value)


class ApplicantProfile(BaseModel):
    """Everything SmartPick needs to know about one applicant. Unknown optional values are None."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, description="A label for this profile (not shown).")
    applicant_type: ApplicantType = Field(
        default="non_us_img",
        description="non_us_img, us_img (US-citizen IMG), us_md or us_do.",
    )
    visa: VisaNeed = Field(
        default="none", description="Visa needed to train: none, j1, h1b or either (J-1 or H-1B)."
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
    match_year: int = Field(
        default_factory=current_match_year,
        ge=2020,
        le=2100,
        description="The Match this profile applies to (default: the season now open).",
    )
    graduation_year: int = Field(
        ge=1950, description="Year of medical school graduation (not after the Match year)."
    )
    usce: tuple[UsceEntry, ...] = Field(default=(), description="US clinical experience blocks.")
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
    research_institution: str | None = Field(default=None, description="Where the research was.")
    languages: tuple[str, ...] = Field(default=(), description="Languages spoken besides English.")
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
    budget_usd: float | None = Field(
        default=None, ge=0, le=100_000, description="Application fee budget in US dollars."
    )

    # --- validators -------------------------------------------------------------------------

    @field_validator("applicant_type", mode="before")
    @classmethod
    def _applicant_type(cls, value: Any) -> Any:
        return _alias(value, _TYPE_ALIASES)

    @field_validator("visa", mode="before")
    @classmethod
    def _visa(cls, value: Any) -> Any:
        return _alias(value, _VISA_ALIASES)

    @field_validator("step1", mode="before")
    @classmethod
    def _step1(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be a score 1-300, 'pass' or 'fail_then_pass'")
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit():
                value = int(text)
            elif text.casefold() in ("", "none", "not_taken", "not taken"):
                return None
            else:
                found = _STEP1_ALIASES.get(text.casefold().replace("-", " ").replace(",", ""))
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
        if isinstance(value, str):
            value = [value]
        names = [_check_specialty(v) for v in value]
        return tuple(dict.fromkeys(names))

    @field_validator("us_letters_by_specialty", mode="before")
    @classmethod
    def _letters_by_specialty(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        return {_check_specialty(k): v for k, v in value.items()}

    @field_validator("preferred_states", "ties_states", mode="before")
    @classmethod
    def _states(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        return tuple(dict.fromkeys(_check_state(v) for v in value))

    @field_validator("preferred_regions", mode="before")
    @classmethod
    def _regions(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        out = []
        for v in value:
            match = [r for r in REGIONS if r.casefold() == str(v).strip().casefold()]
            if not match:
                raise ValueError(f"'{v}' is not a Census region; allowed: {', '.join(REGIONS)}")
            out.append(match[0])
        return tuple(dict.fromkeys(out))

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        return tuple(dict.fromkeys(str(v).strip().title() for v in value if str(v).strip()))

    @model_validator(mode="after")
    def _consistent(self) -> ApplicantProfile:
        if self.graduation_year > self.match_year:
            raise ValueError(
                f"graduation_year: {self.graduation_year} is in the future; allowed "
                f"1950-{self.match_year} (the Match year)"
            )
        for specialty, count in self.us_letters_by_specialty.items():
            if not 0 <= count <= self.us_letters:
                raise ValueError(
                    f"us_letters_by_specialty: {count} letters in {specialty} is out of range; "
                    f"allowed 0-{self.us_letters} (us_letters)"
                )
        if sum(self.us_letters_by_specialty.values()) > self.us_letters:
            raise ValueError(
                "us_letters_by_specialty: the counts add up to more than us_letters "
                f"({self.us_letters})"
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
    def failed_attempts(self) -> int:
        """Failed USMLE attempts across Step 1, Step 2 CK and Step 3."""
        step1 = self.step1_attempts - 1 if self.step1 is not None else 0
        if self.step1 == "fail_then_pass":
            step1 = max(step1, 1)
        step3 = self.step3_attempts - 1 if self.step3 is not None else 0
        return step1 + (self.step2ck_attempts - 1) + step3

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

    # --- what-if ----------------------------------------------------------------------------

    def with_changes(self, changes: Mapping[str, Any]) -> ApplicantProfile:
        """A new, revalidated profile with what-if changes applied (keys: `WHAT_IF_KEYS`).

        Any profile field can be replaced by name. Derived keys:
        `usce_hands_on_months` / `usce_months` (total hands-on months wanted: an extra hands-on
        block is added when it is more than now), `add_usce_hands_on_months` (months to add),
        `add_us_letters_in` ({specialty: n}: n more US letters from that specialty),
        `add_specialty` (a second specialty), `add_publications`, `add_abstracts`, `add_posters`.
        """
        data = self.model_dump()
        for key, value in changes.items():
            if key not in WHAT_IF_KEYS:
                raise InvalidInput(
                    f"{key}: not a what-if key. Allowed: {', '.join(sorted(WHAT_IF_KEYS))}.",
                    field=key,
                )
            if key in ("usce_months", "usce_hands_on_months"):
                extra = _number(key, value) - self.usce_hands_on_months
                if extra > 0:
                    data["usce"] = [*data["usce"], _what_if_usce(extra)]
            elif key == "add_usce_hands_on_months":
                data["usce"] = [*data["usce"], _what_if_usce(_number(key, value))]
            elif key == "add_us_letters_in":
                if not isinstance(value, Mapping):
                    raise InvalidInput(f"{key}: expected {{specialty: count}}", field=key)
                by = dict(data["us_letters_by_specialty"])
                for specialty, n in value.items():
                    name = resolve_specialty(specialty, field=key).name
                    count = int(_number(key, n))
                    by[name] = by.get(name, 0) + count
                    data["us_letters"] += count
                data["us_letters_by_specialty"] = by
            elif key == "add_specialty":
                data["specialties"] = [*data["specialties"], value]
            elif key.startswith("add_"):
                target = key.removeprefix("add_")
                data[target] = data[target] + int(_number(key, value))
            else:
                data[key] = value
        return profile_from_dict(data)


_DERIVED_WHAT_IF = (
    "usce_months",
    "usce_hands_on_months",
    "add_usce_hands_on_months",
    "add_us_letters_in",
    "add_specialty",
    "add_publications",
    "add_abstracts",
    "add_posters",
)
WHAT_IF_KEYS: frozenset[str] = frozenset((*ApplicantProfile.model_fields, *_DERIVED_WHAT_IF))


def _what_if_usce(months: float) -> dict[str, Any]:
    return {"months": months, "kind": "hands_on", "institution": "(what-if)"}


def _number(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{field}: expected a number, got {value!r}", field=field)
    if value < 0:
        raise InvalidInput(f"{field}: {value} is negative; allowed 0 or more", field=field)
    return float(value)


def _alias(value: Any, aliases: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        found = aliases.get(value.strip().casefold())
        if found is None:
            allowed = ", ".join(sorted(set(aliases.values())))
            raise ValueError(f"'{value}' is not allowed; use one of {allowed}")
        return found
    return value


def _check_specialty(name: Any) -> str:
    try:
        return resolve_specialty(str(name)).name
    except InvalidInput as err:
        # Drop resolve_specialty's own field prefix: pydantic's location names the field.
        raise ValueError(err.message.split(": ", 1)[-1]) from None


def _check_state(code: Any) -> str:
    text = str(code).strip().upper()
    if text not in STATE_CODES:
        raise ValueError(f"'{code}' is not a two-letter US state or territory code (e.g. TX, NY)")
    return text


# --- loading -------------------------------------------------------------------------------


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not out:
            out = part
        elif part in ("int", "str") or part.startswith(("literal[", "function-")):
            continue  # pydantic's union-member labels, not field names
        else:
            out += f".{part}"
    return out


def _bounds(loc: tuple[int | str, ...]) -> str | None:
    """The allowed range of the field at `loc`, from its declared constraints."""
    names = [p for p in loc if isinstance(p, str)]
    model: type[BaseModel] = UsceEntry if names[:1] == ["usce"] else ApplicantProfile
    name = names[1] if model is UsceEntry and len(names) > 1 else names[0] if names else ""
    info = model.model_fields.get(name)
    if info is None:
        return None
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    if lo is None and hi is None:
        return None
    if hi is None:
        return f"allowed {lo} or more"
    return f"allowed {lo if lo is not None else 'up'} to {hi}"


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bounds = _bounds(tuple(error["loc"]))
        return f"{given!r} is out of range; {bounds or error['msg'].lower()}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a profile field"
    if kind in ("too_short", "too_long"):
        return error["msg"].lower()
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


def profile_from_dict(data: Mapping[str, Any]) -> ApplicantProfile:
    """Validate a mapping into a profile; InvalidInput names every bad field and its range."""
    try:
        return ApplicantProfile.model_validate(dict(data))
    except ValidationError as err:
        problems: list[str] = []
        first_field: str | None = None
        seen: set[str] = set()
        for e in err.errors():
            where = _location(tuple(e["loc"]))
            text = _message(e)
            if not where and ":" in text:  # model-level checks name the field themselves
                line = text
                where = text.split(":", 1)[0]
            else:
                line = f"{where}: {text}" if where else text
            if line in seen:
                continue
            seen.add(line)
            problems.append(line)
            first_field = first_field or where or None
        raise InvalidInput("; ".join(problems), field=first_field) from None


def load_profile(path: str | Path) -> ApplicantProfile:
    """Load a profile from a .toml or .json file."""
    file = Path(path)
    if not file.is_file():
        raise NotFound(f"profile: no such file '{file}'", field="profile")
    text = file.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if file.suffix.lower() == ".json" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as err:
        raise InvalidInput(f"profile: '{file.name}' is not valid TOML/JSON: {err}") from None
    if not isinstance(data, dict):
        raise InvalidInput("profile: the file must hold a table/object of fields", field="profile")
    return profile_from_dict(data)


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of a profile file."""
    return ApplicantProfile.model_json_schema()


EXAMPLE_PROFILE_TOML = """\
# SmartPick applicant profile (TOML). The guide's sample applicant:
# a non-US IMG with Step 1 209, Step 2 CK 224, no Step 3, aiming at Internal Medicine,
# with limited US clinical experience, who needs a J-1 visa.
# Fields you leave out take the default shown in `smartpick profile schema`.

name = "guide-sample"
applicant_type = "non_us_img"   # non_us_img | us_img (US-citizen IMG) | us_md | us_do
visa = "j1"                     # none | j1 | h1b | either (J-1 or H-1B)

step1 = 209                     # a score 1-300, "pass", or "fail_then_pass"
step1_attempts = 1              # 2 or more means a failed attempt (a red flag)
step2ck = 224                   # 1-300
step2ck_attempts = 1
# step3 = 232                   # leave out when Step 3 is not taken

match_year = 2027               # the Match you apply to
graduation_year = 2025          # not after match_year

# US letters of recommendation, and how many come from each specialty.
us_letters = 1
us_letters_by_specialty = { "Internal Medicine" = 1 }

# Research output
abstracts = 0
posters = 0
publications = 0
research_months = 0

languages = []                  # besides English, e.g. ["Spanish"]
specialties = ["Internal Medicine"]
preferred_regions = []          # Northeast | Midwest | South | West
preferred_states = []           # two-letter codes, e.g. ["OH", "MI"]
ties_states = []                # states of residence, family or other ties
# budget_usd = 1500             # application fee budget

# US clinical experience: one block per rotation. kind = "hands_on" or "observership".
[[usce]]
months = 1
kind = "observership"
institution = "a community hospital"
specialty = "Internal Medicine"
"""


def example_profile_toml() -> str:
    """A commented example profile (the guide's sample applicant) as TOML text."""
    return EXAMPLE_PROFILE_TOML
