"""The profile form, generated from `ApplicantProfile`: fields, parsing, and profile <-> query.

The form is sent with GET, so the results page address carries the whole profile: that address is
the shareable link, and nothing is stored on the server. Every profile field has a form field
(several US clinical experience blocks, letters per specialty, exam dates, the Match year...), and
`profile_query(profile)` -> `parse_form` -> `to_profile` gives the same profile back.

Bounds, defaults and choices come from the profile model's fields; this module only adds the words
a person reads (labels, hints) and the layout.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic.fields import FieldInfo

from smartpick.core.geography import REGIONS, STATES
from smartpick.core.lists.request import COUNT_RANGE, STOP_MAX_PP
from smartpick.core.profile import ApplicantProfile, UsceEntry, profile_from_dict
from smartpick.core.profile.applicant import ProfileInvalid
from smartpick.core.profile.applicant import field_bounds as _bounds
from smartpick.core.profile.numbers import allowed_range, parse_number
from smartpick.core.rules.season import default_match_year
from smartpick.core.rules.usmle import TEST_DATE_PATTERN
from smartpick.errors import InvalidInput, SmartPickError

USCE_BLOCKS = 8  # the profile allows this many blocks (UsceEntry list max_length)
STEP1_CHOICES = ("pass", "fail_then_pass", "score", "not_taken")
LIST_OPTIONS = ("budget_usd", "count", "stop_pp")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input. `kind`: number, decimal, select, multiselect, text. Ranges are inclusive."""

    name: str
    label: str
    kind: str
    hint: str = ""
    default: Any = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Choice, ...] = ()
    max_length: int = 200
    pattern: str | None = None

    @property
    def allowed(self) -> str:
        """The allowed values in words, used by every error message about this field."""
        if self.kind in ("number", "decimal"):
            return allowed_range(self.minimum, self.maximum, self.kind == "number")
        if self.choices:
            return "one of: " + ", ".join(c.label for c in self.choices)
        if self.pattern:
            return "a month as YYYY-MM (e.g. 2024-05)"
        return f"text up to {self.max_length} characters"


@dataclass(frozen=True)
class FieldGroup:
    legend: str
    fields: tuple[FormField, ...]
    advanced: bool = False
    block: int = 0  # a US clinical experience block (1..USCE_BLOCKS); 0: not a block


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


def _info(name: str, model: type[Any] = ApplicantProfile) -> FieldInfo:
    info: FieldInfo = model.model_fields[name]
    return info


def _max_length(info: FieldInfo, default: int = 200) -> int:
    for meta in info.metadata:
        if getattr(meta, "max_length", None) is not None:
            return int(meta.max_length)
    return default


def _literal_values(info: FieldInfo) -> tuple[str, ...]:
    args = typing.get_args(info.annotation)
    for arg in (info.annotation, *args):
        if typing.get_origin(arg) is typing.Literal:
            return tuple(str(a) for a in typing.get_args(arg))
    return ()


def _number(
    name: str,
    label: str,
    hint: str = "",
    *,
    model: type[Any] = ApplicantProfile,
    field_name: str | None = None,
    decimal: bool = False,
    required: bool = False,
    maximum: float | None = None,
) -> FormField:
    info = _info(field_name or name, model)
    lo, hi = _bounds(info)
    default = info.default if isinstance(info.default, int | float) else None
    return FormField(
        name,
        label,
        "decimal" if decimal else "number",
        hint=hint,
        default=None if isinstance(default, bool) else default,
        required=required,
        minimum=lo,
        maximum=maximum if maximum is not None else hi,
    )


def _select(
    name: str, label: str, labels: Mapping[str, str], hint: str = "", default: Any = None
) -> FormField:
    info = _info(name)
    values = _literal_values(info)
    return FormField(
        name,
        label,
        "select",
        hint=hint,
        default=default if default is not None else info.default,
        choices=tuple(Choice(v, labels.get(v, v)) for v in values),
    )


def _date(name: str, label: str) -> FormField:
    return FormField(
        name,
        label,
        "text",
        hint="Month of the test, YYYY-MM: it decides the passing score.",
        max_length=10,
        pattern=TEST_DATE_PATTERN,
    )


