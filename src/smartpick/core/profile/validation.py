"""Validating a mapping into a profile, with one message per bad field naming its allowed range."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from smartpick.core.profile.applicant import ApplicantProfile
from smartpick.core.profile.entries import UsceEntry, usce_part_name
from smartpick.core.profile.numbers import allowed_range
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


def _bounds(loc: tuple[int | str, ...]) -> str | None:
    """The allowed range of the field at `loc`, from its declared constraints."""
    names = [p for p in loc if isinstance(p, str)]
    model: type[BaseModel] = UsceEntry if names[:1] == ["usce"] else ApplicantProfile
    name = names[1] if model is UsceEntry and len(names) > 1 else names[0] if names else ""
    info = model.model_fields.get(name)
    if info is None:
        return None
    lo, hi = field_bounds(info)
    if lo is None and hi is None:
        return None
    if hi is None:
        return f"allowed {lo} or more"
    return f"allowed {lo if lo is not None else 'up'} to {hi}"


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


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind in _RANGE_ERRORS:
        bounds = _bounds(tuple(error["loc"]))
        shown = repr(given) if len(repr(given)) <= 40 else repr(given)[:40] + "…"
        return f"{shown} is out of range; {bounds or error['msg'].lower()}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a profile field"
    if kind in ("too_short", "too_long"):
        return error["msg"].lower()
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


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
