"""Build the figures behind "how many programs": the value of a match and what IMGs send.

Reads the AAMC Residency Explorer 2026 program pages (`raw/residency_explorer_2026/*.jsonl` under
the shared data folder) and writes `src/smartpick/data/reference/list_economics_2026.csv`, one
figure per row with its method and source:

- `pgy1_salary_median_usd`: the median first-year (PGY-1) salary stated on the Internal Medicine
  and Family Medicine program pages (the default value of matching this season, docs/optimizer.md).
- `interview_rate_<group>_<im|fm>`: the share of each applicant group's applications (US MD,
  US DO, US IMG, non-US IMG) that programs invited to interview, all programs pooled (invited =
  rate x applicants per program); the tiers' anchor.
- `applications_per_img_<im|fm>`: IMG applications (US and non-US IMGs) to the specialty's
  programs, scaled from the programs in the file to the programs on the site, divided by the IMG
  applicants of the specialty in ERAS 2026 (AAMC dashboard as quoted by an applicant forum,
  `reference/policy/README.md`; approximate).

Run: python scripts/build_list_economics.py [SHARED_DATA]
"""

from __future__ import annotations

import csv
import json
import re
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared" / "data"
TARGET = REPO / "src" / "smartpick" / "data" / "reference" / "list_economics_2026.csv"
SOURCE = "AAMC Residency Explorer, 2026 cycle"
ERAS_SOURCE = (
    "AAMC ERAS statistics 2026, as quoted by an applicant forum while the season was open "
    "(approximate)"
)
# IMG applicants per specialty in ERAS 2026 (reference/policy/README.md, "Other 2025 facts").
IMG_APPLICANTS_2026 = {"im": 13_007, "fm": 6_321}
# Programs the transcription covers before a fifth was withheld (the raw data's README): 631 IM
# pages; 598 FM pages transcribed (about 100 more FM programs are not, so FM is a lower bound).
PROGRAMS_ON_SITE = {"im": 631, "fm": 598}
NAMES = {"im": "Internal Medicine", "fm": "Family Medicine"}
# The order of the pages' per-type arrays (`ir_type`, `n_type`).
GROUPS = (
    ("us_md", "US MD"),
    ("us_do", "US DO"),
    ("us_img", "US IMG"),
    ("non_us_img", "non-US IMG"),
)
COLUMNS = ("key", "value", "unit", "n", "method", "source", "year")


def _records(folder: Path, name: str) -> list[dict[str, object]]:
    with (folder / f"{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _salary(text: object) -> float | None:
    digits = re.sub(r"[^0-9.]", "", str(text or ""))
    return float(digits) if digits else None


def _type_counts(record: dict[str, object]) -> tuple[list[float], list[float]]:
    rates = record.get("ir_type") or [None] * 4
    counts = record.get("n_type") or [None] * 4
    assert isinstance(rates, list) and isinstance(counts, list)
    return [float(r) if r is not None else 0.0 for r in rates], [float(c or 0) for c in counts]


def build(shared: Path) -> list[dict[str, object]]:
    """The figures, one dict per CSV row."""
    folder = shared / "raw" / "residency_explorer_2026"
    rows: list[dict[str, object]] = []
    salaries: list[float] = []
    for key in ("im", "fm"):
        records = _records(folder, key)
        found = [s for s in (_salary(r.get("salary_y1")) for r in records) if s]
        salaries.extend(found)
        invited = [0.0] * 4
        applied = [0.0] * 4
        img_apps = 0.0
        for r in records:
            rates, counts = _type_counts(r)
            for g in range(4):
                if counts[g] and r.get("ir_type"):
                    invited[g] += rates[g] / 100.0 * counts[g]
                    applied[g] += counts[g]
            img_apps += counts[2] + counts[3]
        for g, (group, words) in enumerate(GROUPS):
            rows.append(
                {
                    "key": f"interview_rate_{group}_{key}",
                    "value": round(invited[g] / applied[g], 4),
                    "unit": "fraction",
                    "n": len(records),
                    "method": f"{words} applications invited to interview / {words} "
                    f"applications, {NAMES[key]} programs pooled ({int(applied[g]):,} "
                    "applications)",
                    "source": SOURCE,
                    "year": 2026,
                }
            )
        scaled = img_apps * PROGRAMS_ON_SITE[key] / len(records)
        rows.append(
            {
                "key": f"applications_per_img_{key}",
                "value": round(scaled / IMG_APPLICANTS_2026[key]),
                "unit": "applications",
                "n": len(records),
                "method": f"{int(img_apps):,} US and non-US IMG applications to {len(records)} "
                f"{NAMES[key]} programs, scaled to the {PROGRAMS_ON_SITE[key]} programs on the "
                f"site ({int(scaled):,}), divided by {IMG_APPLICANTS_2026[key]:,} IMG applicants "
                f"in {NAMES[key]} ({ERAS_SOURCE}); the same for US and non-US IMGs is assumed",
                "source": SOURCE,
                "year": 2026,
            }
        )
    rows.insert(
        0,
        {
            "key": "pgy1_salary_median_usd",
            "value": round(statistics.median(salaries)),
            "unit": "USD",
            "n": len(salaries),
            "method": "median of the first-year salary stated on the Internal Medicine and Family "
            f"Medicine program pages ({len(salaries)} programs state one)",
            "source": SOURCE,
            "year": 2026,
        },
    )
    return rows


def main(argv: list[str]) -> None:
    shared = Path(argv[1]) if len(argv) > 1 else DEFAULT_SHARED
    rows = build(shared)
    with TARGET.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} figures to {TARGET.relative_to(REPO)}")


if __name__ == "__main__":
    main(sys.argv)
