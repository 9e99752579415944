"""The profile form: its fields (labels, hints, allowed ranges, defaults) and query-string parsing.

The form is sent with GET, so the results page address carries the whole profile: that address is
the shareable link, and nothing is stored on the server. `FormSpec` is data, so the form page and
its JSON twin (`/api/form`) come from the same description.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from smartpick.core.geography import REGIONS
from smartpick.core.profile import STATE_CODES, ApplicantProfile, profile_from_dict
from smartpick.core.rules.season import default_match_year
from smartpick.errors import InvalidInput


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input. `kind`: number, select, multiselect, text. Ranges are inclusive."""

    name: str
    label: str
    kind: str
    hint: str = ""
    default: Any = None
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[Choice, ...] = ()
    max_length: int = 200

    @property
    def allowed(self) -> str:
        """The allowed values in words, used by every error message about this field."""
        if self.kind == "number":
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.kind == "decimal":
            return f"a number from {self.minimum} to {self.maximum}"
        if self.choices:
            return "one of: " + ", ".join(c.label for c in self.choices)
        return f"text up to {self.max_length} characters"


@dataclass(frozen=True)
class FieldGroup:
    legend: str
    fields: tuple[FormField, ...]
    advanced: bool = False


@dataclass
class ParsedForm:
    """The raw values as typed (to refill the form), the cleaned values and per-field errors."""

    raw: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(v, label) for v, label in pairs)


US_STATES = tuple(sorted(STATE_CODES))


# Listed first in the form: the specialties the guide calls "often more open to IMGs" (plus
# Pediatrics), where most of SmartPick's users apply; the others follow alphabetically.
COMMON_FOR_IMGS = (
    "Internal Medicine",
    "Family Medicine",
    "Pediatrics",
    "Psychiatry",
    "Neurology",
    "Pathology",
)


def _specialty_order(names: Sequence[str]) -> list[str]:
    first = [n for n in COMMON_FOR_IMGS if n in names]
    return first + sorted(n for n in names if n not in first)


