"""Print the coverage tables of docs/catalog.md (markdown) from the bundled catalog.

Usage: python scripts/catalog_coverage.py

1. Per specialty and track: programs and % of programs with each field known.
2. The 2026 interview evidence (AAMC Residency Explorer) of IM and FM categorical programs.
3. 2026 visa answers that contradict an older source's, per source, with examples.
"""

from __future__ import annotations

from collections.abc import Callable

from smartpick.catalog.sources import AAMC_2026, source_label
from smartpick.catalog.store import bundled_report
from smartpick.core.programs import InterviewEvidence, Program
from smartpick.service.catalog import open_catalog

COLUMNS = (
    ("J-1 known", lambda p: p.visa_j1.known),
    ("H-1B known", lambda p: p.visa_h1b.known),
    ("non-US-IMG % known", lambda p: p.pct_non_us_img.known),
    ("any IMG share known", lambda p: p.pct_non_us_img.known or p.pct_img_any.known),
    ("NRMP results", lambda p: bool(p.nrmp_results)),
)
EvidenceTest = Callable[[InterviewEvidence], bool]
EVIDENCE_COLUMNS: tuple[tuple[str, EvidenceTest], ...] = (
    ("2026 evidence", lambda e: True),
    ("non-US IMG rate", lambda e: _rate(e.by_type, "non_us_img")),
    ("signal rates (every category)", lambda e: _all_rates(e.signal, len(e.signal) or 1)),
    (
        "Step 1 / Step 2 CK failure rates",
        lambda e: _rate(e.step1_failed, "ever") and _rate(e.step2ck_failed, "ever"),
    ),
    ("geographic rates", lambda e: _all_rates(e.geographic, 3)),
    ("non-US IMG Step 2 CK range", lambda e: "non_us_img" in e.step2ck_invited),
    (
        "… of which flagged less reliable",
        lambda e: (
            "non_us_img" in e.step2ck_invited and not e.step2ck_invited["non_us_img"].reliable
        ),
    ),
)
VISAS = (("visa_j1", "J-1"), ("visa_h1b", "H-1B"), ("visa_f1", "F-1"))
CONTRADICTIONS = {("yes", "no"), ("no", "yes")}


def _rate(table: object, key: str) -> bool:
    entry = getattr(table, "get", lambda _k: None)(key)
    return entry is not None and entry.rate is not None


def _all_rates(table: object, expected: int) -> bool:
    values = list(getattr(table, "values", list)())
    return len(values) >= expected and all(v.rate is not None for v in values)


def _pct(part: int, whole: int) -> str:
    return f"{part:,} ({100 * part / whole:.0f}%)" if whole else "0"


def field_table(programs: list[Program]) -> None:
    """Table 1: % of programs with each field known, per specialty and track."""
    groups: dict[tuple[str, str], list[Program]] = {}
    for p in programs:
        groups.setdefault((p.specialty, p.track), []).append(p)
    print("| Specialty | Track | Programs | " + " | ".join(c for c, _ in COLUMNS) + " |")
    print("|---|---|---:|" + "---:|" * len(COLUMNS))
    for (specialty, track), progs in sorted(groups.items()):
        shares = [
            f"{100 * sum(1 for p in progs if known(p)) / len(progs):.0f}%" for _, known in COLUMNS
        ]
        print(f"| {specialty} | {track} | {len(progs)} | " + " | ".join(shares) + " |")
    print(f"\nTotal: {sum(len(v) for v in groups.values())} program tracks")


def evidence_table(programs: list[Program]) -> None:
    """Table 2: IM and FM categorical programs with each part of the 2026 evidence."""
    print("\n| | Internal Medicine | Family Medicine |\n|---|---:|---:|")
    groups = {
        s: [p for p in programs if p.specialty == s and p.track == "categorical"]
        for s in ("Internal Medicine", "Family Medicine")
    }
    print("| categorical programs | " + " | ".join(f"{len(g):,}" for g in groups.values()) + " |")
    for label, test in EVIDENCE_COLUMNS:
        cells = []
        for progs in groups.values():
            n = sum(1 for p in progs if p.interview_evidence and test(p.interview_evidence))
            cells.append(_pct(n, len(progs)))
        print(f"| {label} | " + " | ".join(cells) + " |")


def visa_contradictions(programs: list[Program], examples: int = 3) -> None:
    """Table 3: how 2026 visa answers compare with each older source's, with examples."""
    changes = bundled_report()["residency_explorer_2026"]["visa_changes"]
    print("\n| visa | older source | agree | yes↔no contradictions | other changes | examples |")
    print("|---|---|---:|---:|---:|---|")
    for name, label in VISAS:
        for source, counts in sorted(changes.get(name, {}).items()):
            agree = counts.get("agree", 0)
            contradicts = counts.get("yes -> no", 0) + counts.get("no -> yes", 0)
            other = sum(counts.values()) - agree - contradicts
            shown = [
                f"{p.id} {p.name} ({c.value} → {fact.value})"
                for p in programs
                for fact in [getattr(p, name)]
                if fact.source == source_label(AAMC_2026)
                for c in fact.conflicts
                if c.source == source_label(source) and (c.value, fact.value) in CONTRADICTIONS
            ][:examples]
            print(
                f"| {label} | {source_label(source)} | {agree} | {contradicts} | {other} | "
                + "; ".join(shown)
                + " |"
            )


def main() -> None:
    """Print the three tables."""
    programs = open_catalog().programs()
    field_table(programs)
    evidence_table(programs)
    visa_contradictions(programs)


if __name__ == "__main__":
    main()
