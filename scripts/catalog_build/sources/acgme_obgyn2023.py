"""ACGME public directory 2023, OB/GYN: sponsoring institution and accreditation; adds programs AAMC lacks."""

from __future__ import annotations

from catalog_build.draft import Claim, ProgramDrafts, program_id
from catalog_build.parsing import rows, website
from smartpick.catalog.sources import ACGME_OBGYN
from smartpick.core.geography import state_code

OBGYN = "Obstetrics and Gynecology"


def add(drafts: ProgramDrafts) -> None:
    """Add the directory's OB/GYN facts; flag AAMC 2021 OB/GYN programs it no longer lists."""
    path = drafts.raw / "muffly_tyler_acgme_obgyn_2023" / "data" / "acgme.csv"
    matched = added = 0
    for row in rows(path):
        code = row["program_code"].zfill(10)
        pid = program_id(code, OBGYN, "categorical")
        status = row["accreditation_status"]
        existing = pid in drafts.drafts
        if not existing and "Withdraw" in status:
            continue
        d = drafts.draft(code, OBGYN, "categorical")
        matched += existing
        added += not existing
        d.names.append(Claim(row["program_name"], ACGME_OBGYN, 2023))
        d.add("institution", row["sponsoring_institution_name"], ACGME_OBGYN, 2023)
        d.add("city", row["city"], ACGME_OBGYN, 2023)
        d.add("state", state_code(row["state"]) or row["state"], ACGME_OBGYN, 2023)
        d.add("accreditation", status, ACGME_OBGYN, 2023)
        d.add("website", website(row["website"]), ACGME_OBGYN, 2023)
    listed = {row["program_code"].zfill(10) for row in rows(path)}
    missing = 0
    for d in drafts.drafts.values():
        if d.specialty == OBGYN and d.acgme_code not in listed:
            d.notes.append(
                "Not in the ACGME 2023 OB/GYN directory: the program may have closed or "
                "changed its ACGME code since 2021."
            )
            missing += 1
    drafts.report["obgyn_acgme_2023"] = {
        "matched_by_code": matched,
        "added": added,
        "aamc_not_in_2023_directory": missing,
    }