def build_form_spec(
    specialties: Sequence[str], today: dt.date | None = None
) -> tuple[FieldGroup, ...]:
    """The form's fields; `specialties` comes from the catalog so the list is never stale."""
    match_year = default_match_year(today)
    state_choices = tuple(Choice(s, s) for s in US_STATES)
    return (
        FieldGroup(
            "About you",
            (
                FormField(
                    "applicant_type",
                    "Applicant type",
                    "select",
                    default="non_us_img",
                    choices=_choices(
                        ("non_us_img", "Non-US-citizen IMG"),
                        ("us_img", "US-citizen IMG"),
                        ("us_md", "US MD senior or graduate"),
                        ("us_do", "DO senior or graduate"),
                    ),
                ),
                FormField(
                    "visa",
                    "Visa you will need",
                    "select",
                    hint="J-1 is sponsored by ECFMG; H-1B needs a passed Step 3 at most programs.",
                    default="j1",
                    choices=_choices(
                        ("none", "None (citizen or green card)"),
                        ("j1", "J-1"),
                        ("h1b", "H-1B"),
                        ("either", "J-1 or H-1B"),
                    ),
                ),
                FormField(
                    "graduation_year",
                    "Medical school graduation year",
                    "number",
                    hint=f"The year you graduated or will graduate (applying to the {match_year} Match).",
                    default=match_year - 2,
                    required=True,
                    minimum=1950,
                    maximum=match_year,
                ),
                FormField(
                    "specialties",
                    "Specialties you will apply to",
                    "multiselect",
                    hint="Tick one, or two for a backup (e.g. IM + FM).",
                    default=["Internal Medicine"],
                    required=True,
                    choices=tuple(Choice(s, s) for s in _specialty_order(specialties)),
                ),
            ),
        ),
        FieldGroup(
            "USMLE",
            (
                FormField(
                    "step2ck",
                    "Step 2 CK score",
                    "number",
                    hint="Your three-digit score.",
                    required=True,
                    minimum=1,
                    maximum=300,
                ),
                FormField(
                    "step2ck_attempts",
                    "Step 2 CK attempts",
                    "number",
                    hint="1 if you passed the first time.",
                    default=1,
                    minimum=1,
                    maximum=6,
                ),
                FormField(
                    "step1",
                    "Step 1 result",
                    "select",
                    hint="Step 1 is pass/fail since 2022; older results may have a score.",
                    default="pass",
                    choices=_choices(
                        ("pass", "Passed on the first attempt"),
                        ("fail_then_pass", "Failed, then passed"),
                        ("score", "Numeric score (enter below)"),
                        ("not_taken", "Not taken yet"),
                    ),
                ),
                FormField(
                    "step1_score",
                    "Step 1 score (if numeric)",
                    "number",
                    hint="Leave empty for pass/fail.",
                    minimum=1,
                    maximum=300,
                ),
                FormField(
                    "step3",
                    "Step 3 score",
                    "number",
                    hint="Leave empty if not taken.",
                    minimum=1,
                    maximum=300,
                ),
            ),
        ),
        FieldGroup(
            "US experience and letters",
            (
                FormField(
                    "usce_months",
                    "US clinical experience (months)",
                    "number",
                    default=0,
                    minimum=0,
                    maximum=60,
                ),
                FormField(
                    "usce_kind",
                    "Kind of US clinical experience",
                    "select",
                    hint="Hands-on (externship, sub-internship) counts more than observing.",
                    default="observership",
                    choices=_choices(("hands_on", "Hands-on"), ("observership", "Observership")),
                ),
                FormField(
                    "us_letters",
                    "US letters of recommendation",
                    "number",
                    default=0,
                    minimum=0,
                    maximum=10,
                ),
                FormField(
                    "us_letters_in_specialty",
                    "…of which in your specialty",
                    "number",
                    default=0,
                    minimum=0,
                    maximum=10,
                ),
            ),
        ),
        FieldGroup(
            "Research, languages, places",
            (
                FormField("abstracts", "Abstracts", "number", default=0, minimum=0, maximum=100),
                FormField("posters", "Posters", "number", default=0, minimum=0, maximum=100),
                FormField(
                    "publications", "Publications", "number", default=0, minimum=0, maximum=100
                ),
                FormField(
                    "usce_institutions",
                    "Where you did US clinical work",
                    "text",
                    hint="Institution names, separated by commas; your months are split evenly "
                    "between them (used for ties to programs).",
                    default="",
                ),
                FormField(
                    "languages",
                    "Languages besides English",
                    "text",
                    hint="Separated by commas, e.g. Spanish, Arabic.",
                    default="",
                ),
                FormField(
                    "preferred_regions",
                    "Preferred regions",
                    "multiselect",
                    default=[],
                    choices=tuple(Choice(r, r) for r in REGIONS),
                ),
                FormField(
                    "preferred_states",
                    "Preferred states",
                    "multiselect",
                    default=[],
                    choices=state_choices,
                ),
                FormField(
                    "ties_states",
                    "States where you live or have ties",
                    "multiselect",
                    default=[],
                    choices=state_choices,
                ),
            ),
            advanced=True,
        ),
        FieldGroup(
            "Your list",
            (
                FormField(
                    "budget_usd",
                    "Fee budget (USD)",
                    "number",
                    hint="ERAS fees only; leave empty to let the curve decide.",
                    minimum=0,
                    maximum=20000,
                ),
                FormField(
                    "count",
                    "Number of applications (at most)",
                    "number",
                    hint="Leave empty to let the curve decide.",
                    minimum=1,
                    maximum=400,
                ),
                FormField(
                    "stop_pp",
                    "Stop when one more application adds less than (percentage points)",
                    "decimal",
                    hint="Default 0.5 pp, as in SmartPick's method notes.",
                    default=None,
                    minimum=0,
                    maximum=10,
                ),
            ),
        ),
    )


