"""Validating a mapping into a profile, with one message per bad field naming its allowed range."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from smartpick.core.profile.applicant import ApplicantProfile
from smartpick.core.profile.entries import Connection, UsceEntry, usce_part_name
from smartpick.core.profile.numbers import allowed_range
from smartpick.core.rules import usmle
from smartpick.errors import InvalidInput


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


def field_bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    """The (ge, le) bounds a model field declares; None where it declares none."""
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


# Patterns a field declares, in words (pydantic would quote the regular expression).
PATTERN_WORDS = {
    usmle.TEST_DATE_PATTERN: "year and month as YYYY-MM (e.g. 2025-06)",
    Connection.model_fields["program_id"].metadata[0].pattern: "a catalog program id: 10 digits "
    "and the track letter (e.g. 1401200932C)",
}
_NUMBER_ERRORS = frozenset(
    {
        "greater_than_equal",
        "less_than_equal",
        "greater_than",
        "less_than",
        "int_parsing",
        "int_from_float",
        "int_type",
        "float_parsing",
        "float_type",
        "finite_number",
        "bool_not_number",
        "number_text",
    }
)


def _field_info(loc: tuple[int | str, ...]) -> FieldInfo | None:
    """The declared field at `loc` of a profile (its own, a USCE block's or a connection's)."""
    names = [p for p in loc if isinstance(p, str)]
    entries: dict[str, type[BaseModel]] = {"usce": UsceEntry, "connections": Connection}
    if len(names) > 1 and names[0] in entries:
        return entries[names[0]].model_fields.get(names[1])
    return ApplicantProfile.model_fields.get(names[0]) if names else None


def allowed_words(info: FieldInfo) -> str | None:
    """What a field allows, in words, from its declared type and constraints (None: nothing to
    say beyond its own checks)."""
    lo, hi = field_bounds(info)
    kind = str(info.annotation)
    number = {a for a in get_args(info.annotation) or (info.annotation,) if a is not type(None)}
    if number in ({int}, {float}):
        return allowed_range(lo, hi, whole=number == {int})
    lengths = [
        (getattr(m, "min_length", None), getattr(m, "max_length", None)) for m in info.metadata
    ]
    shortest = next((a for a, _ in lengths if a is not None), None)
    longest = next((b for _, b in lengths if b is not None), None)
    if "tuple" in kind and longest is not None:
        return f"{shortest or 0} to {longest}" if shortest else f"up to {longest}"
    patterns = [PATTERN_WORDS.get(getattr(m, "pattern", None) or "") for m in info.metadata]
    found = next((p for p in patterns if p), None)
    if found:
        return found
    return f"text up to {longest} characters" if longest is not None else None


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()  # as a TOML or JSON file spells it
    text = value if isinstance(value, str) else repr(value)
    return (
        repr(text[:40] + "…") if len(text) > 40 else repr(text) if isinstance(value, str) else text
    )


def plain_error(error: Mapping[str, Any], allowed: str | None) -> str:
    """One pydantic error in plain words: what is wrong and what is `allowed` (the field's
    allowed values in words), never pydantic's own text. Shared by profiles and the API."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "missing":  # a long list of choices is the form's to show, not a message's
        return f"is required: enter {allowed}" if allowed and len(allowed) <= 80 else "is required"
    if kind == "extra_forbidden":
        return "is not a profile field"
    if kind in ("too_short", "too_long"):
        count = ctx.get("actual_length")
        if allowed is None:
            bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
            allowed = f"at least {bound}" if kind == "too_short" else f"up to {bound}"
        return f"choose {allowed}; got {count}"
    if kind == "literal_error":
        return f"{_shown(given)} is not allowed; use one of {ctx.get('expected', allowed)}"
    if kind == "bool_not_number" and allowed is None:
        return f"{_shown(given)} is not allowed here"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in ("list_type", "tuple_type"):
        return f"must be a list; got {_shown(given)}"
    if kind in ("dict_type", "model_type"):
        return f"must be a table of names and values; got {_shown(given)}"
    if kind in _NUMBER_ERRORS or kind.startswith("string_") or allowed is not None:
        return f"must be {allowed or 'another value'}; got {_shown(given)}"
    return "is not allowed here"


def _message(error: Mapping[str, Any]) -> str:
    info = _field_info(tuple(error["loc"]))
    return plain_error(error, None if info is None else allowed_words(info))


_RANGE_ERRORS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")


def _usce_line(loc: tuple[int | str, ...], error: Mapping[str, Any]) -> str | None:
    """The line about a part of a USCE block, naming the block as the web form does (counted
    from 1) and, for a number out of range, worded as the form words it; None off a block."""
    if len(loc) < 3 or loc[0] != "usce" or not isinstance(loc[1], int):
        return None
    part = str(loc[2])
    name = usce_part_name(loc[1] + 1, part.replace("_", " "))
    given = error.get("input")
    info = UsceEntry.model_fields.get(part)
    if error["type"] in _RANGE_ERRORS and info is not None and isinstance(given, int | float):
        return f"{name} must be {allowed_range(*field_bounds(info), whole=False)}; got {given:g}"
    return f"{name}: {_message(error)}"


class ProfileInvalid(InvalidInput):
    """A profile with bad fields: `field_problems` holds (field path, line) for each."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(line for _, line in problems), field=problems[0][0] or None)
        self.field_problems = problems


def profile_from_dict(data: Mapping[str, Any]) -> ApplicantProfile:
    """Validate a mapping into a profile; InvalidInput names every bad field and its range."""
    try:
        return ApplicantProfile.model_validate(dict(data))
    except ValidationError as err:
        problems: list[tuple[str, str]] = []
        seen: set[str] = set()
        for e in err.errors():
            where = _location(tuple(e["loc"]))
            text = _message(e)
            block_line = _usce_line(tuple(e["loc"]), e)
            if block_line:
                line = block_line
            elif not where and ":" in text:  # model-level checks name the field themselves
                line = text
                where = text.split(":", 1)[0]
            else:
                line = f"{where}: {text}" if where else text
            if line in seen:
                continue
            seen.add(line)
            problems.append((where, line))
        raise ProfileInvalid(problems) from None
