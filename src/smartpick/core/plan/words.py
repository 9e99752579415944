"""What-if changes in plain words: "Step 3 score 234", not "step3 = 234".

One place for every face that names a change (the plan's prices, the what-if panel, the CLI).
Keys are the what-if keys of `core.profile.whatif`; a key without words here is shown as its
name with spaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from smartpick.core.plan.figures import count, dollars
from smartpick.core.profile import ApplicantProfile
from smartpick.core.profile.values import VISA_ALIASES
from smartpick.core.profile.whatif import parse_connection
from smartpick.errors import InvalidInput
from smartpick.plain_text import counted, series

_VISA = {
    "none": "no visa needed",
    "j1": "a J-1 visa",
    "h1b": "an H-1B visa",
    "either": "accepting a J-1 or an H-1B visa",
}


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return count(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)


def months(n: float) -> str:
    """A number of months in words: "1 month", "2.5 months"."""
    return counted(float(n), "month", "months")


def programs_of(parts: Sequence[tuple[int | str, str]]) -> str:
    """Programs counted in each specialty, in one phrase: "4 Internal Medicine and 6 Family
    Medicine programs" (a count may be words: "128 of 718")."""
    said = [f"{count(n) if isinstance(n, int) else n} {specialty}" for n, specialty in parts]
    return series(said) + (" program" if len(parts) == 1 and parts[0][0] == 1 else " programs")


def _join(value: Any) -> str:
    items = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]
    return " + ".join(str(v) for v in items)


_CONNECTION = {
    "rotation": "a rotation",
    "alumni": "an alumni tie",
    "faculty": "someone who knows your work",
    "other": "a connection",
}


def _connection(value: Any) -> str:
    """A connection added by a what-if ("ID:kind" or its parsed form) in words."""
    try:
        entry = dict(value) if isinstance(value, Mapping) else parse_connection("", str(value))
    except InvalidInput:
        return f"a connection ({str(value)[:60]})"
    program = entry.get("program_id") or entry.get("institution")
    said = _CONNECTION.get(str(entry.get("kind") or "other"), "a connection")
    return f"{said} at program {program}" if program else said


# A what-if that clears an optional field (`step3=none`), in words.
_CLEARED = {
    "step1": "Step 1 not taken",
    "step2ck": "no Step 2 CK score",
    "step3": "no Step 3 score",
    "budget_usd": "no budget limit",
    "citizenship": "no citizenship given",
}


def change_word(key: str, value: Any, profile: ApplicantProfile | None = None) -> str:
    """One change in plain words."""
    if value is None:
        return _CLEARED.get(key, f"no {key.replace('_', ' ')} given")
    first = profile.specialties[0] if profile is not None else "your first specialty"
    words: dict[str, Any] = {
        "step1": lambda v: f"Step 1 {v}" if isinstance(v, int) else f"Step 1 {v}".replace("_", " "),
        "step2ck": lambda v: f"Step 2 CK score {v}",
        "step3": lambda v: f"Step 3 score {v}",
        "step1_attempts": lambda v: counted(v, "attempt at Step 1", "attempts at Step 1"),
        "step2ck_attempts": lambda v: counted(v, "attempt at Step 2 CK", "attempts at Step 2 CK"),
        "step3_attempts": lambda v: counted(v, "attempt at Step 3", "attempts at Step 3"),
        "usce_months": lambda v: (
            f"{counted(v, 'month', 'months')} of hands-on US clinical experience"
        ),
        "add_usce_hands_on_months": lambda v: (
            f"{counted(v, 'more month', 'more months')} of hands-on US clinical experience"
        ),
        "us_letters_in_specialty": lambda v: f"{counted(v, 'US letter', 'US letters')} in {first}",
        "us_letters": lambda v: counted(v, "US letter", "US letters"),
        "add_us_letters_in": lambda v: (
            "more US letters in " + ", ".join(f"{k} ({n})" for k, n in dict(v).items())
            if isinstance(v, Mapping)
            else f"more US letters ({v})"
        ),
        "posters": lambda v: counted(v, "poster", "posters"),
        "abstracts": lambda v: counted(v, "abstract", "abstracts"),
        "publications": lambda v: counted(v, "publication", "publications"),
        "add_posters": lambda v: counted(v, "more poster", "more posters"),
        "add_abstracts": lambda v: counted(v, "more abstract", "more abstracts"),
        "add_publications": lambda v: counted(v, "more publication", "more publications"),
        "research_months": lambda v: f"{counted(v, 'month', 'months')} of research",
        "specialties": lambda v: f"applying to {_join(v)}",
        "add_specialty": lambda v: f"adding {v}",
        "add_connection": _connection,
        "preferred_regions": lambda v: (
            f"a stated preference for the {_join(v).replace(' + ', ' and ')}"
        ),
        "preferred_states": lambda v: f"a stated preference for {_join(v).replace(' + ', ', ')}",
        "visa": lambda v: _VISA.get(VISA_ALIASES.get(str(v).strip().casefold(), ""), f"visa {v}"),
        "count": lambda v: counted(v, "application", "applications"),
        "budget_usd": lambda v: f"a {dollars(float(v))} budget",
        "graduation_year": lambda v: f"graduating in {v}",
        "match_year": lambda v: f"the {v} Match",
        "usce": lambda v: "a hands-on rotation at a program",
        "usce_at": lambda v: f"the rotation at program {v}",
    }
    say = words.get(key)
    return say(value) if say is not None else f"{key.replace('_', ' ')} {_num(value)}"


def change_words(changes: Mapping[str, Any], profile: ApplicantProfile | None = None) -> str:
    """Several changes in plain words, joined with commas."""
    return ", ".join(change_word(k, v, profile) for k, v in changes.items())