def all_fields(spec: Sequence[FieldGroup]) -> dict[str, FormField]:
    """Fields by name."""
    return {f.name: f for group in spec for f in group.fields}


def parse_form(spec: Sequence[FieldGroup], params: Mapping[str, Any]) -> ParsedForm:
    """Check every field against its range or choices; errors name the field and what is allowed.

    `params` is a multi-dict (Starlette's QueryParams) or a plain dict of lists/strings.
    """
    parsed = ParsedForm()
    for f in all_fields(spec).values():
        if f.kind == "multiselect":
            raw_list = _getlist(params, f.name)
            parsed.raw[f.name] = raw_list
            bad = [v for v in raw_list if v not in {c.value for c in f.choices}]
            if bad:
                parsed.errors[f.name] = (
                    f"{f.label}: {', '.join(repr(b) for b in bad[:3])} is not in the list; "
                    f"choose from the list shown."
                )
            elif f.required and not raw_list:
                parsed.errors[f.name] = f"{f.label}: choose at least one."
            parsed.values[f.name] = [v for v in raw_list if v not in bad]
            continue
        raw = _getone(params, f.name)
        parsed.raw[f.name] = raw
        text = (raw or "").strip()
        if not text:
            if f.required:
                parsed.errors[f.name] = f"{f.label} is required: enter {f.allowed}."
            parsed.values[f.name] = None if f.kind in ("number", "decimal") else (f.default or "")
            if f.kind == "select":
                parsed.values[f.name] = f.default
            continue
        if f.kind in ("number", "decimal"):
            try:
                number: float = int(text) if f.kind == "number" else float(text)
                if number != number or number in (float("inf"), float("-inf")):
                    raise ValueError(text)
            except ValueError:
                parsed.errors[f.name] = f"{f.label} must be {f.allowed}; got {text[:20]!r}."
                continue
            if (f.minimum is not None and number < f.minimum) or (
                f.maximum is not None and number > f.maximum
            ):
                parsed.errors[f.name] = f"{f.label} must be {f.allowed}; got {number}."
                continue
            parsed.values[f.name] = number
        elif f.kind == "select":
            if text not in {c.value for c in f.choices}:
                parsed.errors[f.name] = f"{f.label} must be {f.allowed}; got {text[:20]!r}."
                continue
            parsed.values[f.name] = text
        else:
            if len(text) > f.max_length:
                parsed.errors[f.name] = f"{f.label} must be {f.allowed}."
                continue
            parsed.values[f.name] = text
    _cross_checks(parsed)
    return parsed


def _cross_checks(parsed: ParsedForm) -> None:
    v = parsed.values
    if v.get("step1") == "score" and v.get("step1_score") is None and "step1" not in parsed.errors:
        parsed.errors["step1_score"] = (
            "Step 1 score (if numeric) is required when Step 1 result is 'Numeric score': "
            "enter a whole number from 1 to 300."
        )
    letters, in_specialty = v.get("us_letters"), v.get("us_letters_in_specialty")
    if isinstance(letters, int) and isinstance(in_specialty, int) and in_specialty > letters:
        parsed.errors["us_letters_in_specialty"] = (
            f"…of which in your specialty must be from 0 to the number of US letters ({letters}); "
            f"got {in_specialty}."
        )


def defaults(spec: Sequence[FieldGroup]) -> dict[str, Any]:
    """The form's starting values (what a first-time visitor sees)."""
    return {f.name: (f.default if f.default is not None else "") for f in all_fields(spec).values()}


def spec_to_dict(spec: Sequence[FieldGroup]) -> list[dict[str, Any]]:
    """The form description for the JSON twin."""
    out = []
    for group in spec:
        out.append(
            {
                "legend": group.legend,
                "advanced": group.advanced,
                "fields": [{**asdict(f), "allowed": f.allowed} for f in group.fields],
            }
        )
    return out


