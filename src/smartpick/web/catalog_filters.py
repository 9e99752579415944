"""The catalog browser's filters and sort order: one model for the page and its JSON twin.

The JSON twin validates the query with it (FastAPI: a 422 naming the field); the HTML page
validates the same model itself and shows each problem next to its field, with the form kept as
typed. A state may be written as a code or a name ("TX", "Texas"); a visa as "j1", "J-1", ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema

from smartpick.core.geography import REGIONS, STATE_NAMES, STATES, state_code
from smartpick.core.programs import SETTINGS
from smartpick.core.specialties import SPECIALTIES
from smartpick.errors import InvalidInput
from smartpick.service.catalog import MAX_MIN_POSITIONS, NUMERIC_SORTS, SORT_KEYS
from smartpick.web.query_models import BlankIsMissing

# The sort choices as the page names them (numbers sort highest first).
SORT_LABELS = {
    "name": "Program name",
    "state": "State",
    "setting": "Setting",
    "specialty": "Specialty",
    "pgy1_positions": "First-year positions",
    "pct_non_us_img": "Share of non-US IMG residents",
    "nonus_img_interview_rate": "Share of non-US IMGs invited in 2026",
}
_VISAS = {"J1": "j1", "J-1": "j1", "H1B": "h1b", "H-1B": "h1b"}


def _member(values: Sequence[str], *, upper: bool = False) -> Callable[[Any], Any]:
    """A check that a text parameter is one of `values` (upper-cased first when asked)."""

    def check(value: Any) -> Any:
        text = value.strip().upper() if upper and isinstance(value, str) else value
        if text not in values:
            raise ValueError(f"must be one of: {', '.join(values)}")
        return text

    return check


def _state(value: Any) -> Any:
    """A state code from a code or a full name, case-insensitive."""
    if not isinstance(value, str):
        return value
    code = state_code(value) or value.strip().upper()
    if code not in STATES:
        raise ValueError("must be a US state name (e.g. Texas) or its two-letter code (e.g. TX)")
    return code


def _visa(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    found = _VISAS.get(value.strip().upper().replace("_", "-").replace(" ", ""))
    if found is None:
        raise ValueError("must be j1 (J-1 considered) or h1b (H-1B sponsored)")
    return found


def _enum(values: Sequence[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(values)})


_NAMES = [s.name for s in SPECIALTIES]
_STATE_WORDS = [*STATES, *STATE_NAMES.values()]
SpecialtyName = Annotated[str, BeforeValidator(_member(_NAMES)), _enum(_NAMES)]
StateName = Annotated[str, BeforeValidator(_state), _enum(_STATE_WORDS)]
Region = Annotated[str, BeforeValidator(_member(REGIONS)), _enum(REGIONS)]
SettingName = Annotated[str, BeforeValidator(_member(SETTINGS)), _enum(SETTINGS)]
Visa = Annotated[str, BeforeValidator(_visa), _enum(("j1", "h1b"))]


class CatalogFilters(BaseModel):
    """Search, filters and order of the catalog browser; every one is optional."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(None, max_length=100, description="Text in the program or city name.")
    specialty: SpecialtyName | None = Field(None, description="A catalog specialty name.")
    state: StateName | None = Field(
        None, description="A state or territory: two-letter code or name (TX, Texas)."
    )
    region: Region | None = Field(None, description="Census region.")
    setting: SettingName | None = None
    visa: Visa | None = Field(None, description="Only programs stating yes (j1 or h1b).")
    min_non_us_img_pct: float | None = Field(
        None, ge=0, le=100, description="Minimum share of non-US IMG residents, 0-100."
    )
    min_positions: int | None = Field(
        None, ge=0, le=MAX_MIN_POSITIONS, description="Minimum PGY-1 positions."
    )
    min_nonus_img_interview_pct: float | None = Field(
        None,
        ge=0,
        le=100,
        description="Minimum share of non-US IMG applicants the program invited in 2026, 0-100.",
    )
    sort: Literal[SORT_KEYS] = Field(  # type: ignore[valid-type]
        "name", description="Column to sort by (numbers: highest first unless order=asc)."
    )
    order: Literal["asc", "desc"] | None = Field(None, description="asc or desc.")
    page: int = Field(1, ge=1, le=10000)

    def search_args(self) -> dict[str, Any]:
        """The filters as `Catalog.search`/`count` take them (without paging)."""
        return {
            "specialty": self.specialty or None,
            "state": self.state,
            "region": self.region,
            "setting": self.setting,
            "visa": {"j1": "J-1", "h1b": "H-1B"}.get(self.visa or ""),
            "min_non_us_img_pct": self.min_non_us_img_pct,
            "min_positions": self.min_positions,
            "min_nonus_img_interview_pct": self.min_nonus_img_interview_pct,
            "text": self.q or None,
        }

    @property
    def descending(self) -> bool:
        """The order the list is in (numbers highest first unless asked otherwise)."""
        return (self.order or ("desc" if self.sort in NUMERIC_SORTS else "asc")) == "desc"