def _text(name: str, label: str, hint: str = "", model: type[Any] = ApplicantProfile) -> FormField:
    return FormField(name, label, "text", hint=hint, max_length=_max_length(_info(name, model)))


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


def usce_name(block: int, part: str) -> str:
    """The query parameter of one part of a USCE block, e.g. `usce-1-months`."""
    return f"usce-{block}-{part}"


def _usce_group(
    block: int, specialties: tuple[Choice, ...], states: tuple[Choice, ...]
) -> FieldGroup:
    kind = _info("kind", UsceEntry)
    return FieldGroup(
        f"US clinical experience, block {block}",
        (
            _number(
                usce_name(block, "months"),
                "Months",
                "Leave empty for no block.",
                model=UsceEntry,
                field_name="months",
                decimal=True,
            ),
            FormField(
                usce_name(block, "kind"),
                "Kind",
                "select",
                hint="Hands-on (externship, sub-internship) counts more than observing.",
                default="hands_on",
                choices=tuple(
                    Choice(v, {"hands_on": "Hands-on", "observership": "Observership"}[v])
                    for v in _literal_values(kind)
                ),
            ),
            FormField(
                usce_name(block, "institution"),
                "Hospital or university",
                "text",
                hint="Its name as programs write it (used for ties to programs).",
                max_length=_max_length(_info("institution", UsceEntry)),
            ),
            FormField(
                usce_name(block, "program_id"),
                "Catalog program id (if known)",
                "text",
                max_length=_max_length(_info("program_id", UsceEntry)),
            ),
            FormField(usce_name(block, "state"), "State", "select", choices=states),
            FormField(usce_name(block, "specialty"), "Specialty", "select", choices=specialties),
        ),
        advanced=block > 1,
        block=block,
    )


