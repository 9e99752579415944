"""Print the catalog coverage table of docs/catalog.md (markdown) from the bundled catalog.

Usage: python scripts/catalog_coverage.py
"""

from __future__ import annotations

from smartpick.core.programs import Program
from smartpick.service.catalog import open_catalog

COLUMNS = (
    ("J-1 known", lambda p: p.visa_j1.known),
    ("H-1B known", lambda p: p.visa_h1b.known),
    ("non-US-IMG % known", lambda p: p.pct_non_us_img.known),
    ("any IMG share known", lambda p: p.pct_non_us_img.known or p.pct_img_any.known),
    ("NRMP results", lambda p: bool(p.nrmp_results)),
)


def main() -> None:
    """Print one row per specialty and track: programs and % of programs with each field."""
    groups: dict[tuple[str, str], list[Program]] = {}
    for p in open_catalog().programs():
        groups.setdefault((p.specialty, p.track), []).append(p)
    print("| Specialty | Track | Programs | " + " | ".join(c for c, _ in COLUMNS) + " |")
    print("|---|---|---:|" + "---:|" * len(COLUMNS))
    for (specialty, track), progs in sorted(groups.items()):
        shares = [
            f"{100 * sum(1 for p in progs if known(p)) / len(progs):.0f}%" for _, known in COLUMNS
        ]
        print(f"| {specialty} | {track} | {len(progs)} | " + " | ".join(shares) + " |")
    print(f"\nTotal: {sum(len(v) for v in groups.values())} program tracks")


if __name__ == "__main__":
    main()
