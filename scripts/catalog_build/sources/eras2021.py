"""ERAS 2021 participant lists: programs of catalog specialties that no other source lists."""

from __future__ import annotations

from catalog_build.draft import TRACKED_SPECIALTIES, Claim, ProgramDrafts, program_id
from catalog_build.parsing import rows
from smartpick.catalog.sources import ERAS_2021

# Said of a program known only from these lists (a 2026 listing lifts the doubt).
IDENTITY_ONLY_NOTE = (
    "Only the program's identity and 2021 ERAS participation are known (not in the "
    "AAMC 2021 table or FREIDA 2025); it may have closed since."
)


def add(drafts: ProgramDrafts) -> None:
    """Add the listed programs that are not in the catalog yet (identity and ERAS status)."""
    folder = drafts.raw / "nycdsa_aamc_2021" / "data" / "ERAS_links"
    seen: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.csv")):
        for row in rows(path):
            code = row["ID"].zfill(10)
            if code.isdigit() and len(code) == 10:
                seen.setdefault(code, row)
    added = 0
    for code in sorted(seen):
        specialty = drafts.prefix_specialty.get(code[:3])
        if specialty is None or program_id(code, specialty, "categorical") in drafts.drafts:
            continue
        if specialty in TRACKED_SPECIALTIES and program_id(code, specialty, "preliminary") in (
            drafts.drafts
        ):
            continue
        row = seen[code]
        d = drafts.draft(code, specialty, "categorical")
        d.names.append(Claim(row["Program name"], ERAS_2021, 2021))
        city = row["City"]
        d.add("city", city.title() if city.isupper() else city, ERAS_2021, 2021)
        d.add("state", row["State"], ERAS_2021, 2021)
        d.add(
            "eras",
            {"Participating": True, "Not Participating": False}.get(row["Status"]),
            ERAS_2021,
            2021,
        )
        d.notes.append(IDENTITY_ONLY_NOTE)
        added += 1
    drafts.report["eras_2021_only_programs_added"] = added
