"""The profile form's values: parsing a query string, and the profile <-> query mapping.

The form is sent with GET, so the results page address carries the whole profile: that address is
the shareable link, and nothing is stored on the server. `profile_query(profile)` -> `parse_form`
-> `to_profile` gives the same profile back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smartpick.core.profile import ApplicantProfile, profile_from_dict
from smartpick.core.profile.numbers import parse_number
from smartpick.core.profile.validation import ProfileInvalid
from smartpick.errors import InvalidInput, SmartPickError
from smartpick.web.profile_form import USCE_BLOCKS, FieldGroup, FormField, all_fields, usce_name

LIST_OPTIONS = ("budget_usd", "count", "match_value_usd")


@dataclass
class ParsedForm:
    """The raw values as typed (to refill the form), the cleaned values and per-field errors."""

    raw: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


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
    """The list options of a parsed form (budget, count, value of a match), as `recommend` and
    `whatif` take them."""
    return {k: parsed.values.get(k) for k in LIST_OPTIONS if parsed.values.get(k) is not None}
