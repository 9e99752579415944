"""Copy the published reference tables SmartPick uses from ../shared/data into the package.

The tables ship unchanged, as separate replaceable files, with their attribution
(`src/smartpick/data/reference/ATTRIBUTION.md`). The dated visa-policy facts go to
`reference/policy/`: the entry-restriction table is copied, and the H-1B payment facts, which
the research notes give as prose (`policy/README.md`, copied too), are written as a small CSV.
Run: python scripts/build_reference.py [SHARED_DATA]
"""

from __future__ import annotations

import csv
import io
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
    "policy/us_entry_restrictions_2025.csv",
    "policy/README.md",
)

H1B_FILE = "policy/h1b_payment_2025.csv"
H1B_COLUMNS = ("fact", "statement", "value", "effective", "until", "source_urls")
_DEBRUNNER = "https://debrunner.us/feds-clarify-h-1b-visa-payment-requirement"
_PRIMEPATH = (
    "https://www.primepathimmigrations.com/restriction-on-entry-of-certain-nonimmigrant-workers/"
    "index.html"
)
_VISAVERGE = "https://www.visaverge.com/?p=79101"
_MONDAQ = (
    "https://www.mondaq.com/unitedstates/work-visas/1682942/frequently-asked-questions-the-100k-"
    "h-1b-visa-fee-and-restriction-on-entry-of-certain-nonimmigrant-workers-proclamation"
)
_KIRCHNER = (
    "https://www.kirchnerimmigration.com/single-post/"
    "major-policy-shift-new-100-000-fee-for-h-1b-petitions"
)
# Transcribed from policy/README.md ("H-1B payment"); dates are ISO, several URLs are " ; "-joined.
# `until` is the announced end, which the proclamation allows to be extended.
H1B_FACTS = (
    (
        "proclamation",
        'Proclamation of 19 September 2025, "Restriction on Entry of Certain Nonimmigrant Workers".',
        "",
        "2025-09-19",
        "",
        f"{_DEBRUNNER} ; {_PRIMEPATH}",
    ),
    (
        "payment_usd",
        "A one-time payment of $100,000 accompanies each new H-1B petition filed at or after "
        "12:01 a.m. EDT on 21 September 2025 for a beneficiary outside the United States without "
        "a valid H-1B visa (or requesting consular notification).",
        "100000",
        "2025-09-21",
        "2026-09-21",
        f"{_DEBRUNNER} ; {_PRIMEPATH}",
    ),
    (
        "not_subject",
        "Petitions filed before 21 September 2025, current H-1B holders, and in-country "
        "amendments, extensions and changes of status (e.g. F-1 to H-1B) are not subject to it.",
        "",
        "2025-09-21",
        "",
        f"{_DEBRUNNER} ; {_PRIMEPATH}",
    ),
    (
        "duration",
        "12 months, to 21 September 2026, unless extended. Whether it was extended after "
        "2026-09-21 is not known to this dataset: check the current rule.",
        "",
        "2025-09-21",
        "2026-09-21",
        f"{_VISAVERGE} ; {_MONDAQ}",
    ),
    (
        "exceptions",
        "Case by case in the national interest (DHS). On 22 September 2025 the White House told "
        "Bloomberg News that physicians and medical residents may be exempted. Lawsuits "
        "challenge the proclamation.",
        "",
        "2025-09-22",
        "",
        _KIRCHNER,
    ),
    (
        "j1_not_affected",
        "A J-1 (sponsored by ECFMG/Intealth) is not affected by this payment; a program "
        "sponsoring a new H-1B for an applicant abroad may face it, so fewer programs may sponsor "
        "H-1B than their past policy says.",
        "",
        "2025-09-21",
        "2026-09-21",
        f"{_DEBRUNNER} ; {_PRIMEPATH}",
    ),
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
| policy/us_entry_restrictions_2025.csv | Presidential Proclamation of 4 June 2025 (effective 9 June 2025), as reported by law-firm alerts (`source_url` per row) | the 19 countries whose nationals' visas are fully or partly suspended, and which visas |
| policy/h1b_payment_2025.csv | Presidential Proclamation of 19 September 2025, as reported by law-firm alerts and news (`source_urls` per row); transcribed from policy/README.md | the $100,000 payment on new H-1B petitions from 21 September 2025: who it applies to, exceptions, and its end on 21 September 2026 unless extended |
| policy/README.md | the project's research notes on these facts | dates, sources and caveats |

NRMP states that reuse of its publications requires permission; these figures are shown with their
source so a user can check them. Replace a file with a newer edition of the same shape and rerun.

The visa-policy facts are dated secondary reports of rules that change: show them with their date
and source, say "check the current rule", and never present them as permanent. Whether the H-1B
payment was extended after 2026-09-21 is not known to this data.
"""


def h1b_csv() -> str:
    """The H-1B payment facts as CSV text (header first, one fact a row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(H1B_COLUMNS)
    writer.writerows(H1B_FACTS)
    return out.getvalue()


def main(shared: Path, target: Path = TARGET) -> None:
    """Copy FILES from `shared/reference` into `target`; write the H-1B facts and attribution."""
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / "reference" / name, dest)
    (target / H1B_FILE).write_text(h1b_csv(), encoding="utf-8")
    (target / "ATTRIBUTION.md").write_text(ATTRIBUTION, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SHARED)
