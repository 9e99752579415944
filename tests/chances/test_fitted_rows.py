"""The fitted model's program rows (read at every start) become the records they were made from."""

from __future__ import annotations

import json
from dataclasses import fields

from smartpick.core.bundled import bundled_text
from smartpick.core.chances.persist import FITTED_FILE
from smartpick.core.chances.program_layer import ProgramRecord, _flat, _record


def test_every_shipped_row_reads_back_into_its_fields() -> None:
    layers = json.loads(bundled_text(*FITTED_FILE))["layers"]
    rows = [row for layer in layers.values() for row in layer["records"]["rows"].values()]
    assert len(rows) > 900
    for row in rows:
        record = _record(row)
        assert _flat(record) == row  # the shipped rows are already rounded as written
        for f in fields(ProgramRecord):  # each field its declared shape: a float or n floats
            value = getattr(record, f.name)
            if str(f.type).startswith("tuple"):
                assert type(value) is tuple and len(value) == str(f.type).count("float")
                assert all(type(v) is float for v in value)
            else:
                assert type(value) is float, f.name
