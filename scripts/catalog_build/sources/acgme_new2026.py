"""ACGME programs newly accredited for 2025-26 and 2026-27: identity only, OCR damage repaired."""

from __future__ import annotations

from collections import defaultdict

from catalog_build.draft import Claim, ProgramDrafts, program_id
from catalog_build.ocr import clean_ocr_city, clean_ocr_name
from catalog_build.parsing import rows
from smartpick.catalog.sources import ACGME_NEW

# Said of a program known only from this list (a 2026 listing with data replaces it).
IDENTITY_ONLY_NOTE = (
    "New program: only its identity is known (ACGME list, text extracted from a PDF)."
)


def add(drafts: ProgramDrafts) -> None:
    """Brand-new programs in catalog specialties, with OCR damage repaired or flagged."""
    path = drafts.raw / "missionmed_acgme_new_2026" / "newly_accredited_programs_2025_2027.csv"
    known_cities = defaultdict(set)
    for d in drafts.drafts.values():
        city, state = d.newest("city"), d.newest("state")
        if city and state:
            known_cities[str(state)].add(str(city))
    added = already = other_specialty = 0
    for row in rows(path):
        code = row["acgme_program_id"].zfill(10)
        specialty = drafts.prefix_specialty.get(code[:3])
        if specialty is None:
            other_specialty += 1
            continue
        pid = program_id(code, specialty, "categorical")
        if pid in drafts.drafts:
            already += 1
            continue
        d = drafts.draft(code, specialty, "categorical")
        name, name_fixed = clean_ocr_name(row["program_name"])
        city, city_fixed = clean_ocr_city(row["city"], known_cities[row["state"]])
        d.names.append(Claim(name, ACGME_NEW, 2026))
        d.add("city", city, ACGME_NEW, 2026)
        d.add("state", row["state"], ACGME_NEW, 2026)
        status = row["accreditation_status"]
        if row["effective_date"]:
            month, day, year = row["effective_date"].split("/")
            status = f"{status} (effective {year}-{month}-{day})"
        d.add("accreditation", status, ACGME_NEW, 2026)
        d.notes.append(IDENTITY_ONLY_NOTE)
        if name_fixed:
            d.notes.append(f"Name repaired from garbled source text: '{row['program_name']}'.")
        if city_fixed:
            d.notes.append(f"City repaired from garbled source text: '{row['city']}'.")
        added += 1
    drafts.report["new_programs_2025_2027"] = {
        "added": added,
        "already_in_catalog": already,
        "specialty_not_in_catalog": other_specialty,
    }
