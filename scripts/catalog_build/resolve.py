"""The merge rule: a draft's claims → the catalog record (newest shown, older differing kept).

For each field the newest source's value is shown (ties broken by source key); each older
source that says something different is kept in the record's conflicts. The same value from an
older source is not a conflict; names or cities differing only in case or punctuation are the
same statement.
"""

from __future__ import annotations

from typing import Any

from catalog_build.draft import Draft
from catalog_build.parsing import normalize_name

# Fields whose values are written in the catalog file, in this order.
FACT_FIELDS = (
    "institution",
    "city",
    "state",
    "region",
    "division",
    "latitude",
    "longitude",
    "setting",
    "pgy1_positions",
    "visa_j1",
    "visa_h1b",
    "visa_f1",
    "pct_non_us_img",
    "pct_us_img",
    "pct_us_md",
    "pct_do",
    "pct_img_any",
    "applications_received",
    "pct_interviewed",
    "interviews_conducted",
    "step1_range",
    "eras",
    "nrmp",
    "accepting_applications",
    "board_pass_rate",
    "total_residents",
    "accreditation",
    "website",
)


def same_key(value: Any) -> Any:
    """What two statements must share to say the same thing."""
    if isinstance(value, str):
        return normalize_name(value) or value
    return value


def resolve(d: Draft) -> dict[str, Any]:
    """Turn a draft into the catalog record: newest value shown, differing older ones kept.

    Record keys: `f` maps field → [value, source key, year]; `c` maps field → list of
    [value, source key, year] for older sources that disagree (only fields that have any).
    """
    facts: dict[str, Any] = {}
    conflicts_by_field: dict[str, Any] = {}
    for name in FACT_FIELDS:
        claims = sorted(d.claims.get(name, []), key=lambda c: (-c.year, c.source))
        if not claims:
            continue
        shown = claims[0]
        conflicts: list[list[Any]] = []
        seen = {same_key(shown.value)}
        for claim in claims[1:]:
            k = same_key(claim.value)
            if k in seen:
                continue
            seen.add(k)
            conflicts.append([claim.value, claim.source, claim.year])
        facts[name] = [shown.value, shown.source, shown.year]
        if conflicts:
            conflicts_by_field[name] = conflicts
    name = " ".join(str(sorted(d.names, key=lambda c: (-c.year, c.source))[0].value).split())
    record: dict[str, Any] = {
        "program_id": d.id,
        "acgme_code": d.acgme_code,
        "name": name,
        "specialty": d.specialty,
        "track": d.track,
        "f": facts,
        "c": conflicts_by_field,
        "nrmp_results": [d.nrmp_results[y] for y in sorted(d.nrmp_results, reverse=True)],
        "data_notes": sorted(set(d.notes)),
    }
    if d.interview_evidence is not None:
        record["interview_evidence"] = d.interview_evidence
    return record
