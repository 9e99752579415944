"""The catalog as a service for the faces and the use cases: open it, and a program's JSON shapes.

The `Catalog` query class lives in `catalog.query`.
"""

from __future__ import annotations

from pathlib import Path

from smartpick.catalog.evidence import evidence_lines, invited_sentence, nonus_img_rate
from smartpick.catalog.filters import MAX_MIN_POSITIONS, NUMERIC_SORTS, SORT_KEYS
from smartpick.catalog.query import (
    STATS_FIELDS,
    Catalog,
    ImportReport,
    default_user_store,
    open_catalog,
    program_summary,
    program_to_dict,
)
from smartpick.catalog.store import UserStore

__all__ = [
    "MAX_MIN_POSITIONS",
    "NUMERIC_SORTS",
    "SORT_KEYS",
    "STATS_FIELDS",
    "check_user_store",
    "Catalog",
    "ImportReport",
    "default_user_store",
    "evidence_lines",
    "invited_sentence",
    "nonus_img_rate",
    "open_catalog",
    "program_summary",
    "program_to_dict",
]


def check_user_store(path: Path | None = None) -> None:
    """Refuse a damaged or foreign user store now (StoreUnavailable), not on every page later."""
    UserStore(path or default_user_store()).check()