def profile_query(values: Mapping[str, Any], spec: Sequence[FieldGroup]) -> list[tuple[str, str]]:
    """The profile as (key, value) pairs for a URL; empty and default-free values are left out."""
    pairs: list[tuple[str, str]] = []
    for f in all_fields(spec).values():
        value = values.get(f.name)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list):
            pairs.extend((f.name, str(v)) for v in value)
        else:
            pairs.append((f.name, str(value)))
    return pairs


def _getlist(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name) if str(v).strip()]
    value = params.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if str(value).strip() else []


def _getone(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value)


# Profile field (as InvalidInput names it) -> the form field that shows the message.
_PROFILE_TO_FORM = {
    "usce": "usce_months",
    "us_letters_by_specialty": "us_letters_in_specialty",
    "match_year": "graduation_year",
}


def to_profile(spec: Sequence[FieldGroup], parsed: ParsedForm) -> ApplicantProfile | None:
    """Build the validated profile from a parsed form; on failure, add the errors to `parsed`."""
    if not parsed.ok:
        return None
    v = parsed.values
    step1: int | str | None = v.get("step1")
    if step1 == "score":
        step1 = v.get("step1_score")
    elif step1 == "not_taken":
        step1 = None
    usce_months = v.get("usce_months") or 0
    places = [p.strip() for p in (v.get("usce_institutions") or "").split(",") if p.strip()]
    usce = []
    if usce_months > 0:
        for place in places or [None]:
            months = usce_months / max(len(places), 1)
            kind = v.get("usce_kind") or "observership"
            usce.append({"months": months, "kind": kind, "institution": place})
    specialties = v.get("specialties") or []
    in_specialty = v.get("us_letters_in_specialty") or 0
    data: dict[str, Any] = {
        "applicant_type": v.get("applicant_type"),
        "visa": v.get("visa"),
        "step1": step1,
        "step1_attempts": 2 if v.get("step1") == "fail_then_pass" else 1,
        "step2ck": v.get("step2ck"),
        "step2ck_attempts": v.get("step2ck_attempts") or 1,
        "step3": v.get("step3"),
        "graduation_year": v.get("graduation_year"),
        "usce": usce,
        "us_letters": v.get("us_letters") or 0,
        "us_letters_by_specialty": (
            {specialties[0]: in_specialty} if specialties and in_specialty else {}
        ),
        "abstracts": v.get("abstracts") or 0,
        "posters": v.get("posters") or 0,
        "publications": v.get("publications") or 0,
        "languages": [x.strip() for x in (v.get("languages") or "").split(",") if x.strip()],
        "specialties": specialties,
        "preferred_states": v.get("preferred_states") or [],
        "preferred_regions": v.get("preferred_regions") or [],
        "ties_states": v.get("ties_states") or [],
        "budget_usd": v.get("budget_usd"),
    }
    try:
        return profile_from_dict(data)
    except InvalidInput as err:
        for problem in err.message.split("; "):
            where = re.split(r"[.\[:]", problem, maxsplit=1)[0].strip()
            name = _PROFILE_TO_FORM.get(where, where)
            if name not in all_fields(spec):
                name = "_form"
            parsed.errors.setdefault(name, problem)
        return None


