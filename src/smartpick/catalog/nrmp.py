"""Join NRMP program results (quota, matched) to catalog programs.

NRMP program codes (e.g. `1903140C0`: institution 1903, specialty 140, track letter C, site 0)
are not ACGME codes, so results are joined by institution name, state or city, and specialty:

- the specialty comes from the code's three specialty digits, which follow the ACGME prefixes;
- track letter P is the preliminary track for Internal Medicine and General Surgery; C, M
  (primary care), A (advanced) and R (physician-reserved) belong to the categorical program, so
  a program's quota counts all its Main Match positions, PGY-1 and PGY-2 starts;
- a name match must be clearly better than the next candidate, and (2020 national file) the
  joined quota must be close to the positions AAMC 2021 lists for the program.

Anything not matched with confidence is left out and counted in the build report.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smartpick.catalog.build import Draft

# Abbreviations used in NRMP's institution names.
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


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield {(k or "").strip(): (v or "").strip() for k, v in row.items()}


def _int(text: str) -> int:
    return int(float(text)) if text.strip() else 0


def _best(
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


def _program_tokens(d: Draft) -> set[str]:
    words = set()
    for claim in d.names:
        words |= tokens(str(claim.value))
    for claim in d.claims.get("city", []):
        words |= tokens(str(claim.value))
    return words


def join_national_2020(
    drafts: dict[str, Draft],
    path: Path,
    prefix_specialty: dict[str, str],
    tracked: tuple[str, ...],
    states: set[str],
    source: str,
) -> dict[str, Any]:
    """Attach NRMP 2020 quota/matched to programs; returns match counts for the report."""
    by_group: dict[tuple[str, str, str], list[Draft]] = defaultdict(list)
    for d in drafts.values():
        state = next((str(c.value) for c in d.claims.get("state", [])), "")
        by_group[(d.specialty, d.track, state)].append(d)
        by_group[(d.specialty, d.track, "")].append(d)
    toks = {pid: _program_tokens(d) for pid, d in drafts.items()}
    # unit = (institution name, state, specialty, track, site) → summed quota, matched
    units: dict[tuple[str, str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    skipped = 0
    for row in _rows(path):
        code = Code.parse(row["Program code"])
        specialty = prefix_specialty.get(code.specialty_digits) if code else None
        if code is None or specialty is None:
            skipped += 1
            continue
        name = row["Name of program"].replace("(Continued)", "").strip()
        state = ""
        found = re.search(r"-([A-Z]{2})$", name)
        if found and found.group(1) in states:
            state, name = found.group(1), name[: found.start()]
        site = row["Type of program"].split("/", 1)[1] if "/" in row["Type of program"] else ""
        key = (name, state, specialty, code.track(specialty, tracked), site)
        units[key][0] += _int(row["Quota"])
        units[key][1] += _int(row["Matched"])
    assigned: dict[str, list[tuple[int, int]]] = defaultdict(list)
    unmatched = 0
    for (name, state, specialty, track, site), (quota, matched) in sorted(units.items()):
        candidates = [(d.id, toks[d.id]) for d in by_group.get((specialty, track, state), [])]
        pid, _ = _best(tokens(name), candidates, frozenset(tokens(site)))
        if pid is None:
            unmatched += 1
            continue
        assigned[pid].append((quota, matched))
    joined = rejected = 0
    for pid, parts in sorted(assigned.items()):
        quota = sum(q for q, _ in parts)
        matched = sum(m for _, m in parts)
        offered = drafts[pid].aux.get("positions_offered_2021")
        if offered is not None and abs(quota - offered) > max(3, 0.5 * offered):
            rejected += 1
            continue
        if quota == 0:
            continue
        drafts[pid].nrmp_results[2020] = {
            "year": 2020,
            "quota": quota,
            "matched": matched,
            "source": source,
        }
        joined += 1
    checked = [
        (d.nrmp_results[2020]["quota"], d.aux["positions_offered_2021"])
        for d in drafts.values()
        if 2020 in d.nrmp_results and d.aux.get("positions_offered_2021") is not None
    ]
    return {
        "joined_quota_equals_aamc_2021_positions": sum(q == o for q, o in checked),
        "joined_quota_within_1_of_aamc_2021_positions": sum(abs(q - o) <= 1 for q, o in checked),
        "joined_with_aamc_2021_positions": len(checked),
        "result_rows_unparsed": skipped,
        "units": len(units),
        "units_unmatched": unmatched,
        "programs_joined": joined,
        "programs_rejected_by_positions_check": rejected,
    }


def join_florida(
    drafts: dict[str, Draft],
    path: Path,
    prefix_specialty: dict[str, str],
    tracked: tuple[str, ...],
    source: str,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Attach Florida NRMP results 2020-2026 (joined by city, specialty and institution).

    Returns the report counts and program id → sponsoring institution.
    """
    by_city: dict[tuple[str, str, str], list[Draft]] = defaultdict(list)
    for d in drafts.values():
        if not any(c.value == "FL" for c in d.claims.get("state", [])):
            continue
        for city in {str(c.value).casefold() for c in d.claims.get("city", [])}:
            by_city[(d.specialty, d.track, city)].append(d)
    per_program: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    sponsor: dict[str, str] = {}
    rows = unmatched = 0
    for row in _rows(path):
        if row["Table"] != "Main":
            continue
        rows += 1
        code = Code.parse(row["Program Code"])
        specialty = prefix_specialty.get(code.specialty_digits) if code else None
        if code is None or specialty is None:
            unmatched += 1
            continue
        track = code.track(specialty, tracked)
        city = row["City Cleaned"].casefold()
        candidates = by_city.get((specialty, track, city), [])
        if len(candidates) == 1:
            pid: str | None = candidates[0].id
        else:
            unit = tokens(row["Sponsoring Institution Cleaned"])
            site = frozenset(tokens(row["Specialty"].split("/", 1)[-1]))
            pid, _ = _best(unit, [(d.id, _program_tokens(d)) for d in candidates], site)
        if pid is None:
            unmatched += 1
            continue
        sponsor.setdefault(pid, row["Sponsoring Institution Cleaned"])
        for key, value in row.items():
            found = re.match(r"(\d{4}) (Quota|Matched)$", key)
            if found:
                slot = 0 if found.group(2) == "Quota" else 1
                per_program[pid][int(found.group(1))][slot] += _int(value)
    joined_years = 0
    for pid, years in per_program.items():
        for year, (quota, matched) in years.items():
            if quota == 0 and matched == 0:  # not offered that year
                continue
            drafts[pid].nrmp_results[year] = {
                "year": year,
                "quota": quota,
                "matched": matched,
                "source": source,
            }
            joined_years += 1
    return (
        {
            "main_match_rows": rows,
            "rows_unmatched": unmatched,
            "programs_joined": len(per_program),
            "program_years": joined_years,
        },
        sponsor,
    )
