"""Catalog file records (one JSON object per program, see docs/catalog.md) → core `Program`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from functools import cache
from typing import Any

from smartpick.catalog.sources import source_label
from smartpick.core.programs import (
    Fact,
    InterviewEvidence,
    NrmpResult,
    Program,
    RateCount,
    ScoreRange,
)

USER_IMPORT = "user import"
_UNKNOWN: Fact[Any] = Fact(None)  # immutable, so one instance serves every unknown field
FACT_FIELDS = tuple(
    f.name
    for f in fields(Program)
    if f.name not in ("id", "acgme_code", "name", "specialty", "track")
    and f.name not in ("nrmp_results", "data_notes", "interview_evidence")
)
_label = cache(source_label)
_ALL_UNKNOWN = dict.fromkeys(FACT_FIELDS, _UNKNOWN)


# Facts are immutable and many repeat ("yes", FREIDA 2025, 2025): share one object per value.
# The key holds the value's type so that 1 and True stay different facts.
_plain: dict[tuple[type, Any, str, int], Fact[Any]] = {}


def _plain_fact(value: Any, source: str, year: int) -> Fact[Any]:
    key = (type(value), value, source, year)
    found = _plain.get(key)
    if found is None:
        found = _plain[key] = Fact(value, _label(source), year)
    return found


def fact_from(entry: list[Any] | None, conflicts: list[list[Any]] | None) -> Fact[Any]:
    """A Fact from a record's [value, source key, year] and its conflicting entries."""
    if not conflicts:
        return _UNKNOWN if entry is None else _plain_fact(*entry)
    older = tuple(_plain_fact(v, s, y) for v, s, y in conflicts)
    if entry is None:
        return Fact(None, conflicts=older)
    value, source, year = entry
    return Fact(value, _label(source), year, older)


def overlay(base: Fact[Any], user: list[tuple[Any, int]]) -> Fact[Any]:
    """Put user-imported values (newest first, with year) on top of a bundled fact.

    The newest import is shown; older imports and a differing bundled value become conflicts.
    """
    if not user:
        return base
    (value, year), older = user[0], user[1:]
    conflicts: list[Fact[Any]] = [Fact(v, USER_IMPORT, y) for v, y in older if v != value]
    if base.value is not None and base.value != value:
        conflicts.append(Fact(base.value, base.source, base.year))
    conflicts.extend(c for c in base.conflicts if c.value != value)
    return Fact(value, USER_IMPORT, year, tuple(conflicts))


def _rates(entries: dict[str, list[Any]]) -> Mapping[str, RateCount]:
    return {k: RateCount(rate, n) for k, (rate, n) in entries.items()}


def evidence_from(entry: dict[str, Any] | None) -> InterviewEvidence | None:
    """The `interview_evidence` of a catalog record (rate-counts are [rate, applicants])."""
    if entry is None:
        return None
    return InterviewEvidence(
        source=_label(entry["source"]),
        year=entry["year"],
        by_type=_rates(entry["by_type"]),
        invited=entry["invited"],
        invited_mix=entry["invited_mix"],
        interview_rate_all=entry["interview_rate_all"],
        signal=_rates(entry["signal"]),
        geographic=_rates(entry["geographic"]),
        home_state=_rates(entry["home_state"]),
        step1_failed=_rates(entry["step1_failed"]),
        step2ck_failed=_rates(entry["step2ck_failed"]),
        step2ck_invited={k: ScoreRange(*v) for k, v in entry["step2ck_invited"].items()},
        positions_offered=entry["positions_offered"],
        positions_filled=entry["positions_filled"],
        applications_by_year={int(y): n for y, n in entry["applications_by_year"].items()},
        prior_gme_required=entry["prior_gme_required"],
    )


def program_from(record: dict[str, Any], user: dict[str, list[tuple[Any, int]]]) -> Program:
    """Build a Program from a catalog record plus the user's imported facts for it."""
    facts = record["f"]
    conflicts = record["c"]
    values = dict(_ALL_UNKNOWN)
    # The start builds ~40,000 facts: the usual one (stated, no conflict) is looked up inline.
    for name, entry in facts.items():
        if name in values and name not in conflicts:
            value, source, year = entry
            found = _plain.get((type(value), value, source, year))
            values[name] = found if found is not None else _plain_fact(value, source, year)
    for name, older in conflicts.items():
        if name in values:
            values[name] = fact_from(facts.get(name), older)
    for name, imported in user.items():
        if name in values:
            values[name] = overlay(values[name], imported)
    return Program(
        id=record["program_id"],
        acgme_code=record["acgme_code"],
        name=record["name"],
        specialty=record["specialty"],
        track=record["track"],
        nrmp_results=tuple(
            NrmpResult(r["year"], r["quota"], r["matched"], _label(r["source"]))
            for r in record["nrmp_results"]
        ),
        data_notes=tuple(record["data_notes"]),
        interview_evidence=evidence_from(record.get("interview_evidence")),
        **values,
    )
