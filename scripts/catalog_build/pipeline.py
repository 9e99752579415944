"""Build the catalog records and the build report from the read-only data folder.

The sources run in a fixed order (identity sources first, then joins and locations) and every
draft is resolved by `resolve.resolve`. The transform is deterministic: the same input gives
byte-identical output. No program-staff names, e-mails or phone numbers are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog_build.draft import ProgramDrafts
from catalog_build.report import summary
from catalog_build.resolve import resolve
from catalog_build.sources import (
    aamc2021,
    acgme_new2026,
    acgme_obgyn2023,
    eras2021,
    freida2025,
    location,
    nrmp,
    residency_explorer2026,
)


def build_catalog(data_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """All catalog records (sorted by id) and the build report, from `data_dir/raw`."""
    drafts = ProgramDrafts(data_dir)
    aamc2021.add(drafts)
    freida2025.add(drafts)
    acgme_obgyn2023.add(drafts)
    acgme_new2026.add(drafts)
    eras2021.add(drafts)
    residency_explorer2026.add(drafts)
    nrmp.add(drafts)
    location.add_macklin(drafts)
    location.drop_misplaced_coordinates(drafts)
    location.add_city_coordinates(drafts)
    location.drop_misplaced_coordinates(drafts)
    location.add_census_regions(drafts)
    records = [resolve(drafts.drafts[pid]) for pid in sorted(drafts.drafts)]
    drafts.report.update(summary(records))
    return records, drafts.report
