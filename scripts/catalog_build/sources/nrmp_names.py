"""Matching NRMP program-result rows to catalog programs by name: NRMP codes and name words.

NRMP program codes (e.g. `1903140C0`: institution 1903, specialty 140, track letter C, site 0)
are not ACGME codes, so results are joined by institution name. A name match must reach
MIN_SCORE and be clearly better (MIN_MARGIN) than the next candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog_build.draft import Draft

_ABBREVIATIONS = {
    "u": "university",
    "univ": "university",
    "med": "medical",
    "ctr": "center",
    "ctrs": "centers",
    "hosp": "hospital",
    "hosps": "hospitals",
    "som": "school medicine",
    "com": "college medicine",
    "sch": "school",
    "co": "county",
    "st": "saint",
    "gen": "general",
    "hlth": "health",
    "hlthcare": "healthcare",
    "sys": "system",
    "reg": "regional",
    "comm": "community",
    "inst": "institute",
    "natl": "national",
    "mem": "memorial",
    "childrens": "children",
    "womens": "women",
    "ctrl": "central",
    "cty": "city",
    "fdn": "foundation",
    "assn": "association",
    "prog": "program",
    "res": "residency",
    "dept": "department",
    "svcs": "services",
    "grad": "graduate",
    "mt": "mount",
    "affil": "affiliated",
    "coll": "college",
    "progs": "programs",
    "uc": "university california",
    "wsu": "wayne state",
    "sci": "sciences",
    "hsc": "health sciences",
    "osu": "ohio state",
    "sw": "southwestern",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
}
_STOP = {
    "program",
    "the",
    "of",
    "at",
    "and",
    "inc",
    "for",
    "in",
    "continued",
    "residency",
    "school",
    "college",
    "medicine",
    "medical",
    "center",
    "hospital",
    "health",
    "university",
    "system",
}
_CODE = re.compile(r"^(\d{4})(\d{3})([A-Z])(\d)$")
MIN_SCORE = 0.6
MIN_MARGIN = 0.2


def tokens(text: str) -> set[str]:
    """Distinctive words of a name, with NRMP abbreviations expanded."""
    words = re.sub(r"[^a-z0-9]+", " ", text.casefold().replace("&", " and ")).split()
    out: set[str] = set()
    for w in words:
        out.update(_ABBREVIATIONS.get(w, w).split())
    return {w for w in out if w not in _STOP and len(w) > 1}


def _score(unit: set[str], program: set[str]) -> float:
    if not unit:
        return 0.0
    return len(unit & program) / len(unit)


@dataclass(frozen=True)
class Code:
    """One parsed NRMP program code."""

    institution: str
    specialty_digits: str
    letter: str

    @classmethod
    def parse(cls, text: str) -> Code | None:
        """The code's parts, or None for a damaged code (PDF extraction)."""
        found = _CODE.match(text.strip().split()[0] if text.strip() else "")
        if not found:
            return None
        return cls(found.group(1), found.group(2), found.group(3))

    def track(self, specialty: str, tracked: tuple[str, ...]) -> str:
        """Catalog track the code's positions belong to."""
        return "preliminary" if self.letter == "P" and specialty in tracked else "categorical"


def best_match(
    unit: set[str], candidates: list[tuple[str, set[str]]], site: frozenset[str] = frozenset()
) -> tuple[str | None, float]:
    """The clearly best program for an institution name, or None.

    Relevance: share of the institution's words found in the program's name and city, plus a
    quarter of the share of site words found (e.g. "Pensacola" in "Pediatrics/Pensacola"); it
    must reach MIN_SCORE. Ranking weighs site words by half and adds half the Jaccard overlap,
    so "U Chicago" + "NorthShore" prefers the NorthShore program and "West Virginia U" prefers
    "West Virginia University Program" over "Charleston Area Medical Center/West Virginia
    University"; the best must lead the next by MIN_MARGIN.
    """
    scored = []
    for pid, toks in candidates:
        if unit.isdisjoint(toks) and site.isdisjoint(toks):
            continue  # scores 0: cannot win, and a 0 runner-up changes no margin
        coverage, site_share = _score(unit, toks), _score(set(site), toks)
        relevance = coverage + 0.25 * site_share
        rank = coverage + 0.5 * site_share + 0.5 * _jaccard(unit, toks)
        scored.append((rank, relevance, pid))
    scored.sort(reverse=True)
    if not scored:
        return None, 0.0
    best, relevance, pid = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    if relevance >= MIN_SCORE and best - second >= MIN_MARGIN:
        return pid, relevance
    return None, relevance


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def program_tokens(d: Draft) -> set[str]:
    words = set()
    for claim in d.names:
        words |= tokens(str(claim.value))
    for claim in d.claims.get("city", []):
        words |= tokens(str(claim.value))
    return words
