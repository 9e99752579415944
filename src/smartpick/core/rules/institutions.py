"""Which catalog programs an institution the applicant typed stands for (USCE, connections).

One matcher for the model's "you rotated here" tie and for the pages that say what each entered
institution matched. Names are normalised first (case, accents, punctuation, "Saint"/"St."/"St"
-> "st", "Mount"/"Mt" -> "mt", a possessive "'s" dropped, the words "program" and "residency"
dropped), then compared with `rapidfuzz`'s token-set ratio, which scores 100 when every word typed
is in the program's name ("St Vincent Hospital" in "St Vincent Hospital Program"). A part after
the last comma that names the program's city or state narrows the match ("Saint Vincent Hospital,
Worcester"); a comma that is part of a name is kept (the whole text is tried too).

Only names with a distinctive word match: "a community hospital" or "university hospital" alone
stands for no program.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from smartpick.core.geography import STATE_NAMES
from smartpick.core.programs import Program, once_per_program

MATCH_SCORE = 92  # token-set ratio from which a name stands for a program
SUGGEST_SCORE = 70  # ... from which a name is offered as a suggestion
SUGGESTIONS = 3
_SAME = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft", "hosp": "hospital",
         "ctr": "center", "centre": "center", "med": "medical", "univ": "university"}  # fmt: skip
_DROPPED = {"program", "programs", "residency", "the"}
# Words that appear in many names: a name made only of these (and short words) is too vague.
GENERIC = {
    "a", "an", "of", "and", "at", "in", "for", "hospital", "hospitals", "medical", "center",
    "centers", "university", "health", "healthcare", "care", "system", "clinic", "regional",
    "community", "general", "school", "medicine", "college", "state", "affiliated", "public",
    "site", "sites", "core", "rotation", "rotations", "us", "county", "memorial", "network",
}  # fmt: skip


@lru_cache(maxsize=16384)
def normalize(name: str) -> str:
    """A name as compared: lower case, no accents or punctuation, common spellings unified."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"['’]s\b", "", text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(_SAME.get(w, w) for w in words if w not in _DROPPED)


def distinctive(name: str) -> bool:
    """True when a normalised name has a word that is not generic (it can stand for a place)."""
    return any(w not in GENERIC and not w.isdigit() for w in name.split())


def _place_of(text: str) -> tuple[str, str | None]:
    """(name, place) when the text ends with ", <place>"; (text, None) otherwise."""
    name, sep, place = text.rpartition(",")
    if not sep or not name.strip() or not place.strip():
        return text, None
    return name, normalize(place)


_STATE_WORDS = {normalize(n) for n in STATE_NAMES.values()}


def _in_place(place: str, p: Program) -> bool:
    city = normalize(p.city.value or "")
    state = p.state.value or ""
    return place in (city, state.casefold(), normalize(STATE_NAMES.get(state, "")))


@once_per_program  # no applicant changes a program's names: normalised once per process
def _names(p: Program) -> tuple[str, ...]:
    return tuple(normalize(n) for n in (p.name, p.institution.value or "") if n)


def _is_state(place: str) -> bool:
    return place.upper() in STATE_NAMES or place in _STATE_WORDS


def _queries(entered: str) -> list[tuple[str, str | None]]:
    """The (normalised name, place or None) pairs a typed institution is tried as."""
    name, place = _place_of(entered)
    tries: list[tuple[str, str | None]] = [(normalize(name), place)] if place else []
    if place is None or not _is_state(place):  # the comma may be part of the name
        tries.append((normalize(entered), None))
    return [(query, where) for query, where in tries if distinctive(query) and len(query) >= 4]


def matches(entered: str, programs: Sequence[Program]) -> list[bool]:
    """For each program, whether the typed institution stands for it (by name, in its place if
    given): the text is read once and the names compared in one pass."""
    hit = [False] * len(programs)
    for query, where in _queries(entered):
        names = [
            (i, n)
            for i, p in enumerate(programs)
            if not hit[i] and (where is None or _in_place(where, p))
            for n in _names(p)
        ]
        found = process.extract(
            query,
            [n for _, n in names],
            scorer=fuzz.token_set_ratio,
            processor=None,
            score_cutoff=MATCH_SCORE,
            limit=None,
        )
        for _, _, k in found:
            hit[names[k][0]] = True
    return hit


@dataclass(frozen=True)
class InstitutionMatch:
    """What one typed institution matched in the catalog."""

    entered: str
    programs: tuple[Program, ...]  # the programs it stands for
    suggestions: tuple[str, ...]  # close names when it matched none ("Name (City, ST)")

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "entered": self.entered,
            "programs": [
                {"program_id": p.id, "name": p.name, "city": p.city.value, "state": p.state.value}
                for p in self.programs
            ],
            "suggestions": list(self.suggestions),
        }

    @property
    def sentence(self) -> str:
        """What it matched, in plain words."""
        if self.programs:
            places = sorted({f"{p.city.value}, {p.state.value}" for p in self.programs})
            shown = "; ".join(sorted({p.name for p in self.programs})[:4])
            more = "" if len(places) == 1 else " (in several places: add the city after a comma)"
            return (
                f'"{self.entered}" matched {len(self.programs)} program'
                f"{'' if len(self.programs) == 1 else 's'}: {shown} ({'; '.join(places[:4])})"
                f"{more}."
            )
        if self.suggestions:
            return (
                f'"{self.entered}" matched no program in the catalog. Did you mean: '
                + "; ".join(self.suggestions)
                + "?"
            )
        return f'"{self.entered}" matched no program in the catalog.'


@once_per_program  # as `_names`
def _suggestion(p: Program) -> tuple[str, str]:
    """A program's name as compared for a suggestion, and as shown."""
    return normalize(p.name), f"{p.name} ({p.city.value}, {p.state.value})"


def match_institution(entered: str, programs: Sequence[Program]) -> InstitutionMatch:
    """The programs a typed institution stands for, or suggestions when none."""
    matched = tuple(p for p, hit in zip(programs, matches(entered, programs), strict=True) if hit)
    if matched:
        return InstitutionMatch(entered, matched, ())
    query = normalize(_place_of(entered)[0])
    if not distinctive(query):
        return InstitutionMatch(entered, (), ())
    labels = dict(map(_suggestion, programs))
    found = process.extract(
        query, list(labels), scorer=fuzz.WRatio, limit=SUGGESTIONS, score_cutoff=SUGGEST_SCORE
    )
    return InstitutionMatch(entered, (), tuple(labels[name] for name, _, _ in found))
