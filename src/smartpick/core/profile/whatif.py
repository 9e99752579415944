"""What-ifs: the keys a change may use, how a typed value is read, and how it changes a profile.

One table (`WHATIF_KEYS`) serves the CLI's `--set key=value` and its profile options (`--budget`,
`--count`, `--specialty`), the web's `set=` parameter and the advisor's priced steps. Three kinds
of key:

- list options: `count` and `budget_usd` change the list asked for, not the applicant;
- targets and additions: `usce_months` (total hands-on months wanted: a hands-on block is added
  when it is more than now), `add_usce_hands_on_months`, `us_letters_in_specialty` (US letters in
  the first specialty, total wanted), `add_us_letters_in` ("Specialty:n"), `add_specialty`,
  `add_publications`, `add_abstracts`, `add_posters`, `add_connection` ("program id or
  institution:kind", kind rotation, alumni, faculty or other);
- any profile field by name (`step3`, `specialties`, `visa`, ...), checked by the profile itself.

Numbers are plain ASCII digits, finite and within the field's range; an error names the key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic.fields import FieldInfo

from smartpick.core.lists.request import COUNT_RANGE
from smartpick.core.profile.applicant import ApplicantProfile
from smartpick.core.profile.entries import Connection, UsceEntry
from smartpick.core.profile.numbers import check_number, parse_number
from smartpick.core.profile.validation import field_bounds as _bounds
from smartpick.core.profile.validation import profile_from_dict
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import InvalidInput

LIST_FIELDS = ("specialties", "languages", "preferred_states", "preferred_regions", "ties_states")
CONNECTION_KINDS: tuple[str, ...] = tuple(
    str(k)
    for k in Connection.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
)


@dataclass(frozen=True)
class Key:
    """One what-if key: what its value is and its allowed range."""

    name: str
    kind: str  # whole, number, text, list, mapping, profile
    description: str
    lo: float | None = None
    hi: float | None = None


def _field_key(name: str, info: FieldInfo) -> Key:
    lo, hi = _bounds(info)
    annotation = str(info.annotation)
    if name in LIST_FIELDS:
        kind = "list"
    elif name == "us_letters_by_specialty":
        kind = "mapping"
    elif name in ("usce", "connections"):
        kind = "profile"  # a list of blocks: use the usce_months / add_connection keys
    elif name == "step1":
        kind = "step1"
    elif annotation.startswith(("<class 'int'>", "int")):
        kind = "whole"
    elif annotation.startswith(("<class 'float'>", "float")):
        kind = "number"
    else:
        kind = "text"
    return Key(name, kind, info.description or "", lo, hi)


def _key_table() -> dict[str, Key]:
    keys = {name: _field_key(name, info) for name, info in ApplicantProfile.model_fields.items()}
    months_hi = _bounds(UsceEntry.model_fields["months"])[1]
    letters_hi = _bounds(ApplicantProfile.model_fields["us_letters"])[1]
    items_hi = _bounds(ApplicantProfile.model_fields["posters"])[1]
    derived = (
        Key("count", "whole", "Number of applications in the list.", *COUNT_RANGE),
        Key("usce_months", "number", "Total hands-on US clinical months wanted.", 0, months_hi),
        Key("add_usce_hands_on_months", "number", "Hands-on months to add.", 0, months_hi),
        Key(
            "us_letters_in_specialty",
            "whole",
            "US letters in the first specialty, total wanted.",
            0,
            letters_hi,
        ),
        Key("add_us_letters_in", "mapping", "More US letters from a specialty: 'Specialty:n'."),
        Key("add_specialty", "text", "A specialty to add to the list."),
        Key("add_publications", "whole", "Publications to add.", 0, items_hi),
        Key("add_abstracts", "whole", "Abstracts to add.", 0, items_hi),
        Key("add_posters", "whole", "Posters to add.", 0, items_hi),
        Key(
            "add_connection",
            "connection",
            "A connection to add: 'program id or institution:kind' (rotation, alumni, faculty, "
            "other).",
        ),
    )
    keys.update((k.name, k) for k in derived)
    return keys


WHATIF_KEYS: dict[str, Key] = _key_table()
LIST_OPTIONS = ("count", "budget_usd")


def _unknown(key: str) -> InvalidInput:
    return InvalidInput(
        f"{key[:40]}: not a what-if key. Allowed: {', '.join(sorted(WHATIF_KEYS))}.", field="set"
    )


def parse_value(key: str, text: str) -> Any:
    """A typed value for `key` from `text` (`--set key=value`, the web's `set=key=value`)."""
    spec = WHATIF_KEYS.get(key)
    if spec is None:
        raise _unknown(key)
    raw = text.strip()
    if raw.casefold() in ("", "none") and _clearable(key):
        return None
    if spec.kind in ("whole", "number"):
        return parse_number(key, raw, lo=spec.lo, hi=spec.hi, whole=spec.kind == "whole")
    if spec.kind == "step1":
        if raw.isascii() and raw.isdigit():
            return parse_number(key, raw, lo=1, hi=300, whole=True)
        return raw
    if spec.kind == "list":
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if spec.kind == "mapping":
        out: dict[str, int] = {}
        for part in (p for p in raw.split(",") if p.strip()):
            name, sep, count = part.rpartition(":")
            if not sep or not name.strip():
                raise InvalidInput(
                    f"{key}: {part[:40]!r} is not 'Specialty:n' (e.g. Internal Medicine:2)",
                    field=key,
                )
            out[name.strip()] = int(parse_number(key, count, lo=0, hi=20, whole=True))
        return out
    if spec.kind == "connection":
        return parse_connection(key, raw)
    if spec.kind == "profile":
        instead = (
            "add_connection" if key == "connections" else "usce_months or add_usce_hands_on_months"
        )
        raise InvalidInput(f"{key}: cannot be set as text; use {instead}", field=key)
    return raw


def _clearable(key: str) -> bool:
    """True for an optional profile field that may be unknown: `key=none` (or empty) clears it.
    Elsewhere "none" is a value of its own (`visa=none`: no visa needed)."""
    info = ApplicantProfile.model_fields.get(key)
    return info is not None and info.default is None and not info.is_required()


def parse_connection(key: str, text: str) -> dict[str, str]:
    """'program id or institution:kind' as a connection entry (kind "other" when left out)."""
    name, sep, kind = text.strip().rpartition(":")
    if not sep:
        name, kind = text.strip(), "other"
    name, kind = name.strip(), kind.strip().casefold() or "other"
    if kind not in CONNECTION_KINDS or not name:
        raise InvalidInput(
            f"{key}: {text[:60]!r} is not 'program id or institution:kind' with kind "
            f"{', '.join(CONNECTION_KINDS)} (e.g. 1401200932C:rotation)",
            field=key,
        )
    looks_like_id = re.fullmatch(r"\d{10}[A-Za-z]?", name) is not None
    return {"program_id" if looks_like_id else "institution": name, "kind": kind}


def _number(key: str, value: Any) -> int | float:
    spec = WHATIF_KEYS[key]
    return check_number(key, value, lo=spec.lo, hi=spec.hi, whole=spec.kind == "whole")


def _usce_block(months: float) -> dict[str, Any]:
    # Done at no particular place: no institution, as a user who names none enters it (so it is
    # a tie nowhere, and a link or file made from the changed profile is one a user could write).
    return {"months": months, "kind": "hands_on"}


def apply_changes(
    profile: ApplicantProfile, changes: Mapping[str, Any]
) -> tuple[ApplicantProfile, dict[str, Any]]:
    """The changed, revalidated profile and the list options (`count`, `budget_usd`) asked for."""
    data = profile.model_dump()
    options: dict[str, Any] = {}
    first = profile.specialties[0]
    for key, value in changes.items():
        spec = WHATIF_KEYS.get(key)
        if spec is None:
            raise _unknown(key)
        if key in LIST_OPTIONS:
            options[key] = _number(key, value)
        elif key == "usce_months":
            extra = _number(key, value) - profile.usce_hands_on_months
            if extra > 0:
                data["usce"] = [*data["usce"], _usce_block(extra)]
        elif key == "add_usce_hands_on_months":
            data["usce"] = [*data["usce"], _usce_block(_number(key, value))]
        elif key == "us_letters_in_specialty":
            extra = int(_number(key, value)) - profile.letters_in(first)
            if extra > 0:
                _add_letters(data, {first: extra}, key)
        elif key == "add_us_letters_in":
            if not isinstance(value, Mapping):
                raise InvalidInput(f"{key}: expected 'Specialty:n'", field=key)
            _add_letters(data, value, key)
        elif key == "add_specialty":
            data["specialties"] = [*data["specialties"], value]
        elif key == "add_connection":
            entry = parse_connection(key, value) if isinstance(value, str) else dict(value)
            data["connections"] = [*data["connections"], entry]
        elif key.startswith("add_"):
            target = key.removeprefix("add_")
            data[target] = data[target] + int(_number(key, value))
        else:
            if isinstance(value, float) and not math.isfinite(value):
                raise InvalidInput(f"{key}: {value} is not a number in range", field=key)
            data[key] = value
    try:
        return profile_from_dict(data), options
    except InvalidInput as err:
        # Name the what-if keys too: the bad value may be a field the key changes indirectly.
        keys = ", ".join(str(k)[:40] for k in changes)
        raise InvalidInput(
            f"with the change to {keys}, {err.message}", field=err.field or "set"
        ) from None


def _add_letters(data: dict[str, Any], more: Mapping[Any, Any], key: str) -> None:
    by = dict(data["us_letters_by_specialty"])
    for specialty, n in more.items():
        name = resolve_specialty(str(specialty), field=key).name
        count = int(check_number(key, n, lo=0, hi=20, whole=True))
        by[name] = by.get(name, 0) + count
        data["us_letters"] += count
    data["us_letters_by_specialty"] = by
