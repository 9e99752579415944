"""One key names a program everywhere a user or the code sees it: `program_id`."""

from __future__ import annotations

import json

from smartpick.catalog.importer import ID_COLUMN
from smartpick.catalog.store import bundled_text
from smartpick.service.catalog import Catalog, program_summary, program_to_dict

KEY = "program_id"


def test_the_catalog_file_search_show_and_import_use_one_key(catalog: Catalog) -> None:
    first = json.loads(bundled_text().decode("utf-8").splitlines()[0])
    assert KEY in first and "id" not in first
    program = catalog.get(first[KEY])
    for shown in (program_to_dict(program), program_summary(program)):
        assert shown[KEY] == program.id and "id" not in shown
    assert ID_COLUMN == KEY
