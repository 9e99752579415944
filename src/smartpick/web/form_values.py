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

from smartpick.core.geography import STATES, state_code
from smartpick.core.profile import ApplicantProfile, profile_from_dict
from smartpick.core.profile.numbers import parse_number
from smartpick.core.profile.validation import ProfileInvalid
from smartpick.core.profile.whatif import parse_connection
from smartpick.errors import InvalidInput, SmartPickError, field_named
from smartpick.web.form_fields import (
    MAX_SHORTLIST,
    FieldGroup,
    FormField,
    all_fields,
    distinct_program_ids,
)
from smartpick.web.profile_form import USCE_BLOCKS, stray_usce_block, usce_name

LIST_OPTIONS = ("budget_usd", "count", "match_value_usd", "pin", "exclude")


@dataclass
class ParsedForm:
    """The raw values as typed (to refill the form), the cleaned values and per-field errors."""

    raw: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _given(params: Mapping[str, Any], name: str) -> list[str]:
    """Every value given for `name`, empty ones included (a single-valued field given twice is
    an error, not a silent choice of one)."""
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name)]
    value = params.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _getlist(params: Mapping[str, Any], name: str) -> list[str]:
    return [v for v in _given(params, name) if v.strip()]


def _getone(params: Mapping[str, Any], name: str) -> str | None:
    given = _given(params, name)
    return given[-1] if given else None


def parse_form(spec: Sequence[FieldGroup], params: Mapping[str, Any]) -> ParsedForm:
    """Check every field against its range or choices; errors name the field and what is allowed.

    `params` is a multi-dict (Starlette's QueryParams) or a plain dict of lists/strings.
    """
    parsed = ParsedForm()
    params = _by_name(_with_legacy_usce(params))
    for f in all_fields(spec).values():
        if f.kind == "programs":
            _program_ids(parsed, f, _getlist(params, f.name))
            continue
        if f.kind == "states":
            _states(parsed, f, _getlist(params, f.name))
            continue
        if f.kind == "multiselect":
            raw_list = _getlist(params, f.name)
            parsed.raw[f.name] = raw_list
            allowed = {c.value for c in f.choices}
            bad = [v for v in raw_list if v not in allowed]
            if bad:
                shown = ", ".join(repr(b[:40]) for b in bad[:3])
                parsed.errors[f.name] = f"{f.named}: {shown} is not in the list; choose from it."
            elif f.required and not raw_list:
                parsed.errors[f.name] = f"{f.named}: choose at least one."
            parsed.values[f.name] = [v for v in dict.fromkeys(raw_list) if v in allowed]
            continue
        given = _given(params, f.name)
        raw = given[-1] if given else None
        parsed.raw[f.name] = raw
        if len(given) > 1:
            parsed.errors[f.name] = f"{f.named}: given {len(given)} times; give one value."
            parsed.values[f.name] = f.default if f.kind == "select" else None
            continue
        text = (raw or "").strip()
        if not text:
            if f.required:
                parsed.errors[f.name] = f"{f.named} is required: enter {f.allowed}."
            parsed.values[f.name] = f.default if f.kind == "select" else None
            continue
        try:
            parsed.values[f.name] = _value(f, text)
        except InvalidInput as err:
            parsed.errors[f.name] = err.message
    stray = stray_usce_block(str(name) for name in params)
    if stray:
        parsed.errors["_form"] = stray
    _cross_checks(parsed)
    return parsed


def _by_name(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """A multi-dict's values grouped by name in one reading (the form asks for each of its
    fields, about 80, and a multi-dict reads all its values to find a name's); a plain dict as
    it is."""
    multi_items = getattr(params, "multi_items", None)
    if multi_items is None:
        return params
    grouped: dict[str, list[str]] = {}
    for name, value in multi_items():
        grouped.setdefault(name, []).append(value)
    return grouped


def _program_ids(parsed: ParsedForm, f: FormField, raw_list: list[str]) -> None:
    """Catalog ids of pinned or excluded programs: each one well formed, at most MAX_SHORTLIST."""
    parsed.raw[f.name] = raw_list
    ids = distinct_program_ids(raw_list)
    bad = [v for v in ids if not re.fullmatch(f.pattern or "", v)]
    if bad:
        parsed.errors[f.name] = f"{f.named}: {bad[0][:40]!r} is not a catalog program id."
    elif len(ids) > MAX_SHORTLIST:
        parsed.errors[f.name] = f"{f.named}: at most {MAX_SHORTLIST} programs; got {len(ids)}."
    parsed.values[f.name] = [v for v in ids if v not in bad]


def _states(parsed: ParsedForm, f: FormField, raw_list: list[str]) -> None:
    """US states typed as names or codes, comma-separated (or repeated, as share links send)."""
    parts = [p.strip() for raw in raw_list for p in re.split(r"[,;]", raw) if p.strip()]
    parsed.raw[f.name] = ", ".join(parts)
    codes: list[str] = []
    bad: list[str] = []
    for part in parts:
        code = state_code(part) or part.upper()
        if code in STATES:
            codes.append(code)
        else:
            bad.append(part)
    if bad:
        parsed.errors[f.name] = (
            f"{f.named}: {bad[0][:40]!r} is not a US state; write {f.allowed} (e.g. Texas, OH)."
        )
    parsed.values[f.name] = list(dict.fromkeys(codes))


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
            f.name,
            text,
            lo=f.minimum,
            hi=f.maximum,
            whole=f.kind == "number",
            label=f.named,
            allowed=f.allowed,
        )
    if f.kind == "select":
        if text not in {c.value for c in f.choices}:
            raise InvalidInput(f"{f.named} must be {f.allowed}; got {text[:40]!r}.", field=f.name)
        return text
    if len(text) > f.max_length or (f.pattern and not re.fullmatch(f.pattern, text)):
        raise InvalidInput(f"{f.named} must be {f.allowed}; got {text[:40]!r}.", field=f.name)
    return text


