"""How a profile's free-form values are read: aliases, states, specialties, lists, text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pycountry
from pydantic_core import PydanticCustomError

from smartpick.core.geography import STATES
from smartpick.core.specialties import resolve_specialty
from smartpick.errors import InvalidInput

STATE_CODES = frozenset(STATES)

VISA_ALIASES = {
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
TYPE_ALIASES = {
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
STEP1_ALIASES = {
    "pass": "pass",
    "passed": "pass",
    "fail_then_pass": "fail_then_pass",
    "fail then pass": "fail_then_pass",
    "failed then passed": "fail_then_pass",
}


def no_boolean(value: Any) -> Any:
    """`value`, unless it is a yes/no value: no profile field is one, and a file's `true` must not
    be read as the number 1 (Python's bool is an int)."""
    if isinstance(value, bool):
        raise PydanticCustomError("bool_not_number", "a yes/no value is not allowed here")
    return value


def clean_text(value: Any) -> Any:
    """Free text as a person means it: trimmed, empty as not given, no control characters."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise ValueError("must not contain control characters (line breaks, tabs...)")
    return text or None


def as_list(value: Any, what: str) -> list[Any]:
    """A list field's items: one string counts as a list of one; anything else but a list is an
    error (a file may hold `null` or a number where a list belongs)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    raise ValueError(f"must be a list of {what}, e.g. [] for none; got {str(value)[:40]!r}")


def alias(value: Any, aliases: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        found = aliases.get(value.strip().casefold())
        if found is None:
            allowed = ", ".join(sorted(set(aliases.values())))
            raise ValueError(f"'{value}' is not allowed; use one of {allowed}")
        return found
    return value


def check_specialty(name: Any) -> str:
    try:
        return resolve_specialty(str(name)).name
    except InvalidInput as err:
        # Drop resolve_specialty's own field prefix: pydantic's location names the field.
        raise ValueError(err.message.split(": ", 1)[-1]) from None


def check_state(code: Any) -> str:
    text = str(code).strip().upper()
    if text not in STATE_CODES:
        raise ValueError(f"'{code}' is not a two-letter US state or territory code (e.g. TX, NY)")
    return text


# Names people use that ISO 3166 (pycountry) spells otherwise.
COUNTRY_ALIASES = {"burma": "MM", "turkey": "TR", "russia": "RU", "ivory coast": "CI"}


def country_code(text: str) -> str:
    """The ISO 3166 two-letter code of a country given by name or code (ValueError if none)."""
    key = text.strip().casefold()
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    try:
        return str(pycountry.countries.lookup(text.strip()).alpha_2)
    except LookupError:
        pass
    try:
        found = pycountry.countries.search_fuzzy(text.strip())
    except LookupError:
        found = []
    if len(found) == 1:
        return str(found[0].alpha_2)
    hint = (
        "; did you mean " + " or ".join(country_name(c.alpha_2) for c in found[:3]) if found else ""
    )
    raise ValueError(
        f"'{text[:40]}' is not a country; give its name (e.g. India) or its two-letter code "
        f"(e.g. IN){hint}"
    )


def country_name(code: str) -> str:
    """The everyday name of a country from its two-letter code."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)