class BlankIsMissing(BaseModel):
    """Query models where an empty value (an untouched form field) counts as not given."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _drop_blanks(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            cleaned = {}
            for key, value in data.items():
                if isinstance(value, list):
                    value = [v for v in value if not (isinstance(v, str) and not v.strip())]
                elif isinstance(value, str) and not value.strip():
                    continue
                cleaned[key] = value
            return cleaned
        return data


def query_model(spec: Sequence[FieldGroup]) -> type[BaseModel]:
    """A pydantic model of the form's query parameters, so the API's schema documents them."""
    definitions: dict[str, Any] = {}
    for f in all_fields(spec).values():
        if f.kind == "decimal":
            annotation: Any = float | None
            default = Field(None, ge=f.minimum, le=f.maximum, description=f"{f.label}. {f.hint}")
        elif f.kind == "number":
            annotation = int | None
            default = Field(None, ge=f.minimum, le=f.maximum, description=f"{f.label}. {f.hint}")
            if f.required:
                annotation = int
                default = Field(..., ge=f.minimum, le=f.maximum, description=f.label)
        elif f.kind in ("select", "multiselect"):
            choice = Literal[tuple(c.value for c in f.choices)]  # type: ignore[valid-type]
            if f.kind == "multiselect":
                annotation = list[choice]  # type: ignore[valid-type]
                default = Field(
                    [] if not f.required else ..., description=f"{f.label}. {f.hint}".strip()
                )
                if f.required:
                    annotation = Annotated[list[choice], Field(min_length=1)]  # type: ignore[valid-type]
            else:
                annotation = choice | None
                default = Field(None, description=f"{f.label}. Default {f.default}.")
        else:
            annotation = str | None
            default = Field(None, max_length=f.max_length, description=f"{f.label}. {f.hint}")
        definitions[f.name] = (annotation, default)
    return create_model("ProfileQuery", __config__=ConfigDict(extra="ignore"), **definitions)


# What-if change key (as the advisor names it) -> how it changes the form's values.
def apply_changes_to_form(values: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The form values after a what-if, so "re-run with these changes" is just another link."""
    out = dict(values)
    for key, raw in changes.items():
        value = list(raw) if isinstance(raw, tuple) else raw
        if key == "usce_months":
            out["usce_months"] = max(int(value), int(out.get("usce_months") or 0))
            out["usce_kind"] = "hands_on"
        elif key == "us_letters_in_specialty":
            extra = max(0, int(value) - int(out.get("us_letters_in_specialty") or 0))
            out["us_letters"] = int(out.get("us_letters") or 0) + extra
            out["us_letters_in_specialty"] = max(
                int(value), int(out.get("us_letters_in_specialty") or 0)
            )
        elif key == "specialties":
            out["specialties"] = list(value) if isinstance(value, list) else [value]
        elif key == "step1":
            out["step1"] = value if isinstance(value, str) else "score"
            if not isinstance(value, str):
                out["step1_score"] = value
        elif key in out or key in ("count", "budget_usd", "step3"):
            out[key] = value
    return out


def form_values_from_profile(profile: ApplicantProfile) -> dict[str, Any]:
    """The form values that rebuild this profile (used when a profile file is opened).

    The form holds one block of US clinical experience: hands-on months win when there are any;
    institutions are kept for ties. Letters in the specialty are those of the first specialty.
    """
    hands_on = profile.usce_hands_on_months
    months = hands_on if hands_on > 0 else profile.usce_observership_months
    if isinstance(profile.step1, int):
        step1, step1_score = "score", profile.step1
    else:
        step1, step1_score = (profile.step1 or "not_taken"), None
    if profile.step1_status == "fail_then_pass":
        step1 = "fail_then_pass"
    return {
        "applicant_type": profile.applicant_type,
        "visa": profile.visa,
        "graduation_year": profile.graduation_year,
        "specialties": list(profile.specialties),
        "step2ck": profile.step2ck,
        "step2ck_attempts": profile.step2ck_attempts,
        "step1": step1,
        "step1_score": step1_score if step1 == "score" else None,
        "step3": profile.step3,
        "usce_months": round(months),
        "usce_kind": "hands_on" if hands_on > 0 else "observership",
        "usce_institutions": ", ".join(e.institution for e in profile.usce if e.institution),
        "us_letters": profile.us_letters,
        "us_letters_in_specialty": profile.letters_in(profile.specialties[0]),
        "abstracts": profile.abstracts,
        "posters": profile.posters,
        "publications": profile.publications,
        "languages": ", ".join(profile.languages),
        "preferred_regions": list(profile.preferred_regions),
        "preferred_states": list(profile.preferred_states),
        "ties_states": list(profile.ties_states),
        "budget_usd": None if profile.budget_usd is None else round(profile.budget_usd),
    }