def build_form_spec(
    specialties: Sequence[str], today: dt.date | None = None
) -> tuple[FieldGroup, ...]:
    """The form's fields; `specialties` comes from the catalog so the list is never stale."""
    match_year = default_match_year(today)
    state_choices = tuple(Choice(s, s) for s in STATES)
    ordered = _specialty_order(specialties)
    specialty_choices = tuple(Choice(s, s) for s in ordered)
    none = (Choice("", "-"),)
    match_lo, match_hi = _bounds(_info("match_year"))
    return (
        FieldGroup(
            "About you",
            (
                _select(
                    "applicant_type",
                    "Applicant type",
                    {
                        "non_us_img": "Non-US-citizen IMG",
                        "us_img": "US-citizen IMG",
                        "us_md": "US MD senior or graduate",
                        "us_do": "DO senior or graduate",
                    },
                ),
                _select(
                    "visa",
                    "Visa you will need",
                    {
                        "none": "None (citizen or green card)",
                        "j1": "J-1",
                        "h1b": "H-1B",
                        "either": "J-1 or H-1B",
                    },
                    hint="J-1 is sponsored by ECFMG; an H-1B needs a passed Step 3.",
                    default="j1",
                ),
                FormField(
                    "match_year",
                    "Match you apply to",
                    "number",
                    hint=f"The {match_year} Match is the next season you can still enter.",
                    default=match_year,
                    minimum=match_lo,
                    maximum=match_hi,
                ),
                FormField(
                    "graduation_year",
                    "Medical school graduation year",
                    "number",
                    hint="The year you graduated or will graduate (up to the Match year).",
                    default=match_year - 2,
                    required=True,
                    minimum=_bounds(_info("graduation_year"))[0],
                    maximum=match_hi,
                ),
                FormField(
                    "specialties",
                    "Specialties you will apply to",
                    "multiselect",
                    hint="Tick one, or two for a backup (e.g. IM + FM).",
                    default=["Internal Medicine"],
                    required=True,
                    choices=specialty_choices,
                ),
            ),
        ),
        FieldGroup(
            "USMLE",
            (
                _number(
                    "step2ck", "Step 2 CK score", "Your three-digit score; empty if not taken."
                ),
                _number(
                    "step2ck_attempts", "Step 2 CK attempts", "1 if you passed the first time."
                ),
                _date("step2ck_date", "Step 2 CK taken (month)"),
                FormField(
                    "step1",
                    "Step 1 result",
                    "select",
                    hint="Step 1 is pass/fail since 2022; older results may have a score.",
                    default="pass",
                    choices=_choices(
                        ("pass", "Passed"),
                        ("fail_then_pass", "Failed, then passed"),
                        ("score", "Numeric score (enter below)"),
                        ("not_taken", "Not taken yet"),
                    ),
                ),
                FormField(
                    "step1_score",
                    "Step 1 score (if numeric)",
                    "number",
                    hint="Only with 'Numeric score' above.",
                    minimum=1,
                    maximum=300,
                ),
                _number("step1_attempts", "Step 1 attempts", "Attempts in all, including a fail."),
                _date("step1_date", "Step 1 taken (month)"),
                _number("step3", "Step 3 score", "Leave empty if not taken."),
                _number("step3_attempts", "Step 3 attempts"),
                _date("step3_date", "Step 3 taken (month)"),
            ),
        ),
        *(
            _usce_group(b, none + specialty_choices, none + state_choices)
            for b in range(1, USCE_BLOCKS + 1)
        ),
        FieldGroup(
            "US letters",
            (
                _number("us_letters", "US letters of recommendation"),
                FormField(
                    "us_letters_in_specialty",
                    "…of which in your first specialty",
                    "number",
                    default=0,
                    minimum=0,
                    maximum=_bounds(_info("us_letters"))[1],
                ),
                FormField(
                    "other_letters",
                    "…and in other specialties",
                    "text",
                    hint="E.g. 'Family Medicine: 1'; several separated by semicolons.",
                    max_length=300,
                ),
            ),
        ),
        FieldGroup(
            "Research, languages, places",
            (
                _number("abstracts", "Abstracts"),
                _number("posters", "Posters"),
                _number("publications", "Publications"),
                _number("research_months", "Months of research work", decimal=True),
                _text("research_institution", "Where you did research"),
                FormField(
                    "languages",
                    "Languages besides English",
                    "text",
                    hint="Separated by commas, e.g. Spanish, Arabic.",
                    max_length=300,
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
                _text("name", "A name for this profile", "Shown only in your files."),
            ),
            advanced=True,
        ),
        FieldGroup(
            "Your list",
            (
                FormField(
                    "budget_usd",
                    "Fee budget (USD)",
                    "decimal",
                    hint="ERAS fees only; leave empty to let the curve decide.",
                    minimum=_bounds(_info("budget_usd"))[0],
                    maximum=_bounds(_info("budget_usd"))[1],
                ),
                FormField(
                    "count",
                    "Number of applications (at most)",
                    "number",
                    hint="Leave empty to let the curve decide.",
                    minimum=COUNT_RANGE[0],
                    maximum=COUNT_RANGE[1],
                ),
                FormField(
                    "stop_pp",
                    "Stop when one more application adds less than (percentage points)",
                    "decimal",
                    hint="Default 0.5 percentage points of P(match).",
                    minimum=0,
                    maximum=STOP_MAX_PP,
                ),
            ),
        ),
    )


def all_fields(spec: Sequence[FieldGroup]) -> dict[str, FormField]:
    """Fields by name."""
    return {f.name: f for group in spec for f in group.fields}


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


def parse_form(spec: Sequence[FieldGroup], params: Mapping[str, Any]) -> ParsedForm:
    """Check every field against its range or choices; errors name the field and what is allowed.

    `params` is a multi-dict (Starlette's QueryParams) or a plain dict of lists/strings.
    """
    parsed = ParsedForm()
    params = _with_legacy_usce(params)
    for f in all_fields(spec).values():
        if f.kind == "multiselect":
            raw_list = _getlist(params, f.name)
            parsed.raw[f.name] = raw_list
            allowed = {c.value for c in f.choices}
            bad = [v for v in raw_list if v not in allowed]
            if bad:
                shown = ", ".join(repr(b[:40]) for b in bad[:3])
                parsed.errors[f.name] = f"{f.label}: {shown} is not in the list; choose from it."
            elif f.required and not raw_list:
                parsed.errors[f.name] = f"{f.label}: choose at least one."
            parsed.values[f.name] = [v for v in dict.fromkeys(raw_list) if v in allowed]
            continue
        raw = _getone(params, f.name)
        parsed.raw[f.name] = raw
        text = (raw or "").strip()
        if not text:
            if f.required:
                parsed.errors[f.name] = f"{f.label} is required: enter {f.allowed}."
            parsed.values[f.name] = f.default if f.kind == "select" else None
            continue
        try:
            parsed.values[f.name] = _value(f, text)
        except InvalidInput as err:
            parsed.errors[f.name] = err.message
    _cross_checks(parsed)
    return parsed


def _with_legacy_usce(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """Links shared before USCE blocks had one block: `usce_months`, `usce_kind` and
    `usce_institutions` (now read whole, as one institution) stand for block 1."""
    if _getone(params, "usce_months") is None or _getone(params, usce_name(1, "months")):
        return params
    merged: dict[str, Any] = {k: _getlist(params, k) for k in params}
    for old, part in (
        ("usce_months", "months"),
        ("usce_kind", "kind"),
        ("usce_institutions", "institution"),
    ):
        value = _getone(params, old)
        if value is not None:
            merged[usce_name(1, part)] = value
    return merged


def _value(f: FormField, text: str) -> Any:
    if f.kind in ("number", "decimal"):
        return parse_number(
            f.name, text, lo=f.minimum, hi=f.maximum, whole=f.kind == "number", label=f.label
        )
    if f.kind == "select":
        if text not in {c.value for c in f.choices}:
            raise InvalidInput(f"{f.label} must be {f.allowed}; got {text[:40]!r}.", field=f.name)
        return text
    if len(text) > f.max_length or (f.pattern and not re.fullmatch(f.pattern, text)):
        raise InvalidInput(f"{f.label} must be {f.allowed}; got {text[:40]!r}.", field=f.name)
    return text


def _cross_checks(parsed: ParsedForm) -> None:
    v = parsed.values
    if "step1" in parsed.errors or "step1_score" in parsed.errors:
        return
    if v.get("step1") == "score" and v.get("step1_score") is None:
        parsed.errors["step1_score"] = (
            "Step 1 score (if numeric) is required when Step 1 result is 'Numeric score': "
            "enter a whole number from 1 to 300."
        )
    elif v.get("step1") != "score" and v.get("step1_score") is not None:
        parsed.errors["step1_score"] = (
            f"Step 1 score: you typed {v['step1_score']} but chose another Step 1 result; "
            "choose 'Numeric score' to use it, or clear the score."
        )


def defaults(spec: Sequence[FieldGroup]) -> dict[str, Any]:
    """The form's starting values (what a first-time visitor sees)."""
    return {f.name: (f.default if f.default is not None else "") for f in all_fields(spec).values()}


def spec_to_dict(spec: Sequence[FieldGroup]) -> list[dict[str, Any]]:
    """The form description for the JSON twin."""
    return [
        {
            "legend": group.legend,
            "advanced": group.advanced,
            "fields": [{**asdict(f), "allowed": f.allowed} for f in group.fields],
        }
        for group in spec
    ]


# --- form values <-> profile -----------------------------------------------------------------


def _letters(text: str | None, field_name: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in (p for p in (text or "").split(";") if p.strip()):
        name, sep, count = part.rpartition(":")
        if not sep or not name.strip():
            raise InvalidInput(
                f"…and in other specialties: {part.strip()[:40]!r} is not 'Specialty: n'",
                field=field_name,
            )
        out[name.strip()] = int(
            parse_number(field_name, count, lo=0, hi=20, whole=True, label="Letters")
        )
    return out


def profile_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """The profile fields (a dict for `profile_from_dict`) from cleaned form values."""
    v = values
    step1: Any = v.get("step1")
    if step1 == "score":
        step1 = v.get("step1_score")
    elif step1 == "not_taken":
        step1 = None
    usce = []
    for block in range(1, USCE_BLOCKS + 1):
        months = v.get(usce_name(block, "months"))
        if months is None:
            continue
        entry = {"months": months, "kind": v.get(usce_name(block, "kind")) or "hands_on"}
        for part in ("institution", "program_id", "state", "specialty"):
            value = v.get(usce_name(block, part))
            if value:
                entry[part] = value
        usce.append(entry)
    specialties = v.get("specialties") or []
    letters = _letters(v.get("other_letters"), "other_letters")
    if specialties and v.get("us_letters_in_specialty"):
        letters[specialties[0]] = int(v["us_letters_in_specialty"])
    data: dict[str, Any] = {
        "step1": step1,
        "usce": usce,
        "us_letters_by_specialty": letters,
        "languages": [x.strip() for x in (v.get("languages") or "").split(",") if x.strip()],
    }
    for name in ApplicantProfile.model_fields:
        if name not in data and v.get(name) not in (None, ""):
            data[name] = v[name]
    return data


# Profile field (as InvalidInput names it) -> the form field that shows the message.
_PROFILE_TO_FORM = {
    "us_letters_by_specialty": "us_letters_in_specialty",
}


def _form_field_of(where: str, fields: Mapping[str, FormField]) -> str:
    block = re.match(r"usce\[(\d+)\]\.?(\w+)?", where)
    if block:
        name = usce_name(int(block.group(1)) + 1, block.group(2) or "months")
    else:
        name = _PROFILE_TO_FORM.get(where.split(".")[0], where.split(".")[0])
    return name if name in fields else "_form"


def to_profile(spec: Sequence[FieldGroup], parsed: ParsedForm) -> ApplicantProfile | None:
    """Build the validated profile from a parsed form; on failure, add the errors to `parsed`."""
    if not parsed.ok:
        return None
    fields = all_fields(spec)
    try:
        return profile_from_dict(profile_data(parsed.values))
    except ProfileInvalid as err:
        for where, line in err.field_problems:
            parsed.errors.setdefault(_form_field_of(where, fields), line)
    except SmartPickError as err:
        parsed.errors.setdefault(_form_field_of(err.field or "", fields), err.message)
    return None


def form_values(profile: ApplicantProfile) -> dict[str, Any]:
    """The form values that rebuild this profile exactly (profile files, what-if links)."""
    data = profile.model_dump(mode="json")
    values: dict[str, Any] = {
        k: v for k, v in data.items() if k not in ("usce", "us_letters_by_specialty", "step1")
    }
    if isinstance(profile.step1, int):
        values["step1"], values["step1_score"] = "score", profile.step1
    else:
        values["step1"] = profile.step1 or "not_taken"
    for block, entry in enumerate(data["usce"], start=1):
        for part, value in entry.items():
            if value is not None:
                values[usce_name(block, part)] = value
    first = profile.specialties[0]
    letters = dict(profile.us_letters_by_specialty)
    values["us_letters_in_specialty"] = letters.pop(first, 0)
    values["other_letters"] = "; ".join(f"{s}: {n}" for s, n in letters.items())
    values["languages"] = ", ".join(profile.languages)
    return values


def _text_of(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")  # the profile keeps hundredths
    return str(value)


def form_query(values: Mapping[str, Any], spec: Sequence[FieldGroup]) -> list[tuple[str, str]]:
    """Form values as (key, value) pairs for a URL; empty values are left out."""
    pairs: list[tuple[str, str]] = []
    for f in all_fields(spec).values():
        value = values.get(f.name)
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list | tuple):
            pairs.extend((f.name, str(v)) for v in value)
        else:
            pairs.append((f.name, _text_of(value)))
    return pairs


def profile_query(
    profile: ApplicantProfile,
    spec: Sequence[FieldGroup],
    options: Mapping[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """The profile (and list options: budget, count, stop) as the query of its results page."""
    values = form_values(profile)
    values.update({k: v for k, v in (options or {}).items() if k in LIST_OPTIONS})
    return form_query(values, spec)


def list_options(parsed: ParsedForm) -> dict[str, Any]:
    """The list options of a parsed form: budget, count and stopping threshold."""
    return {k: parsed.values.get(k) for k in LIST_OPTIONS if parsed.values.get(k) is not None}
