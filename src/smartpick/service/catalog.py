"""The catalog as a service for the faces and the use cases: open it, and a program's JSON shapes.

The `Catalog` query class lives in `catalog.query`.
"""

from __future__ import annotations

from smartpick.catalog.query import (
    STATS_FIELDS,
    Catalog,
    ImportReport,
    default_user_store,
    open_catalog,
    program_summary,
    program_to_dict,
)

__all__ = [
    "STATS_FIELDS",
    "Catalog",
    "ImportReport",
    "default_user_store",
    "open_catalog",
    "program_summary",
    "program_to_dict",
]
