"""Copy the published reference tables SmartPick uses from ../shared/data into the package.

The tables ship unchanged, as separate replaceable files, with their attribution
(`src/smartpick/data/reference/ATTRIBUTION.md`). Run: python scripts/build_reference.py [SHARED_DATA]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared" / "data"
TARGET = REPO / "src" / "smartpick" / "data" / "reference"

FILES = (
    "co_img_2026_specialty_summary.csv",
    "co_img_2026_measures_by_specialty.csv",
    "co_img_2026_overall_table2.csv",
    "match_rates_by_applicant_type.csv",
    "match_totals_by_year.csv",
    "eras_fees.csv",
    "eras_signals.csv",
    "SOURCES.md",
    "effects/effects.csv",
    "effects/summary.md",
    "effects/SOURCES.md",
)

ATTRIBUTION = """# Attribution of the bundled reference tables

SmartPick is independent of the National Resident Matching Program (NRMP), the Association of
American Medical Colleges (AAMC), the American Medical Association (AMA), the Accreditation Council
for Graduate Medical Education (ACGME) and ECFMG. These files are copied unchanged from the
project's research folder by `scripts/build_reference.py`; each row carries its `source_url`.

| file | publisher | what |
|---|---|---|
| co_img_2026_*.csv | NRMP, *Charting Outcomes: Characteristics of Applicants Who Matched to Their Preferred Specialty, Non-U.S. IMGs*, 2026 (extraction by github:saieeshb/img-match-2026) | match rates, Step 2 CK and contiguous-ranks quartiles of non-US IMGs |
| match_rates_by_applicant_type.csv, match_totals_by_year.csv | NRMP Results and Data; ECFMG (press and blog restatements, trust level per row) | PGY-1 match rates by applicant type |
| eras_fees.csv | AAMC ERAS fee pages | application fees per season |
| eras_signals.csv | AAMC program-signaling page (2025 season); a blog for 2024 | preference signals per specialty |
| effects/ | peer-reviewed abstracts and surveys listed in effects/SOURCES.md | effect sizes used as documented priors |

NRMP states that reuse of its publications requires permission; these figures are shown with their
source so a user can check them. Replace a file with a newer edition of the same shape and rerun.
"""


def main(shared: Path) -> None:
    """Copy FILES from `shared/reference` into the package and write the attribution."""
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        dest = TARGET / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / "reference" / name, dest)
    (TARGET / "ATTRIBUTION.md").write_text(ATTRIBUTION)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SHARED)
