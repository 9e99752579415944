"""A program being assembled from several sources, and all the drafts of one build."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Specialties where AAMC 2021 splits a program into categorical (C) and preliminary (P) tracks.
TRACKED_SPECIALTIES = ("Internal Medicine", "Surgery-General")
TRACK_SUFFIX = {"categorical": "C", "preliminary": "P"}


def program_id(acgme_code: str, specialty: str, track: str) -> str:
    """The catalog id: 10-digit ACGME code, plus C/P where the specialty has tracks."""
    if specialty in TRACKED_SPECIALTIES:
        return acgme_code + TRACK_SUFFIX[track]
    return acgme_code


@dataclass
class Claim:
    """One source's statement of one field."""

    value: Any
    source: str
    year: int


@dataclass
class Draft:
    """A program being assembled from several sources."""

    id: str
    acgme_code: str
    specialty: str
    track: str
    names: list[Claim] = field(default_factory=list)
    claims: dict[str, list[Claim]] = field(default_factory=lambda: defaultdict(list))
    nrmp_results: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Values used only to check joins (e.g. AAMC 2021 positions offered), not shipped.
    aux: dict[str, Any] = field(default_factory=dict)
    # The `interview_evidence` record (Residency Explorer 2026), written as is.
    interview_evidence: dict[str, Any] | None = None

    def add(self, name: str, value: Any, source: str, year: int) -> None:
        """Record a source's value for a field; empty values are not claims."""
        if isinstance(value, str):
            value = " ".join(value.split())
        if value is None or value == "":
            return
        self.claims[name].append(Claim(value, source, year))

    def has(self, name: str) -> bool:
        """True when some source already states this field."""
        return bool(self.claims.get(name))

    def newest(self, name: str) -> Any:
        """The newest value stated for a field (None when no source states it)."""
        claims = self.claims.get(name)
        if not claims:
            return None
        return max(claims, key=lambda c: c.year).value


class ProgramDrafts:
    """The drafts of one build, keyed by program id, with the raw folder and the build report."""

    def __init__(self, data_dir: Path) -> None:
        self.raw = data_dir / "raw"
        self.drafts: dict[str, Draft] = {}
        self.report: dict[str, Any] = {}
        # ACGME specialty prefix (first 3 code digits) → catalog specialty, from AAMC 2021.
        self.prefix_specialty: dict[str, str] = {}

    def draft(self, acgme_code: str, specialty: str, track: str) -> Draft:
        """The draft for a program track, created on first use."""
        pid = program_id(acgme_code, specialty, track)
        if pid not in self.drafts:
            self.drafts[pid] = Draft(pid, acgme_code, specialty, track)
        return self.drafts[pid]
