"""The build's outputs: the catalog file text and the build report (stable, sorted JSON)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from smartpick.core.specialties import SPECIALTIES


def summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per specialty-track and conflicts per field, for the build report."""
    per_track = Counter(f"{r['specialty']} / {r['track']}" for r in records)
    conflicts = Counter(name for r in records for name in r["c"])
    return {
        "programs": len(records),
        "programs_by_specialty_track": dict(sorted(per_track.items())),
        "fields_with_conflicts": dict(sorted(conflicts.items())),
        "specialties": len({r["specialty"] for r in records}),
        "catalog_specialties": sorted(s.name for s in SPECIALTIES),
    }


def dump_records(records: list[dict[str, Any]]) -> str:
    """The catalog file text: one JSON object per line, keys sorted, records sorted by id."""
    return "".join(
        json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
        for r in sorted(records, key=lambda r: r["program_id"])
    )


def dump_report(report: dict[str, Any]) -> str:
    """The build report text (stable JSON)."""
    return json.dumps(report, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
