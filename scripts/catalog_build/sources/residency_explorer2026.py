"""AAMC Residency Explorer, 2026 cycle: Internal Medicine (categorical) and Family Medicine.

Joined by ACGME code (the catalog id is the code plus the track letter: IM rows are the
categorical track). A program not in the catalog yet is added with the identity the file gives
(name, city, state, setting). For every program the newer 2026 values of existing fields are
claimed (the merge rule keeps differing older values as conflicts), and the program-level
interview evidence is attached as one record (`interview_evidence`, see
`smartpick.core.programs.InterviewEvidence`). The file holds no personal fields; none are read.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from typing import Any

from catalog_build.draft import Claim, Draft, ProgramDrafts, program_id
from catalog_build.resolve import same_key
from catalog_build.sources import acgme_new2026, eras2021, freida2025
from catalog_build.sources.re2026_evidence import evidence_record
from smartpick.catalog.sources import AAMC_2026
from smartpick.core.geography import STATES

YEAR = 2026
FOLDER = "residency_explorer_2026"
# File → (catalog specialty, ACGME code prefix).
FILES = {"im": ("Internal Medicine", "140"), "fm": ("Family Medicine", "120")}
SETTING = {
    "University Based": "university",
    "University-based": "university",
    "Community-based university affiliated": "university_affiliated_community",
    "Community-based": "community",
    "Military-based": "military",
}  # "Not Available" and "Other" stay unknown
YES_NO = {True: "yes", False: "no", "Yes": "yes", "No": "no"}  # "--" stays unknown
RESIDENT_SHARES = (
    ("pct_non_us_img", "Non-US IMG"),
    ("pct_us_img", "US-IMG"),
    ("pct_us_md", "US MD Graduates"),
    ("pct_do", "US DO Graduates"),
)
# Notes that doubt the program exists or say nothing but its identity is known: a 2026
# listing with data answers them.
SUPERSEDED_NOTES = {
    freida2025.NOT_IN_FREIDA_NOTE,
    eras2021.IDENTITY_ONLY_NOTE,
    acgme_new2026.IDENTITY_ONLY_NOTE,
}
ADDED_NOTE = (
    "Known only from AAMC Residency Explorer 2026 (not in the older sources): name, city, "
    "state and setting as that site shows them."
)
# Fields this source claims (for the report's conflict counts).
CLAIMED = (
    "setting",
    "visa_j1",
    "visa_h1b",
    "visa_f1",
    *(f for f, _ in RESIDENT_SHARES),
    "total_residents",
    "pgy1_positions",
    "applications_received",
    "pct_interviewed",
    "accreditation",
    "city",
    "state",
)
VISA_FIELDS = ("visa_j1", "visa_h1b", "visa_f1")


def add(drafts: ProgramDrafts) -> None:
    """Join both files to the drafts; the build report gets the join figures."""
    report: dict[str, Any] = {}
    for key, (specialty, prefix) in FILES.items():
        report[key] = _add_file(drafts, key, specialty, prefix)
    touched = [d for d in drafts.drafts.values() if d.interview_evidence is not None]
    report["conflicts_created"] = _conflicts_created(touched)
    report["visa_changes"] = _visa_changes(touched)
    drafts.report["residency_explorer_2026"] = report


def _add_file(drafts: ProgramDrafts, key: str, specialty: str, prefix: str) -> dict[str, Any]:
    path = drafts.raw / FOLDER / f"{key}.jsonl"
    rejected: dict[str, list[str]] = defaultdict(list)
    matched_from: Counter[str] = Counter()
    added: list[str] = []
    state_corrected: list[str] = []
    seen: set[str] = set()
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        row = json.loads(line)
        code = str(row.get("acgme_code") or "")
        reason = _rejection(row, code, prefix, seen)
        if reason is None:
            try:
                evidence = evidence_record(row, AAMC_2026, YEAR)
            except (KeyError, TypeError, ValueError, IndexError) as exc:
                reason = f"unexpected layout ({exc.__class__.__name__}: {exc})"
        if reason is not None:
            rejected[reason].append(code or f"line {number}")
            continue
        seen.add(code)
        pid = program_id(code, specialty, "categorical")
        existing = drafts.drafts.get(pid)
        if existing is None:
            d = drafts.draft(code, specialty, "categorical")
            _add_identity(d, row, specialty)
            added.append(pid)
        else:
            d = existing
            matched_from[_known_from(d)] += 1
            if _correct_place(d, row):
                state_corrected.append(pid)
        d.notes[:] = [n for n in d.notes if n not in SUPERSEDED_NOTES]
        _add_facts(d, row)
        d.interview_evidence = evidence
        d.aux["match_2026"] = (row.get("offered_2026"), row.get("filled_2026"))
    return {
        "rows": len(lines),
        "matched_by_code": sum(matched_from.values()),
        "matched_programs_known_from": dict(sorted(matched_from.items())),
        "added": len(added),
        "added_ids": sorted(added),
        "rejected": {k: sorted(v) for k, v in sorted(rejected.items())},
        "state_corrected": sorted(state_corrected),
    }


def _rejection(row: dict[str, Any], code: str, prefix: str, seen: set[str]) -> str | None:
    """Why a row cannot be joined, or None."""
    if not re.fullmatch(r"\d{10}", code):
        return "ACGME code is not 10 digits"
    if not code.startswith(prefix):
        return f"ACGME code is not of this specialty (prefix {prefix})"
    if code in seen:
        return "ACGME code repeated in the file"
    if row.get("state") not in STATES:
        return "state is not a US state code"
    if not str(row.get("name") or "").strip():
        return "no program name"
    return None


def _known_from(d: Draft) -> str:
    """The sources that knew a matched program before 2026 (report breakdown)."""
    sources = {c.source for c in d.names}
    return "+".join(sorted(sources))


def _add_identity(d: Draft, row: dict[str, Any], specialty: str) -> None:
    name, tidied = tidy_name(row["name"], specialty, row["city"], row["state"])
    d.names.append(Claim(name, AAMC_2026, YEAR))
    d.add("city", tidy_city(row["city"]), AAMC_2026, YEAR)
    d.add("state", row["state"], AAMC_2026, YEAR)
    d.notes.append(ADDED_NOTE)
    if tidied:
        d.notes.append(f"Name tidied from the source text: '{row['name']}'.")


def _correct_place(d: Draft, row: dict[str, Any]) -> bool:
    """Where the site puts the program in another state, its city and state win (newer).

    Only then: the site's city names are sometimes cut ("Louis" for Saint Louis), so an older
    city in the same state is kept.
    """
    older, older_city = d.newest("state"), d.newest("city")
    if older is None or older == row["state"]:
        return False
    d.add("state", row["state"], AAMC_2026, YEAR)
    d.add("city", tidy_city(row["city"]), AAMC_2026, YEAR)
    d.notes.append(
        f"AAMC Residency Explorer 2026 places this program in {tidy_city(row['city'])}, "
        f"{row['state']}; an older source said {older_city}, {older}."
    )
    return True


def _add_facts(d: Draft, row: dict[str, Any]) -> None:
    add = d.add
    add("setting", SETTING.get(row.get("setting") or ""), AAMC_2026, YEAR)
    for fname in VISA_FIELDS:
        answer = (row.get("visa") or {}).get(fname.removeprefix("visa_"))
        add(fname, YES_NO.get(answer) if answer is not None else None, AAMC_2026, YEAR)
    residents = row.get("residents") or {}
    for fname, label in RESIDENT_SHARES:
        share = residents.get(label)
        add(fname, None if share is None else float(share), AAMC_2026, YEAR)
    add("total_residents", row.get("total_residents"), AAMC_2026, YEAR)
    add("pgy1_positions", row.get("offered_2026"), AAMC_2026, YEAR)
    apps = row.get("apps") or []
    add("applications_received", apps[-1] if len(apps) == 5 else None, AAMC_2026, YEAR)
    rate = row.get("interview_rate_pct")
    add("pct_interviewed", None if rate is None else round(float(rate), 1), AAMC_2026, YEAR)
    add("accreditation", row.get("accreditation_status"), AAMC_2026, YEAR)


def tidy_name(name: str, specialty: str, city: str, state: str) -> tuple[str, bool]:
    """A program name as the other sources write it; returns (name, was_changed).

    Drops a trailing " - Family Medicine, Riverview, FL", writes a name in capitals in title
    case and straightens typographic apostrophes.
    """
    text = " ".join(name.replace("\u2019", "'").split())
    suffix = rf"\s+-\s+{re.escape(specialty)},\s*{re.escape(city)},\s*{re.escape(state)}$"
    text = re.sub(suffix, "", text, flags=re.I)
    if text.isupper():
        text = re.sub(r"[A-Za-z]+('[A-Za-z]+)?", lambda m: m.group(0).capitalize(), text)
        text = re.sub(r"(?<=\s)(Of|And|The|At|For|In)(?=\s)", lambda m: m.group(0).lower(), text)
    return text, text != name


def tidy_city(city: str) -> str:
    """A city as the other sources write it (straight apostrophes, not all capitals)."""
    text = " ".join(city.replace("\u2019", "'").split())
    return text.title() if text.isupper() else text


def _conflicts_created(drafts: list[Draft]) -> dict[str, int]:
    """Per field: programs where the 2026 value differs from some older source's value."""
    counts: Counter[str] = Counter()
    for d in drafts:
        for fname in CLAIMED:
            claims = d.claims.get(fname, [])
            new = {same_key(c.value) for c in claims if c.source == AAMC_2026}
            old = {same_key(c.value) for c in claims if c.source != AAMC_2026}
            if new and old - new:
                counts[fname] += 1
    return dict(sorted(counts.items()))


def _visa_changes(drafts: list[Draft]) -> dict[str, dict[str, dict[str, int]]]:
    """Per visa field and older source: how its value compares with the 2026 one.

    Keys "agree" and "<older> -> <2026>" (e.g. "yes -> no", "none_listed -> no").
    """
    out: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for d in drafts:
        for fname in VISA_FIELDS:
            new = [c.value for c in d.claims.get(fname, []) if c.source == AAMC_2026]
            if not new:
                continue
            for c in d.claims[fname]:
                if c.source != AAMC_2026:
                    change = "agree" if c.value == new[0] else f"{c.value} -> {new[0]}"
                    out[fname][c.source][change] += 1
    return {
        f: {s: dict(sorted(c.items())) for s, c in sorted(by_source.items())}
        for f, by_source in sorted(out.items())
    }
