"""The start's fast reading of catalog records equals a plain, field-by-field reading."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from smartpick.catalog.records import _UNKNOWN, FACT_FIELDS, fact_from, overlay, program_from
from smartpick.catalog.store import bundled_text
from smartpick.core.programs import Program


def _plain_program(record: dict[str, Any], user: dict[str, list[tuple[Any, int]]]) -> Program:
    """Every fact field read one by one (what `program_from` did before it was made faster)."""
    facts, conflicts = record["f"], record["c"]
    values = {}
    for name in FACT_FIELDS:
        if name in facts or name in conflicts:
            base = fact_from(facts.get(name), conflicts.get(name))
        else:
            base = _UNKNOWN
        values[name] = overlay(base, user[name]) if name in user else base
    built = program_from({**record, "f": {}, "c": {}}, {})
    return Program(**{**built.__dict__, **values})


@pytest.fixture(scope="module")
def lines() -> list[bytes]:
    return bundled_text().splitlines()


def test_records_parse_as_with_the_standard_library(lines: list[bytes]) -> None:
    # orjson refuses NaN and Infinity, which json.dumps would write: the catalog must hold none.
    assert all(orjson.loads(line) == json.loads(line) for line in lines)


@pytest.mark.parametrize(
    "user",
    [
        {},
        {
            "visa_h1b": [("no", 2026)],
            "notes": [("new", 2026), ("old", 2025)],
            "state": [("TX", 2026)],
        },
        {"min_step2ck": [(230, 2026)], "visa_j1": [("yes", 2026), ("no", 2025)]},
    ],
)
def test_program_from_equals_a_field_by_field_reading(
    lines: list[bytes], user: dict[str, list[tuple[Any, int]]]
) -> None:
    records = [orjson.loads(line) for line in lines]
    assert any(r["c"] for r in records)  # conflicts are exercised
    for record in records:
        fast, plain = program_from(record, user), _plain_program(record, user)
        assert fast == plain and repr(fast) == repr(plain), record["program_id"]
