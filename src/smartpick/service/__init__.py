"""Use cases shared by the CLI and the web page. Import the catalog API from here."""

from smartpick.service.catalog import (
    Catalog,
    ImportReport,
    open_catalog,
    program_summary,
    program_to_dict,
)

__all__ = ["Catalog", "ImportReport", "open_catalog", "program_summary", "program_to_dict"]