class CatalogPageFilters(BlankIsMissing, CatalogFilters):
    """The same filters as the HTML form sends them: a blank field means "any"."""


# What each filter is called on the page and what it allows, for messages next to the field.
FILTER_WORDS: dict[str, tuple[str, str]] = {
    "q": ("Name or city", "at most 100 characters"),
    "specialty": ("Specialty", "one of the specialties in the list"),
    "state": ("State", "a US state name (e.g. Texas) or its two-letter code (e.g. TX)"),
    "region": ("Region", "one of " + ", ".join(REGIONS)),
    "setting": ("Setting", "one of the settings in the list"),
    "visa": ("Visa stated", "J-1 or H-1B"),
    "min_non_us_img_pct": ("Min. non-US IMG residents (%)", "a number from 0 to 100"),
    "min_positions": (
        "Min. first-year positions",
        f"a whole number from 0 to {MAX_MIN_POSITIONS}",
    ),
    "min_nonus_img_interview_pct": (
        "Min. non-US IMGs invited in 2026 (%)",
        "a number from 0 to 100",
    ),
    "sort": ("Sort", "one of the table's columns"),
    "order": ("Order", "asc or desc"),
    "page": ("Page", "a whole number from 1"),
}


def repeated_filters(params: Mapping[str, Any]) -> dict[str, int]:
    """How often each filter given more than once was given: each takes one value, and a repeat
    is an error (as on the profile form), not a silent choice of the last."""
    multi_items = getattr(params, "multi_items", None)
    if multi_items is None:
        return {}
    counts = Counter(name for name, _ in multi_items() if name in CatalogFilters.model_fields)
    return {name: n for name, n in counts.items() if n > 1}


def check_not_repeated(params: Mapping[str, Any]) -> None:
    """InvalidInput naming the first filter given more than once (the API's word for it)."""
    repeats = repeated_filters(params)
    if repeats:
        name, n = next(iter(repeats.items()))
        raise InvalidInput(f"{name}: given {n} times; give one value", field=name)


def page_filters(params: Mapping[str, Any]) -> tuple[CatalogFilters, dict[str, str]]:
    """The page's filters, or the default filters and one plain message per bad field."""
    repeats = {
        name: f"{FILTER_WORDS[name][0]}: given {n} times; give one value."
        for name, n in repeated_filters(params).items()
    }
    if repeats:
        kept = {k: v for k, v in params.items() if k not in repeats}
        filters, others = page_filters(kept)
        return filters, {**repeats, **others}
    try:
        return CatalogPageFilters.model_validate(dict(params)), {}
    except ValidationError as err:
        errors: dict[str, str] = {}
        for problem in err.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "q"
            label, allowed = FILTER_WORDS.get(name, (name, "another value"))
            typed = str(params.get(name, ""))[:40]
            errors.setdefault(name, f"{label}: '{typed}' is not allowed; enter {allowed}.")
        kept = {k: v for k, v in params.items() if k not in errors}
        try:
            return CatalogPageFilters.model_validate(kept), errors
        except ValidationError:
            return CatalogPageFilters.model_validate({}), errors