def _cross_checks(parsed: ParsedForm) -> None:
    v = parsed.values
    both = sorted(set(v.get("pin") or ()) & set(v.get("exclude") or ()))
    if both and "pin" not in parsed.errors:
        parsed.errors["pin"] = (
            f"Programs you pinned: {', '.join(both)} cannot be both pinned and excluded; "
            "untick one of the two."
        )
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


def in_use(f: FormField, value: Any) -> bool:
    """True when a field holds something other than its default (its disclosure opens)."""
    if value in (None, "", []):
        return False
    if isinstance(value, list | tuple) or isinstance(f.default, list | tuple):
        return list(value) != list(f.default or [])
    return str(value) != str(f.default if f.default is not None else "")


def open_sections(
    spec: Sequence[FieldGroup], values: Mapping[str, Any], errors: Mapping[str, str]
) -> set[str]:
    """The disclosures to show open: optional groups and "more" parts with a value or an error.

    Keys are a group's legend (the group) and "more:" + legend (its secondary fields).
    """
    opened = set()
    for group in spec:
        for f in group.fields:
            if in_use(f, values.get(f.name)) or f.name in errors:
                opened.add(group.legend)
                if f.secondary:
                    opened.add("more:" + group.legend)
    return opened


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
        "connections": [
            parse_connection("connections", part)
            for part in (v.get("connections") or "").split(";")
            if part.strip()
        ],
    }
    for name in ApplicantProfile.model_fields:
        if name not in data and v.get(name) not in (None, ""):
            data[name] = v[name]
    return data


# Profile field (as InvalidInput names it) -> the form field that shows the message.
_PROFILE_TO_FORM = {
    "us_letters_by_specialty": "us_letters_in_specialty",
}
# A profile field the message names otherwise than the label of the field that shows it.
_PROFILE_WORDS = {"us_letters_by_specialty": "US letters in a specialty"}


def _form_field_of(where: str, fields: Mapping[str, FormField]) -> str:
    block = re.match(r"usce\[(\d+)\]\.?(\w+)?", where)
    if block:
        name = usce_name(int(block.group(1)) + 1, block.group(2) or "months")
    else:
        name = _PROFILE_TO_FORM.get(where.split(".")[0], where.split(".")[0])
    return name if name in fields else "_form"


def _add_error(parsed: ParsedForm, fields: Mapping[str, FormField], where: str, line: str) -> None:
    """The profile's message about `where` next to the form field that shows it, naming the
    field by its label (the form's one place for the profile's own messages)."""
    name = _form_field_of(where, fields)
    label = _PROFILE_WORDS.get(where) or (fields[name].named if name in fields else None)
    parsed.errors.setdefault(name, field_named(line, where, label))


def to_profile(spec: Sequence[FieldGroup], parsed: ParsedForm) -> ApplicantProfile | None:
    """Build the validated profile from a parsed form; on failure, add the errors to `parsed`."""
    if not parsed.ok:
        return None
    fields = all_fields(spec)
    try:
        return profile_from_dict(profile_data(parsed.values))
    except ProfileInvalid as err:
        for where, line in err.field_problems:
            _add_error(parsed, fields, where, line)
    except SmartPickError as err:
        _add_error(parsed, fields, err.field or "", err.message)
    return None


def form_values(profile: ApplicantProfile) -> dict[str, Any]:
    """The form values that rebuild this profile exactly (profile files, what-if links)."""
    data = profile.model_dump(mode="json")
    values: dict[str, Any] = {
        k: v
        for k, v in data.items()
        if k not in ("usce", "us_letters_by_specialty", "step1", "connections")
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
    values["connections"] = "; ".join(
        f"{c.program_id or c.institution}: {c.kind}" for c in profile.connections
    )
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
    """The list options of a parsed form: budget, count, value of a match, pins, exclusions."""
    return {k: parsed.values.get(k) for k in LIST_OPTIONS if parsed.values.get(k) not in (None, [])}


def recommend_options(parsed: ParsedForm) -> dict[str, Any]:
    """The list options as `recommend` and `whatif` take them (pins as `must_include`)."""
    options = list_options(parsed)
    renamed = {"must_include": options.pop("pin", []), "exclude": options.pop("exclude", [])}
    return options | {k: v for k, v in renamed.items() if v}
