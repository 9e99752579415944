"""Join NRMP program results (quota, matched) to catalog programs.

NRMP program codes (e.g. `1903140C0`: institution 1903, specialty 140, track letter C, site 0)
are not ACGME codes, so results are joined by institution name, state or city, and specialty:

- the specialty comes from the code's three specialty digits, which follow the ACGME prefixes;
- track letter P is the preliminary track for Internal Medicine and General Surgery; C, M
  (primary care), A (advanced) and R (physician-reserved) belong to the categorical program, so
  a program's quota counts all its Main Match positions, PGY-1 and PGY-2 starts;
- a name match must be clearly better than the next candidate, and (2020 national file) the
  joined quota must be close to the positions AAMC 2021 lists for the program;
- a program first listed in 2026 (ACGME new-programs list, Residency Explorer 2026 only) is no
  candidate for 2020 results;
- Florida: a categorical row whose 2026 quota and matched equal the 2026 Match figures that
  Residency Explorer gives for exactly one program of the city goes to that program, and a
  program whose joined 2026 categorical quota differs from that offer loses its Florida
  results (the join summed rows of other programs).

Anything not matched with confidence is left out and counted in the build report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from catalog_build.draft import TRACKED_SPECIALTIES, Draft, ProgramDrafts
from catalog_build.parsing import rows
from catalog_build.sources.nrmp_names import Code, best_match, program_tokens, tokens
from smartpick.catalog.sources import NRMP_2020, NRMP_FL
from smartpick.core.geography import STATES


def add(drafts: ProgramDrafts) -> None:
    """NRMP results: 2020 national file by name and state, Florida 2020-2026 by city."""
    tracked = TRACKED_SPECIALTIES
    drafts.report["nrmp_2020_national"] = join_national_2020(
        drafts.drafts,
        drafts.raw / "nycdsa_aamc_2021" / "data" / "programs" / "2020_residencies.csv",
        drafts.prefix_specialty,
        tracked,
        set(STATES),
        NRMP_2020,
    )
    report, sponsors = join_florida(
        drafts.drafts,
        drafts.raw / "nrmp_fl_2020_2026" / "public" / "NRMP_2020_2026_Main_and_Specialty.csv",
        drafts.prefix_specialty,
        tracked,
        NRMP_FL,
    )
    drafts.report["nrmp_florida_2020_2026"] = report
    for pid, name in sorted(sponsors.items()):
        d = drafts.drafts[pid]
        d.add("institution", name, NRMP_FL, 2026)
        latest = max(d.nrmp_results, default=None)
        if latest == 2026:
            d.add("nrmp", True, NRMP_FL, 2026)


# Programs whose every name comes from a source of this year or later had no 2020 Match.
FIRST_LISTED_TOO_LATE = 2026


def _count(text: str) -> int:
    return int(float(text)) if text.strip() else 0


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
        if min(c.year for c in d.names) >= FIRST_LISTED_TOO_LATE:
            continue
        state = next((str(c.value) for c in d.claims.get("state", [])), "")
        by_group[(d.specialty, d.track, state)].append(d)
        by_group[(d.specialty, d.track, "")].append(d)
    toks = {pid: program_tokens(d) for pid, d in drafts.items()}
    # unit = (institution name, state, specialty, track, site) → summed quota, matched
    units: dict[tuple[str, str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    skipped = 0
    for row in rows(path):
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
        units[key][0] += _count(row["Quota"])
        units[key][1] += _count(row["Matched"])
    assigned: dict[str, list[tuple[int, int]]] = defaultdict(list)
    unmatched = 0
    for (name, state, specialty, track, site), (quota, matched) in sorted(units.items()):
        candidates = [(d.id, toks[d.id]) for d in by_group.get((specialty, track, state), [])]
        pid, _ = best_match(tokens(name), candidates, frozenset(tokens(site)))
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
    assigned: dict[str, list[tuple[Code, dict[str, str]]]] = defaultdict(list)
    main_rows = unmatched = 0
    for row in rows(path):
        if row["Table"] != "Main":
            continue
        main_rows += 1
        code = Code.parse(row["Program Code"])
        specialty = prefix_specialty.get(code.specialty_digits) if code else None
        if code is None or specialty is None:
            unmatched += 1
            continue
        track = code.track(specialty, tracked)
        city = row["City Cleaned"].casefold()
        candidates = by_city.get((specialty, track, city), [])
        fits = [d for d in candidates if code.letter == "C" and _fits_2026(row, d)]
        if len(fits) == 1:
            pid: str | None = fits[0].id
        elif len(candidates) == 1:
            pid = candidates[0].id
        else:
            unit = tokens(row["Sponsoring Institution Cleaned"])
            site = frozenset(tokens(row["Specialty"].split("/", 1)[-1]))
            pid, _ = best_match(unit, [(d.id, program_tokens(d)) for d in candidates], site)
        if pid is None:
            unmatched += 1
            continue
        assigned[pid].append((code, row))
    sponsor: dict[str, str] = {}
    trimmed: list[str] = []
    rejected: list[str] = []
    joined_years = joined = 0
    for pid in sorted(assigned):
        kept = _consistent_rows(assigned[pid], drafts[pid])
        if kept is None:
            rejected.append(pid)
            unmatched += len(assigned[pid])
            continue
        if len(kept) < len(assigned[pid]):
            trimmed.append(pid)
            unmatched += len(assigned[pid]) - len(kept)
        joined += 1
        sponsor[pid] = kept[0][1]["Sponsoring Institution Cleaned"]
        years: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for _, row in kept:
            for key, value in row.items():
                found = re.match(r"(\d{4}) (Quota|Matched)$", key)
                if found:
                    slot = 0 if found.group(2) == "Quota" else 1
                    years[int(found.group(1))][slot] += _count(value)
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
            "main_match_rows": main_rows,
            "rows_unmatched": unmatched,
            "programs_joined": joined,
            "programs_trimmed_by_2026_positions_check": trimmed,
            "programs_rejected_by_2026_positions_check": rejected,
            "program_years": joined_years,
        },
        sponsor,
    )


def _quota_2026(row: dict[str, str]) -> tuple[int, int]:
    return _count(row.get("2026 Quota", "")), _count(row.get("2026 Matched", ""))


def _fits_2026(row: dict[str, str], d: Draft) -> bool:
    """True when a row's 2026 quota and matched equal the program's Residency Explorer figures."""
    quota, matched = _quota_2026(row)
    return quota > 0 and d.aux.get("match_2026") == (quota, matched)


def _consistent_rows(
    assigned: list[tuple[Code, dict[str, str]]], d: Draft
) -> list[tuple[Code, dict[str, str]]] | None:
    """The rows of a program that agree with its Residency Explorer 2026 offer (None: none do).

    The categorical (letter C) rows' 2026 quota should equal the offer. When it does not and
    exactly one C row matches the offer and fill, that row is the program's and the other C
    rows belong to other programs; otherwise the join is rejected.
    """
    known = d.aux.get("match_2026")
    categorical = [(c, r) for c, r in assigned if c.letter == "C"]
    quota = sum(_quota_2026(r)[0] for _, r in categorical)
    if known is None or known[0] is None or quota == 0 or quota == known[0]:
        return assigned
    fitting = [(c, r) for c, r in categorical if _fits_2026(r, d)]
    if len(fitting) != 1:
        return None
    return [(c, r) for c, r in assigned if c.letter != "C" or (c, r) in fitting]
